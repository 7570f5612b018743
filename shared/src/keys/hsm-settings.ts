import { readFileSync } from 'node:fs';

/**
 * How tenants' keys are laid out on the HSM (`TESSERA_HSM_MODE`, docs/keys.md "HSM modes"):
 * - `token-per-tenant` (default): provisioning creates a token per tenant with C_InitToken (SoftHSM, HSMs that allow it);
 * - `slot-pool`: the operator initialises tokens or partitions ahead; provisioning claims a free one and returns it;
 * - `shared-partition`: one token for every tenant, each tenant's objects under the CKA_ID/CKA_LABEL `tessera:{tid}:{kid}`.
 */
export type HsmMode = 'token-per-tenant' | 'slot-pool' | 'shared-partition';

/**
 * How signatures and decryptions are called (`TESSERA_HSM_CALLS`, docs/keys.md "Calls"):
 * - `pool` (default): on libuv's thread pool, so an HSM's round trip never blocks the event loop;
 * - `inline`: C_Sign / C_Decrypt on the event loop, for a module that computes in the process (SoftHSM2),
 *   where the hop to the thread pool and back costs more CPU than the operation.
 */
export type HsmCalls = 'inline' | 'pool';

export interface HsmToken {
  /** The token's label (CKA_LABEL of the token, at most 32 bytes). */
  label: string;
  /** Its user (crypto user) PIN; on CloudHSM `user:password`. */
  pin: string;
}

export interface HsmSettings {
  mode: HsmMode;
  /** slot-pool: the pre-initialised tokens (`TESSERA_HSM_POOL_FILE`, or `TESSERA_HSM_POOL`: a JSON array of `{label, pin}`). */
  pool: HsmToken[];
  /** shared-partition: the one token (`TESSERA_HSM_SHARED_TOKEN`, `TESSERA_HSM_SHARED_PIN` or `TESSERA_HSM_SHARED_PIN_FILE`). */
  shared: HsmToken | undefined;
  calls: HsmCalls;
}

const MODES: readonly HsmMode[] = ['token-per-tenant', 'slot-pool', 'shared-partition'];
const CALLS: readonly HsmCalls[] = ['pool', 'inline'];

function poolFrom(text: string, source: string): HsmToken[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${source} must be a JSON array of {"label", "pin"}`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${source} must be a JSON array of {"label", "pin"}`);
  const seen = new Set<string>();
  return parsed.map((entry, i) => {
    const { label, pin } = (entry ?? {}) as Record<string, unknown>;
    if (typeof label !== 'string' || label.length === 0 || Buffer.byteLength(label) > 32)
      throw new Error(`${source}[${i}].label must be a token label of 1 to 32 bytes`);
    if (typeof pin !== 'string' || pin.length === 0) throw new Error(`${source}[${i}].pin must be a non-empty string`);
    if (seen.has(label)) throw new Error(`${source} names the token ${label} twice`);
    seen.add(label);
    return { label, pin };
  });
}

/** The HSM mode and its tokens from the environment; a mode without what it needs fails at start. */
export function hsmSettings(env: NodeJS.ProcessEnv): HsmSettings {
  const mode = (env.TESSERA_HSM_MODE || 'token-per-tenant') as HsmMode;
  if (!MODES.includes(mode)) throw new Error(`TESSERA_HSM_MODE must be one of ${MODES.join(', ')}`);
  if (env.TESSERA_HSM_POOL && env.TESSERA_HSM_POOL_FILE)
    throw new Error('set TESSERA_HSM_POOL or TESSERA_HSM_POOL_FILE, not both');
  const pool = env.TESSERA_HSM_POOL_FILE
    ? poolFrom(readFileSync(env.TESSERA_HSM_POOL_FILE, 'utf8'), 'TESSERA_HSM_POOL_FILE')
    : env.TESSERA_HSM_POOL
      ? poolFrom(env.TESSERA_HSM_POOL, 'TESSERA_HSM_POOL')
      : [];
  const sharedPin = env.TESSERA_HSM_SHARED_PIN_FILE
    ? readFileSync(env.TESSERA_HSM_SHARED_PIN_FILE, 'utf8').trim()
    : env.TESSERA_HSM_SHARED_PIN;
  const shared =
    env.TESSERA_HSM_SHARED_TOKEN && sharedPin ? { label: env.TESSERA_HSM_SHARED_TOKEN, pin: sharedPin } : undefined;
  if (mode === 'slot-pool' && pool.length === 0)
    throw new Error('TESSERA_HSM_MODE=slot-pool needs TESSERA_HSM_POOL_FILE (or TESSERA_HSM_POOL)');
  if (mode === 'shared-partition' && !shared)
    throw new Error(
      'TESSERA_HSM_MODE=shared-partition needs TESSERA_HSM_SHARED_TOKEN and TESSERA_HSM_SHARED_PIN (or _PIN_FILE)',
    );
  const calls = (env.TESSERA_HSM_CALLS || 'pool') as HsmCalls;
  if (!CALLS.includes(calls)) throw new Error(`TESSERA_HSM_CALLS must be one of ${CALLS.join(', ')}`);
  return { mode, pool, shared, calls };
}
