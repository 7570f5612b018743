import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MasterKey } from '@tessera/shared/crypto/master-key';
import { ROOT } from './services.ts';

export const TESSERA_DIR = join(ROOT, '.tessera');

export interface DevSecrets {
  /** base64url, 32 bytes: seals private keys and PINs at rest. */
  masterKey: string;
  /** The operator API key of the local control plane (only its hash is given to the process). */
  operatorKey: string;
  /** The bearer token for `/monitor/v1/metrics` on both planes (metrics fail closed). */
  monitorToken: string;
  /** Signs Stripe webhook events for the local control plane (`stripe listen`, or tests posting signed events). */
  stripeWebhookSecret: string;
}

/** Local development secrets, made once and kept in .tessera/ (git-ignored, mode 600). */
export function loadOrCreateDevSecrets(): DevSecrets {
  mkdirSync(TESSERA_DIR, { recursive: true, mode: 0o700 });
  const file = join(TESSERA_DIR, 'secrets.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>) : {};
  if (kept.masterKey && kept.operatorKey && kept.monitorToken && kept.stripeWebhookSecret) return kept as DevSecrets;
  // A secret added later (the monitoring token) is made once; the ones already there are kept.
  const secrets: DevSecrets = {
    masterKey: kept.masterKey ?? MasterKey.generateEncoded(),
    operatorKey: kept.operatorKey ?? randomBytes(32).toString('base64url'),
    monitorToken: kept.monitorToken ?? randomBytes(32).toString('base64url'),
    stripeWebhookSecret: kept.stripeWebhookSecret ?? `whsec_${randomBytes(24).toString('base64url')}`,
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

export function writeDevJson(value: unknown): string {
  const file = join(TESSERA_DIR, 'dev.json');
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  return file;
}

export function readDevJson(): Record<string, unknown> | undefined {
  const file = join(TESSERA_DIR, 'dev.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
