import type { MasterKey } from '@tessera/shared/crypto/master-key';
import { consoleSecretContext } from '@tessera/shared/crypto/reseal';
import type { Db } from '@tessera/shared/db/database';

/** The one OpenID Connect client the console signs in with, at the operator tenant. */
export interface ConsoleSettings {
  /** The operator tenant's issuer. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The `resource` the console asks for: the `aud` of the access tokens the control plane takes from it. */
  audience: string;
  /** Where the console is served (its callback is `{consoleUrl}/console/callback`). */
  consoleUrl: string;
}

/** Stored in PostgreSQL, so every control-plane node reads the same settings and a change needs no restart. */
export class ConsoleSettingsStore {
  constructor(
    private readonly db: Db,
    private readonly masterKey: MasterKey,
    /** The row: one per deployment (`TESSERA_CONSOLE_ID`); tests give each control plane its own. */
    private readonly id = 'default',
  ) {}

  async load(): Promise<ConsoleSettings | undefined> {
    const row = await this.db.selectFrom('console_settings').selectAll().where('id', '=', this.id).executeTakeFirst();
    if (!row) return undefined;
    return {
      issuer: row.issuer,
      clientId: row.client_id,
      clientSecret: this.masterKey.open(row.client_secret_sealed, consoleSecretContext(this.id)).toString('utf8'),
      audience: row.audience,
      consoleUrl: row.console_url,
    };
  }

  async save(settings: ConsoleSettings): Promise<void> {
    const values = {
      issuer: settings.issuer,
      client_id: settings.clientId,
      client_secret_sealed: this.masterKey.seal(
        Buffer.from(settings.clientSecret, 'utf8'),
        consoleSecretContext(this.id),
      ),
      audience: settings.audience,
      console_url: settings.consoleUrl,
      updated_at: new Date(),
    };
    await this.db
      .insertInto('console_settings')
      .values({ id: this.id, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  }
}

/**
 * The settings as read at most every `ttlMs` (every console-token call
 * needs them): a change on one node reaches the others within that time.
 */
export function cachedConsoleSettings(store: ConsoleSettingsStore, ttlMs = 10_000) {
  let cached: { at: number; value: Promise<ConsoleSettings | undefined> } | undefined;
  const read = () => {
    if (!cached || Date.now() - cached.at > ttlMs) {
      const value = store.load();
      cached = { at: Date.now(), value };
      // A failed read is not kept: the next call tries again.
      value.catch(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
  read.invalidate = () => {
    cached = undefined;
  };
  return read;
}
