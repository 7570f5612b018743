import { HttpError } from '@tessera/shared/http/errors';
import { keyStatus } from '@tessera/shared/keys/key-lifecycle';
import { deleteRetiredKey, rotateKeys } from '@tessera/shared/keys/key-rotation';
import { keySpecsFor } from '@tessera/shared/keys/key-stores';
import { keyHistory } from '@tessera/shared/keys/published-keys';
import { loadTenant } from '@tessera/shared/tenancy/tenant-reader';
import type { DeletionOutcome, RotationPlan } from '../workflows/key-rotation-types.ts';
import type { ActivityDeps } from './deps.ts';

/** The steps of `rotateKeys`, driving shared/src/keys/key-rotation.ts. */
export const keyRotationActivities = ({ db, keyStores }: ActivityDeps) => ({
  /**
   * Publish new keys for every configured algorithm, pending for
   * `keys.prePublicationSeconds`. Idempotent: keys created since `sinceMs`
   * (this run's start) mean an earlier attempt did it; its plan is rebuilt
   * from them. Null when the tenant is gone or not active.
   */
  async prePublishRotatedKeys({ tid, sinceMs }: { tid: string; sinceMs: number }): Promise<RotationPlan | null> {
    const tenant = await loadTenant(db, tid);
    if (tenant?.status !== 'active') return null;
    let created = (await keyHistory(db, tid)).filter((k) => k.createdAt.getTime() >= sinceMs && !k.revokedAt);
    if (created.length === 0) {
      const { config } = tenant;
      created = await rotateKeys(
        db,
        keyStores.for(config.keys.backend),
        tid,
        keySpecsFor(config),
        config.keys.prePublicationSeconds,
      );
    }
    const activateAtMs = Math.max(...created.map((k) => k.activatedAt.getTime()));
    const newKids = new Set(created.map((k) => k.kid));
    // rotateKeys retires the replaced keys exactly when their successors activate.
    const retiring = (await keyHistory(db, tid)).filter(
      (k) =>
        !newKids.has(k.kid) &&
        !k.revokedAt &&
        k.retiredAt !== null &&
        created.some((c) => c.alg === k.alg && c.activatedAt.getTime() === k.retiredAt!.getTime()),
    );
    return { newKids: [...newKids], retiringKids: retiring.map((k) => k.kid), activateAtMs };
  },

  /**
   * Delete (revoke, destroy the private part of) the retired keys whose
   * tokens have all expired; report the others with the time they will be.
   * Idempotent: a key already deleted counts as deleted.
   */
  async deleteRetiredKeys({ tid, kids }: { tid: string; kids: string[] }): Promise<DeletionOutcome> {
    const tenant = await loadTenant(db, tid);
    if (!tenant) return { deleted: kids, waiting: [] };
    const { config } = tenant;
    const longestMs = Math.max(config.tokens.accessTokenLifetime, config.tokens.idTokenLifetime) * 1000;
    const history = await keyHistory(db, tid);
    const outcome: DeletionOutcome = { deleted: [], waiting: [] };
    const now = Date.now();
    for (const kid of kids) {
      const key = history.find((k) => k.kid === kid);
      if (!key || key.revokedAt) {
        outcome.deleted.push(kid);
        continue;
      }
      const safeAtMs = key.retiredAt ? key.retiredAt.getTime() + longestMs : Infinity;
      if (keyStatus(key, new Date(now)) !== 'retired' || safeAtMs > now) {
        outcome.waiting.push({ kid, safeAtMs: Number.isFinite(safeAtMs) ? safeAtMs : now + longestMs });
        continue;
      }
      try {
        await deleteRetiredKey(db, keyStores.for(key.backend), tid, kid, config);
        outcome.deleted.push(kid);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        // 404: deleted meanwhile (by the key store API). 400: a token lifetime was raised meanwhile, so not yet safe: wait and ask again.
        if (err.statusCode === 404) outcome.deleted.push(kid);
        else if (err.statusCode === 400) outcome.waiting.push({ kid, safeAtMs: now + longestMs });
        else throw err;
      }
    }
    return outcome;
  },
});
