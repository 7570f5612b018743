import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

// CommonJS, evaluated by the worker: it needs no file of its own, so it runs the same from sources and from a build.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const pkcs11js = require(workerData.pkcs11js);
const lib = new pkcs11js.PKCS11();
lib.load(workerData.modulePath);
parentPort.on('message', () => {
  try {
    lib.C_Finalize();
    lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    parentPort.postMessage({ ok: true });
  } catch (err) {
    parentPort.postMessage({ ok: false, message: String(err && err.message), code: err && err.code });
  }
});
`;

type Answer = { ok: true } | { ok: false; message: string; code?: number };

/**
 * C_Finalize + C_Initialize on a thread of their own. SoftHSM2 re-reads every
 * token directory there: 0.3 ms per token on an idle machine, 365 ms with 560
 * tokens on a busy one (measured), which on the event loop would stall every
 * request of the node, its health checks too. The thread loads the same
 * library (dlopen hands back the process's one copy, so it re-initialises
 * the module the event loop uses); the caller keeps its own calls out
 * meanwhile. Written by hand: PKCS#11 bindings offer no asynchronous
 * C_Initialize.
 */
export class ReinitializeThread {
  readonly #worker: Worker;
  #pending: { resolve: () => void; reject: (err: Error) => void } | null = null;
  #broken: Error | null = null;

  constructor(modulePath: string) {
    this.#worker = new Worker(SOURCE, {
      eval: true,
      workerData: { pkcs11js: require.resolve('pkcs11js'), modulePath },
    });
    this.#worker.unref(); // idle, it must not keep the process alive
    this.#worker.on('message', (answer: Answer) => this.#settle(answer));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the PKCS#11 re-initialisation thread exited (${code})`)));
  }

  /** Whether the thread can still be asked (it died otherwise, and the caller re-initialises itself). */
  get usable(): boolean {
    return this.#broken === null;
  }

  /** Re-initialise the module; one call at a time. */
  run(): Promise<void> {
    if (this.#broken) return Promise.reject(this.#broken);
    if (this.#pending) return Promise.reject(new Error('a re-initialisation is already running'));
    return new Promise<void>((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#worker.ref(); // a process must not exit with the module half re-initialised
      this.#worker.postMessage(null);
    });
  }

  async close(): Promise<void> {
    this.#broken ??= new Error('the PKCS#11 re-initialisation thread is closed');
    await this.#worker.terminate();
  }

  #settle(answer: Answer): void {
    const pending = this.#pending;
    this.#pending = null;
    this.#worker.unref();
    if (!pending) return;
    if (answer.ok) pending.resolve();
    else pending.reject(Object.assign(new Error(answer.message), { code: answer.code }));
  }

  #fail(err: Error): void {
    this.#broken ??= err;
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(err);
  }
}
