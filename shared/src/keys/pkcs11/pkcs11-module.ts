import { createRequire } from 'node:module';
import type * as Pkcs11Types from 'pkcs11js';
import { ReinitializeThread } from './reinitialize-thread.ts';

const require = createRequire(import.meta.url);
export const pkcs11js = require('pkcs11js') as typeof Pkcs11Types;
export type Pkcs11 = Pkcs11Types.PKCS11;
export type Handle = Buffer;

/** PKCS#11 constants pkcs11js does not export (from the v3.0 headers). */
export const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
export const CKM_EDDSA = 0x1057;
export const CKZ_DATA_SPECIFIED = 0x1;

/** `"acme\0\0 "` → `"acme"`: token labels come back padded. */
const trimLabel = (label: string) => label.replace(/[\s\u0000]+$/u, '');

/**
 * One loaded PKCS#11 library per process. C_Initialize uses OS locking so
 * several sessions can sign in parallel. Tokens created by another process
 * only become visible after C_Finalize + C_Initialize (SoftHSM builds its slot
 * list at initialisation), so a look-up that misses triggers a rescan; a
 * rescan waits for in-flight operations, and every session opened before it is
 * dropped (the `generation` tells pools their sessions are gone). The
 * re-initialisation itself runs on a thread of its own, so the event loop
 * keeps serving what needs no HSM.
 */
export class Pkcs11Module {
  readonly #lib: Pkcs11;
  readonly #modulePath: string;
  #thread: ReinitializeThread | null = null;
  #rescanStarted: number | null = null;
  #generation = 0;
  #inFlight = 0;
  #rescan: Promise<void> | null = null;
  #drained: (() => void) | null = null;
  #slots = new Map<string, Handle>();
  #lastRescan = 0;

  constructor(modulePath: string) {
    this.#modulePath = modulePath;
    this.#lib = new pkcs11js.PKCS11();
    this.#lib.load(modulePath);
    this.#lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    this.#indexSlots();
  }

  get generation(): number {
    return this.#generation;
  }

  /** How long the rescan in progress has been running (ms), or null when none is. */
  get rescanningFor(): number | null {
    return this.#rescanStarted === null ? null : Date.now() - this.#rescanStarted;
  }

  /** Run `fn` with the library; a rescan waits until it finishes. */
  async use<T>(fn: (lib: Pkcs11, generation: number) => Promise<T> | T): Promise<T> {
    while (this.#rescan) await this.#rescan;
    this.#inFlight += 1;
    try {
      return await fn(this.#lib, this.#generation);
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#drained?.();
    }
  }

  /** The slot holding the token labelled `label`, rescanning once (at most every 250 ms) on a miss. */
  async slotOf(label: string): Promise<Handle | undefined> {
    const known = this.#slots.get(label);
    if (known) return known;
    if (Date.now() - this.#lastRescan > 250) await this.rescan();
    return this.#slots.get(label);
  }

  /** The slot of the token labelled `label` as of the last scan, without rescanning. */
  knownSlot(label: string): Handle | undefined {
    return this.#slots.get(label);
  }

  /** A slot whose token is not initialised yet (SoftHSM always keeps one). */
  freeSlot(): Handle | undefined {
    return this.#lib
      .C_GetSlotList(true)
      .find((slot) => !(this.#lib.C_GetTokenInfo(slot).flags & pkcs11js.CKF_TOKEN_INITIALIZED));
  }

  /** Refresh the label index after this process initialised a token itself. */
  refreshSlots(): void {
    this.#indexSlots();
  }

  rescan(): Promise<void> {
    this.#rescan ??= (async () => {
      this.#rescanStarted = Date.now();
      if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
      this.#drained = null;
      await this.#reinitialize();
      this.#generation += 1;
      this.#lastRescan = Date.now();
      this.#indexSlots();
    })().finally(() => {
      this.#rescan = null;
      this.#rescanStarted = null;
    });
    return this.#rescan;
  }

  /** C_Finalize + C_Initialize on the re-initialisation thread; on the event loop only if that thread died. */
  async #reinitialize(): Promise<void> {
    this.#thread ??= new ReinitializeThread(this.#modulePath);
    if (this.#thread.usable) {
      try {
        await this.#thread.run();
        return;
      } catch (err) {
        if (this.#thread.usable) throw err; // the module's own refusal, not the thread's death
      }
    }
    try {
      this.#lib.C_Finalize();
    } catch (err) {
      // The thread may have died between its C_Finalize and its C_Initialize.
      if ((err as { code?: number }).code !== pkcs11js.CKR_CRYPTOKI_NOT_INITIALIZED) throw err;
    }
    this.#lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  }

  info(): string {
    const info = this.#lib.C_GetInfo();
    return `${trimLabel(info.manufacturerID)} ${trimLabel(info.libraryDescription)}`;
  }

  close(): void {
    void this.#thread?.close();
    this.#lib.C_Finalize();
  }

  #indexSlots(): void {
    const slots = new Map<string, Handle>();
    for (const slot of this.#lib.C_GetSlotList(true)) {
      const token = this.#lib.C_GetTokenInfo(slot);
      if (token.flags & pkcs11js.CKF_TOKEN_INITIALIZED) slots.set(trimLabel(token.label), slot);
    }
    this.#slots = slots;
  }
}
