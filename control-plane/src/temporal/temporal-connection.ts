import { readFileSync } from 'node:fs';

/**
 * TLS towards the Temporal frontend. An empty object is TLS with the system's
 * CAs (Temporal Cloud with an API key); the fields are the SDK's `TLSConfig`.
 */
export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

/** How to reach and authenticate to Temporal: what `Connection` and `NativeConnection` take. */
export interface TemporalConnection {
  address: string;
  /** Unset: plaintext (a local dev server, or a cluster behind a trusted network). */
  tls: TemporalTls | undefined;
  /** Temporal Cloud API key, sent as a bearer token; only over TLS. */
  apiKey: string | undefined;
}

export class TemporalSettingsError extends Error {
  override name = 'TemporalSettingsError';
}

type ReadFile = (path: string) => Buffer;

/**
 * Read the connection from the environment. The names are those of Temporal's
 * own CLI and SDK environment configuration, so an operator's existing values
 * carry over. Contradictory or half-given settings are refused at start-up
 * with the variable named, never guessed at: a client certificate without its
 * key, an API key beside a client certificate, an API key or certificate with
 * `TEMPORAL_TLS=false` (the key would travel in clear), an unreadable or
 * non-PEM file. File contents never appear in an error.
 */
export function loadTemporalConnection(
  env: NodeJS.ProcessEnv = process.env,
  readFile: ReadFile = (path) => readFileSync(path),
): TemporalConnection {
  const set = (name: string): string | undefined =>
    env[name] === undefined || env[name] === '' ? undefined : env[name];
  const address = set('TEMPORAL_ADDRESS') ?? 'localhost:7233';
  const tlsFlag = set('TEMPORAL_TLS');
  if (tlsFlag !== undefined && tlsFlag !== 'true' && tlsFlag !== 'false')
    throw new TemporalSettingsError(`TEMPORAL_TLS must be true or false, not "${tlsFlag}"`);

  const certPath = set('TEMPORAL_TLS_CLIENT_CERT_PATH');
  const keyPath = set('TEMPORAL_TLS_CLIENT_KEY_PATH');
  const caPath = set('TEMPORAL_TLS_SERVER_CA_CERT_PATH');
  const serverName = set('TEMPORAL_TLS_SERVER_NAME');
  if ((certPath === undefined) !== (keyPath === undefined))
    throw new TemporalSettingsError(
      'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together: set both (mTLS) or neither',
    );
  if (set('TEMPORAL_API_KEY') !== undefined && set('TEMPORAL_API_KEY_FILE') !== undefined)
    throw new TemporalSettingsError('set TEMPORAL_API_KEY or TEMPORAL_API_KEY_FILE, not both');
  const apiKey =
    set('TEMPORAL_API_KEY') ??
    (set('TEMPORAL_API_KEY_FILE') === undefined
      ? undefined
      : read(readFile, 'TEMPORAL_API_KEY_FILE', env.TEMPORAL_API_KEY_FILE!).toString('utf8').trim());
  if (apiKey === '') throw new TemporalSettingsError('TEMPORAL_API_KEY_FILE names an empty file');
  if (apiKey !== undefined && certPath !== undefined)
    throw new TemporalSettingsError(
      'an API key and a client certificate were both given: a namespace is reached with one of them (TEMPORAL_API_KEY or TEMPORAL_TLS_CLIENT_CERT_PATH/KEY_PATH)',
    );

  const needsTls = [
    ['TEMPORAL_TLS_CLIENT_CERT_PATH', certPath],
    ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', caPath],
    ['TEMPORAL_TLS_SERVER_NAME', serverName],
    ['TEMPORAL_API_KEY', apiKey],
  ]
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name);
  if (tlsFlag === 'false' && needsTls.length > 0)
    throw new TemporalSettingsError(`TEMPORAL_TLS=false contradicts ${needsTls.join(', ')}, which need TLS`);
  if (tlsFlag !== 'true' && needsTls.length === 0) return { address, tls: undefined, apiKey: undefined };

  const tls: TemporalTls = {};
  if (serverName) tls.serverNameOverride = serverName;
  if (caPath) tls.serverRootCACertificate = pem(readFile, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', caPath, 'CERTIFICATE');
  if (certPath && keyPath)
    tls.clientCertPair = {
      crt: pem(readFile, 'TEMPORAL_TLS_CLIENT_CERT_PATH', certPath, 'CERTIFICATE'),
      key: pem(readFile, 'TEMPORAL_TLS_CLIENT_KEY_PATH', keyPath, 'PRIVATE KEY'),
    };
  return { address, tls, apiKey };
}

/** The options both `Connection.lazy` (client) and `NativeConnection.connect` (worker) take. */
export function connectionOptions(connection: TemporalConnection): {
  address: string;
  tls?: TemporalTls;
  apiKey?: string;
} {
  return {
    address: connection.address,
    ...(connection.tls ? { tls: connection.tls } : {}),
    ...(connection.apiKey !== undefined ? { apiKey: connection.apiKey } : {}),
  };
}

function read(readFile: ReadFile, name: string, path: string): Buffer {
  try {
    return readFile(path);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new TemporalSettingsError(`${name}: cannot read ${path} (${typeof code === 'string' ? code : 'error'})`);
  }
}

/** A PEM file whose label contains `label` (`PRIVATE KEY` also matches `EC PRIVATE KEY`, `RSA PRIVATE KEY`). */
function pem(readFile: ReadFile, name: string, path: string, label: string): Buffer {
  const content = read(readFile, name, path);
  if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(content.toString('latin1')))
    throw new TemporalSettingsError(`${name}: ${path} is not a PEM file with a ${label} block`);
  return content;
}
