import { KeyStoreUnavailableError } from '../key-store.ts';
import { type Handle, type Pkcs11, type Pkcs11Module, pkcs11js } from './pkcs11-module.ts';

/** Find a key object by its CKA_ID (and CKA_LABEL, where given) and class; handles are cached. */
export type FindKey = (id: string, cls: number, label?: string) => Handle;

const isPkcs11Error = (err: unknown, code: number) => (err as { code?: number } | null)?.code === code;

/**
 * A pool of logged-in sessions on one tenant's token: one operation per
 * session at a time, up to `size` in parallel. Sessions from before a module
 * rescan are discarded. A refused PIN is remembered for a few seconds so a
 * burst of requests cannot lock the token with retries.
 */
export class TokenSessions {
  readonly #module: Pkcs11Module;
  readonly #label: string;
  readonly #pin: string;
  readonly #size: number;
  #generation = -1;
  #idle: Handle[] = [];
  #open = 0;
  /** Callers waiting for a session; null means "one closed: open your own". */
  #waiters: Array<(session: Handle | null) => void> = [];
  #objects = new Map<string, Handle>();
  #refusedUntil = 0;

  constructor(module: Pkcs11Module, label: string, pin: string, size: number) {
    this.#module = module;
    this.#label = label;
    this.#pin = pin;
    this.#size = size;
  }

  /**
   * Run `fn` on a logged-in session of this token. Object handles cached from
   * a closed session may have died with it (SoftHSM drops them when the last
   * session closes): on CKR_OBJECT_HANDLE_INVALID, forget them and retry once.
   */
  async run<T>(fn: (lib: Pkcs11, session: Handle, findKey: FindKey) => Promise<T>): Promise<T> {
    try {
      return await this.#runOnce(fn);
    } catch (err) {
      if (
        !isPkcs11Error(err, pkcs11js.CKR_OBJECT_HANDLE_INVALID) &&
        !isPkcs11Error(err, pkcs11js.CKR_KEY_HANDLE_INVALID)
      )
        throw err;
      this.#objects.clear();
      return this.#runOnce(fn);
    }
  }

  async #runOnce<T>(fn: (lib: Pkcs11, session: Handle, findKey: FindKey) => Promise<T>): Promise<T> {
    if (Date.now() < this.#refusedUntil)
      throw new KeyStoreUnavailableError(`the HSM token ${this.#label} refused its PIN`);
    await this.#module.slotOf(this.#label); // an unknown label makes the module rescan (throttled)
    return this.#module.use(async (lib, generation) => {
      // Read once no rescan can run: one that ran while this call waited may have moved the token
      // (SoftHSM numbers a token initialised in this process by position until the next C_Initialize).
      const slot = this.#module.knownSlot(this.#label);
      if (!slot) throw new KeyStoreUnavailableError(`the HSM token ${this.#label} is not present`);
      if (generation !== this.#generation) this.#reset(generation);
      const session = await this.#acquire(lib, slot);
      let healthy = true;
      try {
        return await fn(lib, session, (id, cls, label) => this.#find(lib, session, id, cls, label));
      } catch (err) {
        healthy = !(err as { code?: number } | null)?.code; // a Cryptoki error may leave the session mid-operation
        throw err;
      } finally {
        this.#release(lib, session, healthy);
      }
    });
  }

  /** Drop cached object handles (objects were destroyed). */
  forgetObjects(): void {
    this.#objects.clear();
  }

  #reset(generation: number): void {
    this.#generation = generation;
    this.#idle = [];
    this.#open = 0;
    this.#objects.clear();
  }

  async #acquire(lib: Pkcs11, slot: Handle): Promise<Handle> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#open >= this.#size) {
      const handed = await new Promise<Handle | null>((resolve) => this.#waiters.push(resolve));
      return handed ?? this.#acquire(lib, slot);
    }
    this.#open += 1;
    try {
      const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      try {
        lib.C_Login(session, pkcs11js.CKU_USER, this.#pin);
      } catch (err) {
        if (!isPkcs11Error(err, pkcs11js.CKR_USER_ALREADY_LOGGED_IN)) {
          lib.C_CloseSession(session);
          if (isPkcs11Error(err, pkcs11js.CKR_PIN_INCORRECT) || isPkcs11Error(err, pkcs11js.CKR_PIN_LOCKED)) {
            this.#refusedUntil = Date.now() + 5000;
            throw new KeyStoreUnavailableError(`the HSM token ${this.#label} refused its PIN`, { cause: err });
          }
          throw err;
        }
      }
      return session;
    } catch (err) {
      this.#open -= 1;
      if (err instanceof KeyStoreUnavailableError) throw err;
      throw new KeyStoreUnavailableError(`cannot open a session on HSM token ${this.#label}`, { cause: err });
    }
  }

  #release(lib: Pkcs11, session: Handle, healthy: boolean): void {
    if (healthy) {
      const waiter = this.#waiters.shift();
      if (waiter) waiter(session);
      else this.#idle.push(session);
      return;
    }
    try {
      lib.C_CloseSession(session);
    } catch {
      // already gone
    }
    this.#objects.clear();
    this.#open -= 1;
    this.#waiters.shift()?.(null);
  }

  /** Object handles are valid across the application's sessions; cache them per generation. */
  #find(lib: Pkcs11, session: Handle, id: string, cls: number, label: string | undefined): Handle {
    const cacheKey = `${cls}:${id}:${label ?? ''}`;
    const cached = this.#objects.get(cacheKey);
    if (cached) return cached;
    lib.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: cls },
      { type: pkcs11js.CKA_ID, value: Buffer.from(id) },
      ...(label === undefined ? [] : [{ type: pkcs11js.CKA_LABEL, value: label }]),
    ]);
    try {
      const handle = lib.C_FindObjects(session);
      if (!handle) throw new Error(`no object ${id} in token ${this.#label}`);
      this.#objects.set(cacheKey, handle);
      return handle;
    } finally {
      lib.C_FindObjectsFinal(session);
    }
  }
}
