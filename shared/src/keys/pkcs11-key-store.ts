import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { MasterKey } from '../crypto/master-key.ts';
import type { Db } from '../db/database.ts';
import { ALGORITHMS } from './algorithms.ts';
import { type CreatedMaterial, DbKeyStore } from './db-key-store.ts';
import { type KeyInfo, type KeySpec, KeyStoreUnavailableError } from './key-store.ts';
import { EC_PARAMS, oaepDecode, oaepMechanism, publicJwkFrom, signingMechanism } from './pkcs11/mechanisms.ts';
import { CKM_EC_EDWARDS_KEY_PAIR_GEN, type Pkcs11Module, pkcs11js } from './pkcs11/pkcs11-module.ts';
import { TokenSessions } from './pkcs11/token-sessions.ts';

/** Token labels are at most 32 bytes: a tid that fits is its own label, a longer one is hashed. */
export function tokenLabel(tid: string): string {
  return tid.length <= 32 ? tid : `t-${createHash('sha256').update(tid).digest('base64url').slice(0, 30)}`;
}

const pinContext = (tid: string, which: 'so' | 'user') => `tessera:hsm-pin:${which}:${tid}`;
const newPin = () => randomBytes(24).toString('base64url');

/**
 * Each tenant's keys live in a PKCS#11 token of its own, labelled with its
 * tid and protected by its own user PIN (sealed under the master key in
 * Postgres). Key pairs are generated inside the token, sensitive and not
 * extractable; signing and decryption run inside it, from a pool of sessions
 * so requests sign in parallel without blocking the event loop.
 */
export class Pkcs11KeyStore extends DbKeyStore {
  readonly backend = 'pkcs11' as const;
  readonly #module: Pkcs11Module;
  readonly #masterKey: MasterKey;
  readonly #sessionsPerToken: number;
  readonly #tokens = new Map<string, Promise<TokenSessions>>();

  constructor(db: Db, masterKey: MasterKey, module: Pkcs11Module, options: { sessionsPerToken?: number } = {}) {
    super(db);
    this.#module = module;
    this.#masterKey = masterKey;
    this.#sessionsPerToken = options.sessionsPerToken ?? 4;
  }

  /**
   * Create the tenant's token if absent. Safe to repeat and to race: the PIN
   * row is written first (under an advisory lock), so a crash between the two
   * steps is finished by the next call with the same PINs.
   */
  async ensureTenant(tid: string): Promise<void> {
    await this.db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(hashtext(${`tessera:hsm:${tid}`}))`.execute(conn);
      try {
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
            so_pin_sealed: this.#masterKey.seal(Buffer.from(newPin()), pinContext(tid, 'so')),
            user_pin_sealed: this.#masterKey.seal(Buffer.from(newPin()), pinContext(tid, 'user')),
            created_at: new Date(),
          };
          await conn.insertInto('tenant_hsm_tokens').values(row).execute();
        }
        if (await this.#module.slotOf(row.label)) return;
        const soPin = this.#masterKey.open(row.so_pin_sealed, pinContext(tid, 'so')).toString();
        const userPin = this.#masterKey.open(row.user_pin_sealed, pinContext(tid, 'user')).toString();
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
      } finally {
        await sql`select pg_advisory_unlock(hashtext(${`tessera:hsm:${tid}`}))`.execute(conn);
      }
    });
  }

  /**
   * Wipe the tenant's token: every object is destroyed (C_InitToken with its
   * SO PIN re-initialises it empty) and it is relabelled as free; then the
   * PIN row goes. Idempotent.
   */
  async destroyTenant(tid: string): Promise<void> {
    const row = await this.db.selectFrom('tenant_hsm_tokens').selectAll().where('tid', '=', tid).executeTakeFirst();
    this.forgetTenant(tid);
    this.#tokens.delete(tid);
    if (!row) return;
    const slot = await this.#module.slotOf(row.label);
    if (slot) {
      const soPin = this.#masterKey.open(row.so_pin_sealed, pinContext(tid, 'so')).toString();
      await this.#module.use((lib) => {
        lib.C_CloseAllSessions(slot);
        lib.C_InitToken(slot, soPin, `free-${randomBytes(8).toString('hex')}`);
      });
      await this.#module.rescan();
    }
    await this.db.deleteFrom('tenant_hsm_tokens').where('tid', '=', tid).execute();
  }

  async destroyKey(tid: string, kid: string): Promise<void> {
    this.forgetTenant(tid);
    const sessions = await this.#sessions(tid);
    await sessions.run(async (lib, session) => {
      for (const cls of [pkcs11js.CKO_PRIVATE_KEY, pkcs11js.CKO_PUBLIC_KEY]) {
        lib.C_FindObjectsInit(session, [
          { type: pkcs11js.CKA_CLASS, value: cls },
          { type: pkcs11js.CKA_ID, value: Buffer.from(kid) },
        ]);
        const handles = lib.C_FindObjects(session, 10);
        lib.C_FindObjectsFinal(session);
        for (const handle of handles) lib.C_DestroyObject(session, handle);
      }
    });
    this.#tokens.delete(tid); // cached object handles of the destroyed key must go too
  }

  async health(): Promise<void> {
    await this.#module.use((lib) => {
      lib.C_GetSlotList(true);
    });
  }

  protected async createMaterial(tid: string, spec: KeySpec): Promise<CreatedMaterial> {
    const sessions = await this.#sessions(tid);
    const algorithm = ALGORITHMS[spec.alg];
    const tempId = Buffer.from(`tmp-${randomBytes(12).toString('hex')}`);
    const { jwk } = await sessions.run(async (lib, session) => {
      const common = [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_ID, value: tempId },
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
              { type: pkcs11js.CKA_ID, value: Buffer.from(kid) },
              { type: pkcs11js.CKA_LABEL, value: kid },
            ]);
          }
        });
        return null;
      },
    };
  }

  protected async signWith(tid: string, key: KeyInfo, _sealed: string | null, input: Uint8Array): Promise<Uint8Array> {
    const { mechanism, data } = signingMechanism(key.alg, input);
    const sessions = await this.#sessions(tid);
    return sessions.run(async (lib, session, findKey) => {
      lib.C_SignInit(session, mechanism as never, findKey(key.kid, pkcs11js.CKO_PRIVATE_KEY));
      return lib.C_SignAsync(session, data, Buffer.alloc(1024));
    });
  }

  protected async decryptWith(
    tid: string,
    key: KeyInfo,
    _sealed: string | null,
    encryptedKey: Uint8Array,
  ): Promise<Uint8Array> {
    const sessions = await this.#sessions(tid);
    const { mechanism, decodeHere } = oaepMechanism(key.alg);
    const output = await sessions.run(async (lib, session, findKey) => {
      lib.C_DecryptInit(session, mechanism as never, findKey(key.kid, pkcs11js.CKO_PRIVATE_KEY));
      return lib.C_DecryptAsync(session, Buffer.from(encryptedKey), Buffer.alloc(1024));
    });
    const modulusBytes = Buffer.from(key.jwk.n!, 'base64url').length;
    return decodeHere ? oaepDecode(decodeHere, output, modulusBytes) : output;
  }

  /** The tenant's session pool; its PIN is read (and opened) once per process. */
  #sessions(tid: string): Promise<TokenSessions> {
    let pool = this.#tokens.get(tid);
    if (!pool) {
      pool = (async () => {
        const row = await this.db
          .selectFrom('tenant_hsm_tokens')
          .select(['label', 'user_pin_sealed'])
          .where('tid', '=', tid)
          .executeTakeFirst();
        if (!row) throw new KeyStoreUnavailableError(`tenant ${tid} has no HSM token`);
        let pin: string;
        try {
          pin = this.#masterKey.open(row.user_pin_sealed, pinContext(tid, 'user')).toString();
        } catch (err) {
          throw new KeyStoreUnavailableError(`the HSM PIN of tenant ${tid} cannot be opened`, { cause: err });
        }
        return new TokenSessions(this.#module, row.label, pin, this.#sessionsPerToken);
      })();
      pool.catch(() => this.#tokens.delete(tid));
      this.#tokens.set(tid, pool);
    }
    return pool;
  }

  override forgetTenant(tid: string): void {
    super.forgetTenant(tid);
    this.#tokens.delete(tid);
  }
}
