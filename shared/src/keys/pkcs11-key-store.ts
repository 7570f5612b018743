import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { MasterKey } from '../crypto/master-key.ts';
import type { Db } from '../db/database.ts';
import type { HsmLayout } from '../db/schema.ts';
import { ALGORITHMS } from './algorithms.ts';
import { type CreatedMaterial, DbKeyStore } from './db-key-store.ts';
import type { HsmSettings } from './hsm-settings.ts';
import { type KeyInfo, KeyNotFoundError, type KeySpec, KeyStoreUnavailableError } from './key-store.ts';
import { hsmPool } from './pkcs11/hsm-pool.ts';
import { EC_PARAMS, oaepDecode, oaepMechanism, publicJwkFrom, signingMechanism } from './pkcs11/mechanisms.ts';
import {
  CKM_EC_EDWARDS_KEY_PAIR_GEN,
  type Handle,
  type Pkcs11,
  type Pkcs11Module,
  pkcs11js,
} from './pkcs11/pkcs11-module.ts';
import { type FindKey, TokenSessions } from './pkcs11/token-sessions.ts';

/** Token labels are at most 32 bytes: a tid that fits is its own label, a longer one is hashed. */
export function tokenLabel(tid: string): string {
  return tid.length <= 32 ? tid : `t-${createHash('sha256').update(tid).digest('base64url').slice(0, 30)}`;
}

export const pinContext = (tid: string, which: 'so' | 'user') => `tessera:hsm-pin:${which}:${tid}`;
const newPin = () => randomBytes(24).toString('base64url');
/** A rescan longer than this fails the health check: the module is stuck, not busy. */
const RESCAN_HEALTHY_MS = 10_000;

/** On the shared token every object of a tenant is named `tessera:{tid}:…` (CKA_ID and CKA_LABEL); tids hold no colon. */
export const sharedObjectName = (tid: string, name: string) => `tessera:${tid}:${name}`;

/** Where a tenant's keys are: the token's sessions, and the name (CKA_ID) of a key on it. */
interface TenantToken {
  layout: HsmLayout;
  sessions: TokenSessions;
  objectName(kid: string): string;
}

const LAYOUT_OF: Record<HsmSettings['mode'], HsmLayout> = {
  'token-per-tenant': 'token',
  'slot-pool': 'pool',
  'shared-partition': 'shared',
};

/** Whether a shared-token object's CKA_ID and CKA_LABEL both name exactly this tenant's key. */
export const ownedBy = (tid: string, kid: string, id: string, label: string): boolean => {
  const expected = sharedObjectName(tid, kid);
  return id === expected && label === expected;
};

const DEFAULT_HSM: HsmSettings = { mode: 'token-per-tenant', pool: [], shared: undefined, calls: 'pool' };

/**
 * Tenants' keys in a PKCS#11 HSM, in one of three modes (docs/keys.md "HSM
 * modes"): each tenant's own token, labelled with its tid and protected by
 * its own user PIN (sealed under the master key in Postgres); a token claimed
 * from a pool the operator initialised; or the one shared token, where each
 * tenant's objects are named `tessera:{tid}:{kid}` and every use checks the
 * name. `tenant_hsm_tokens.layout` records which, so a tenant keeps its layout.
 * Key pairs are generated inside the token, sensitive and not extractable;
 * signing and decryption run inside it, from a pool of sessions; on the
 * event loop or on the thread pool by `TESSERA_HSM_CALLS` (hsm-settings.ts).
 */
export class Pkcs11KeyStore extends DbKeyStore {
  readonly backend = 'pkcs11' as const;
  readonly #module: Pkcs11Module;
  readonly #masterKey: MasterKey;
  readonly #sessionsPerToken: number;
  readonly #hsm: HsmSettings;
  /** C_Sign / C_Decrypt on the event loop rather than the thread pool (hsm-settings.ts `HsmCalls`). */
  readonly inlineCalls: boolean;
  readonly #tokens = new Map<string, Promise<TenantToken>>();
  /** Session pools of the operator's tokens (pool and shared), by label: shared by the tenants on them. */
  readonly #configured = new Map<string, TokenSessions>();

  constructor(
    db: Db,
    masterKey: MasterKey,
    module: Pkcs11Module,
    options: { sessionsPerToken?: number; hsm?: HsmSettings } = {},
  ) {
    super(db);
    this.#module = module;
    this.#masterKey = masterKey;
    this.#sessionsPerToken = options.sessionsPerToken ?? 4;
    this.#hsm = options.hsm ?? DEFAULT_HSM;
    this.inlineCalls = this.#hsm.calls === 'inline';
  }

  get mode(): HsmSettings['mode'] {
    return this.#hsm.mode;
  }

  /**
   * Give the tenant its place on the HSM, by the deployment's mode; a tenant
   * that has one keeps it. Safe to repeat and to race (an advisory lock per
   * tenant; the row is written first).
   */
  async ensureTenant(tid: string): Promise<void> {
    await this.db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(hashtext(${`tessera:hsm:${tid}`}))`.execute(conn);
      try {
        const row = await conn.selectFrom('tenant_hsm_tokens').selectAll().where('tid', '=', tid).executeTakeFirst();
        const layout = row?.layout ?? LAYOUT_OF[this.#hsm.mode];
        if (layout === 'token') await this.#ensureOwnToken(conn, tid);
        else if (layout === 'pool') await this.#ensurePoolToken(conn, tid);
        else await this.#ensureSharedToken(conn, tid);
      } finally {
        await sql`select pg_advisory_unlock(hashtext(${`tessera:hsm:${tid}`}))`.execute(conn);
      }
    });
  }

  /** slot-pool: claim a free token (or keep the one held) and record it in the same transaction. */
  async #ensurePoolToken(conn: Db, tid: string): Promise<void> {
    const label = await conn.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('tenant_hsm_tokens').select('label').where('tid', '=', tid).executeTakeFirst();
      if (row) return row.label;
      const claimed = await hsmPool.claim(trx, this.#hsm.pool, tid);
      await trx
        .insertInto('tenant_hsm_tokens')
        .values({
          tid,
          label: claimed,
          layout: 'pool',
          so_pin_sealed: null,
          user_pin_sealed: null,
          created_at: new Date(),
        })
        .execute();
      return claimed;
    });
    // Retried while the operator has not initialised the token yet: the claim stays with this tenant.
    if (!(await this.#module.slotOf(label)))
      throw new KeyStoreUnavailableError(`the HSM pool token ${label} is not present on the HSM`);
  }

  /** shared-partition: the tenant's keys go to the shared token under its name. */
  async #ensureSharedToken(conn: Db, tid: string): Promise<void> {
    const shared = this.#sharedToken();
    if (!(await this.#module.slotOf(shared.label)))
      throw new KeyStoreUnavailableError(`the shared HSM token ${shared.label} is not present on the HSM`);
    await conn
      .insertInto('tenant_hsm_tokens')
      .values({
        tid,
        label: shared.label,
        layout: 'shared',
        so_pin_sealed: null,
        user_pin_sealed: null,
        created_at: new Date(),
      })
      .onConflict((oc) => oc.column('tid').doNothing())
      .execute();
  }

  #sharedToken(): { label: string; pin: string } {
    if (!this.#hsm.shared)
      throw new KeyStoreUnavailableError('this node has no shared HSM token configured (TESSERA_HSM_SHARED_TOKEN)');
    return this.#hsm.shared;
  }

  /**
   * token-per-tenant: create the tenant's token if absent. The PIN row is
   * written first, so a crash between the two steps is finished by the next
   * call with the same PINs.
   */
  async #ensureOwnToken(conn: Db, tid: string): Promise<void> {
    let row = await conn.selectFrom('tenant_hsm_tokens').selectAll().where('tid', '=', tid).executeTakeFirst();
    if (!row) {
      if (await this.#module.slotOf(tokenLabel(tid))) {
        // Its PINs are lost with its row: it cannot be used, and wiping it needs the SO PIN.
        throw new KeyStoreUnavailableError(
          `an HSM token labelled ${tokenLabel(tid)} exists without credentials on file; remove it from the HSM first`,
        );
      }
      row = {
        tid,
        label: tokenLabel(tid),
        layout: 'token' as const,
        so_pin_sealed: this.#masterKey.seal(Buffer.from(newPin()), pinContext(tid, 'so')),
        user_pin_sealed: this.#masterKey.seal(Buffer.from(newPin()), pinContext(tid, 'user')),
        created_at: new Date(),
      };
      await conn.insertInto('tenant_hsm_tokens').values(row).execute();
    }
    if (await this.#module.slotOf(row.label)) return;
    const soPin = this.#masterKey.open(row.so_pin_sealed!, pinContext(tid, 'so')).toString();
    const userPin = this.#masterKey.open(row.user_pin_sealed!, pinContext(tid, 'user')).toString();
    await this.#module.use((lib) => {
      const slot = this.#module.freeSlot();
      if (!slot) throw new KeyStoreUnavailableError('the HSM has no free slot for a new token');
      lib.C_InitToken(slot, soPin, row.label);
      this.#module.refreshSlots();
      const initialised = lib
        .C_GetSlotList(true)
        .find((s) => lib.C_GetTokenInfo(s).label.replace(/[\s\u0000]+$/u, '') === row.label);
      if (!initialised) throw new Error(`token ${row.label} did not appear after C_InitToken`);
      const session = lib.C_OpenSession(initialised, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      try {
        lib.C_Login(session, pkcs11js.CKU_SO, soPin);
        lib.C_InitPIN(session, userPin);
        lib.C_Logout(session);
      } finally {
        lib.C_CloseSession(session);
      }
    });
  }

  /**
   * Remove the tenant's keys from the HSM, then its row. Its own token is
   * wiped (C_InitToken with its SO PIN re-initialises it empty) and
   * relabelled as free; a pool token has every object destroyed and goes back
   * to the pool; on the shared token the objects named for the tenant are
   * destroyed. Idempotent.
   */
  async destroyTenant(tid: string): Promise<void> {
    const row = await this.db.selectFrom('tenant_hsm_tokens').selectAll().where('tid', '=', tid).executeTakeFirst();
    this.forgetTenant(tid);
    this.#tokens.delete(tid);
    if (!row) return;
    if (row.layout !== 'token') {
      const token = await this.#tenantToken(tid);
      const prefix = Buffer.from(sharedObjectName(tid, ''));
      await token.sessions.run(async (lib, session) => {
        lib.C_FindObjectsInit(session, []);
        const handles: Buffer[] = [];
        for (let batch = lib.C_FindObjects(session, 100); batch.length > 0; batch = lib.C_FindObjects(session, 100))
          handles.push(...batch);
        lib.C_FindObjectsFinal(session);
        for (const handle of handles) {
          if (row.layout === 'shared') {
            const [id] = lib.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_ID }]);
            const value = id?.value as Buffer | undefined;
            if (!value || value.length < prefix.length || !value.subarray(0, prefix.length).equals(prefix)) continue;
          }
          lib.C_DestroyObject(session, handle);
        }
      });
      token.sessions.forgetObjects();
      this.#tokens.delete(tid);
      await this.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('tenant_hsm_tokens').where('tid', '=', tid).execute();
        if (row.layout === 'pool') await hsmPool.release(trx, row.label, tid);
      });
      return;
    }
    if (await this.#module.slotOf(row.label)) {
      const soPin = this.#masterKey.open(row.so_pin_sealed!, pinContext(tid, 'so')).toString();
      await this.#module.use((lib) => {
        // Looked up again inside: a rescan this call waited for may have moved a token made in this process.
        const slot = this.#module.knownSlot(row.label);
        if (!slot) throw new KeyStoreUnavailableError(`the HSM token ${row.label} is not present`);
        lib.C_CloseAllSessions(slot);
        lib.C_InitToken(slot, soPin, `free-${randomBytes(8).toString('hex')}`);
      });
      await this.#module.rescan();
    }
    await this.db.deleteFrom('tenant_hsm_tokens').where('tid', '=', tid).execute();
  }

  async destroyKey(tid: string, kid: string): Promise<void> {
    this.forgetTenant(tid);
    const { sessions, objectName } = await this.#tenantToken(tid);
    await sessions.run(async (lib, session) => {
      for (const cls of [pkcs11js.CKO_PRIVATE_KEY, pkcs11js.CKO_PUBLIC_KEY]) {
        lib.C_FindObjectsInit(session, [
          { type: pkcs11js.CKA_CLASS, value: cls },
          { type: pkcs11js.CKA_ID, value: Buffer.from(objectName(kid)) },
        ]);
        const handles = lib.C_FindObjects(session, 10);
        lib.C_FindObjectsFinal(session);
        for (const handle of handles) lib.C_DestroyObject(session, handle);
      }
    });
    sessions.forgetObjects(); // cached object handles of the destroyed key must go too
    this.#tokens.delete(tid);
  }

  async health(): Promise<void> {
    // A rescan re-reads the token list on a thread of its own: calls wait for it, the health check need
    // not, or a node busy rescanning would leave its load balancer's rotation. Unless it hangs.
    const rescanning = this.#module.rescanningFor;
    if (rescanning !== null && rescanning < RESCAN_HEALTHY_MS) return;
    await this.#module.use((lib) => {
      lib.C_GetSlotList(true);
    });
  }

  protected async createMaterial(tid: string, spec: KeySpec): Promise<CreatedMaterial> {
    const { sessions, objectName } = await this.#tenantToken(tid);
    const algorithm = ALGORITHMS[spec.alg];
    const tempName = objectName(`tmp-${randomBytes(12).toString('hex')}`);
    const tempId = Buffer.from(tempName);
    const { jwk } = await sessions.run(async (lib, session) => {
      const common = [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_ID, value: tempId },
        { type: pkcs11js.CKA_LABEL, value: tempName },
      ];
      const signing = algorithm.use === 'sig';
      let mechanism: number;
      const pub = [...common, { type: signing ? pkcs11js.CKA_VERIFY : pkcs11js.CKA_ENCRYPT, value: true }];
      if (algorithm.kty === 'RSA') {
        mechanism = pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN;
        pub.push(
          { type: pkcs11js.CKA_MODULUS_BITS, value: spec.rsaKeySize as never },
          { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) as never },
        );
      } else {
        mechanism = algorithm.kty === 'OKP' ? CKM_EC_EDWARDS_KEY_PAIR_GEN : pkcs11js.CKM_EC_KEY_PAIR_GEN;
        pub.push({ type: pkcs11js.CKA_EC_PARAMS, value: EC_PARAMS[algorithm.crv!] as never });
      }
      const priv = [
        ...common,
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: signing ? pkcs11js.CKA_SIGN : pkcs11js.CKA_DECRYPT, value: true },
      ];
      const pair = await lib.C_GenerateKeyPairAsync(session, { mechanism }, pub, priv);
      const attrs =
        algorithm.kty === 'RSA'
          ? lib.C_GetAttributeValue(session, pair.publicKey, [
              { type: pkcs11js.CKA_MODULUS },
              { type: pkcs11js.CKA_PUBLIC_EXPONENT },
            ])
          : lib.C_GetAttributeValue(session, pair.publicKey, [{ type: pkcs11js.CKA_EC_POINT }]);
      const values = attrs.map((a) => a.value as Buffer);
      return {
        jwk: publicJwkFrom(
          spec.alg,
          algorithm.kty === 'RSA' ? { modulus: values[0]!, exponent: values[1]! } : { ecPoint: values[0]! },
        ),
      };
    });
    return {
      publicJwk: jwk,
      bind: async (kid) => {
        // The token names each object by its kid, so look-ups need no database. The pair is found
        // again by its temporary id: a rescan since it was made (another tenant's token created or
        // wiped in this process) invalidates the handles generation returned, not the token objects.
        await sessions.run(async (lib, session) => {
          lib.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_ID, value: tempId }]);
          const handles = lib.C_FindObjects(session, 4);
          lib.C_FindObjectsFinal(session);
          if (handles.length !== 2)
            throw new Error(`expected the new key pair under its temporary id, found ${handles.length} objects`);
          for (const handle of handles) {
            lib.C_SetAttributeValue(session, handle, [
              { type: pkcs11js.CKA_ID, value: Buffer.from(objectName(kid)) },
              { type: pkcs11js.CKA_LABEL, value: objectName(kid) },
            ]);
          }
        });
        return null;
      },
    };
  }

  protected async signWith(tid: string, key: KeyInfo, _sealed: string | null, input: Uint8Array): Promise<Uint8Array> {
    const { mechanism, data } = signingMechanism(key.alg, input);
    const token = await this.#tenantToken(tid);
    return token.sessions.run(async (lib, session, findKey) => {
      lib.C_SignInit(session, mechanism as never, this.#privateKey(lib, session, findKey, token, tid, key.kid));
      return this.inlineCalls
        ? lib.C_Sign(session, data, Buffer.alloc(1024))
        : lib.C_SignAsync(session, data, Buffer.alloc(1024));
    });
  }

  protected async decryptWith(
    tid: string,
    key: KeyInfo,
    _sealed: string | null,
    encryptedKey: Uint8Array,
  ): Promise<Uint8Array> {
    const token = await this.#tenantToken(tid);
    const { mechanism, decodeHere } = oaepMechanism(key.alg);
    const output = await token.sessions.run(async (lib, session, findKey) => {
      lib.C_DecryptInit(session, mechanism as never, this.#privateKey(lib, session, findKey, token, tid, key.kid));
      return this.inlineCalls
        ? lib.C_Decrypt(session, Buffer.from(encryptedKey), Buffer.alloc(1024))
        : lib.C_DecryptAsync(session, Buffer.from(encryptedKey), Buffer.alloc(1024));
    });
    const modulusBytes = Buffer.from(key.jwk.n!, 'base64url').length;
    return decodeHere ? oaepDecode(decodeHere, output, modulusBytes) : output;
  }

  /**
   * The private key `kid` of `tid`, found under the tenant's name. On the
   * shared token the object's own CKA_ID and CKA_LABEL are read back and must
   * name this tenant and key before it is used: a look-up that returned
   * another tenant's object (a cached handle gone stale, a module that
   * ignores part of a template) is refused, never signed with.
   */
  #privateKey(lib: Pkcs11, session: Handle, findKey: FindKey, token: TenantToken, tid: string, kid: string): Handle {
    const name = token.objectName(kid);
    let handle: Handle;
    try {
      handle = findKey(name, pkcs11js.CKO_PRIVATE_KEY, token.layout === 'shared' ? name : undefined);
    } catch (err) {
      if (token.layout === 'shared' && !(err as { code?: number } | null)?.code) throw new KeyNotFoundError(tid, kid);
      throw err;
    }
    if (token.layout === 'shared') {
      const attrs = lib.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_ID }, { type: pkcs11js.CKA_LABEL }]);
      const [id = '', label = ''] = attrs.map((a) => (a.value as Buffer | undefined)?.toString() ?? '');
      if (!ownedBy(tid, kid, id, label)) throw new KeyNotFoundError(tid, kid);
    }
    return handle;
  }

  /** Where the tenant's keys are, and its session pool; its PIN is read (and opened) once per process. */
  #tenantToken(tid: string): Promise<TenantToken> {
    let token = this.#tokens.get(tid);
    if (!token) {
      token = (async (): Promise<TenantToken> => {
        const row = await this.db
          .selectFrom('tenant_hsm_tokens')
          .select(['label', 'layout', 'user_pin_sealed'])
          .where('tid', '=', tid)
          .executeTakeFirst();
        if (!row) throw new KeyStoreUnavailableError(`tenant ${tid} has no HSM token`);
        if (row.layout === 'shared') {
          const shared = this.#sharedToken();
          if (shared.label !== row.label)
            throw new KeyStoreUnavailableError(
              `tenant ${tid}'s keys are on shared token ${row.label}, not configured here`,
            );
          return {
            layout: 'shared',
            sessions: this.#configuredSessions(shared),
            objectName: (kid) => sharedObjectName(tid, kid),
          };
        }
        if (row.layout === 'pool') {
          const member = this.#hsm.pool.find((t) => t.label === row.label);
          if (!member)
            throw new KeyStoreUnavailableError(
              `tenant ${tid}'s pool token ${row.label} has no PIN in this node's TESSERA_HSM_POOL`,
            );
          return { layout: 'pool', sessions: this.#configuredSessions(member), objectName: (kid) => kid };
        }
        let pin: string;
        try {
          pin = this.#masterKey.open(row.user_pin_sealed!, pinContext(tid, 'user')).toString();
        } catch (err) {
          throw new KeyStoreUnavailableError(`the HSM PIN of tenant ${tid} cannot be opened`, { cause: err });
        }
        return {
          layout: 'token',
          sessions: new TokenSessions(this.#module, row.label, pin, this.#sessionsPerToken),
          objectName: (kid) => kid,
        };
      })();
      token.catch(() => this.#tokens.delete(tid));
      this.#tokens.set(tid, token);
    }
    return token;
  }

  #configuredSessions(token: { label: string; pin: string }): TokenSessions {
    let sessions = this.#configured.get(token.label);
    if (!sessions) {
      sessions = new TokenSessions(this.#module, token.label, token.pin, this.#sessionsPerToken);
      this.#configured.set(token.label, sessions);
    }
    return sessions;
  }

  override forgetTenant(tid: string): void {
    super.forgetTenant(tid);
    this.#tokens.delete(tid);
  }
}
