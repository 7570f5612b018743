import { describe, expect, it } from 'vitest';
import { connectionOptions, loadTemporalConnection } from '../../src/temporal/temporal-connection.ts';

const CERT = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const KEY = Buffer.from('-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n');
const files: Record<string, Buffer> = {
  '/s/client.pem': CERT,
  '/s/client.key': KEY,
  '/s/ca.pem': CERT,
  '/s/api-key': Buffer.from('  key-from-file\n'),
  '/s/empty': Buffer.from('\n'),
  '/s/not-pem': Buffer.from('hello'),
};
const readFile = (path: string): Buffer => {
  const content = files[path];
  if (!content) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
  return content;
};
const load = (env: NodeJS.ProcessEnv) => loadTemporalConnection(env, readFile);

describe('Temporal connection settings', () => {
  it('defaults to a plaintext local server', () => {
    expect(load({})).toEqual({ address: 'localhost:7233', tls: undefined, apiKey: undefined });
    expect(connectionOptions(load({ TEMPORAL_ADDRESS: 'temporal:7233' }))).toEqual({ address: 'temporal:7233' });
  });

  it('mTLS: client certificate and key, server CA and name', () => {
    const c = load({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/s/client.pem',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '/s/client.key',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/s/ca.pem',
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(c.tls).toEqual({
      clientCertPair: { crt: CERT, key: KEY },
      serverRootCACertificate: CERT,
      serverNameOverride: 'temporal.internal',
    });
    expect(c.apiKey).toBeUndefined();
  });

  it('an API key turns TLS on with the system CAs; from a file, trimmed', () => {
    expect(load({ TEMPORAL_API_KEY: 'k1' })).toMatchObject({ tls: {}, apiKey: 'k1' });
    expect(load({ TEMPORAL_API_KEY_FILE: '/s/api-key' })).toMatchObject({ tls: {}, apiKey: 'key-from-file' });
    expect(connectionOptions(load({ TEMPORAL_API_KEY: 'k1' }))).toEqual({
      address: 'localhost:7233',
      tls: {},
      apiKey: 'k1',
    });
  });

  it('TEMPORAL_TLS=true alone is server-authenticated TLS', () => {
    expect(load({ TEMPORAL_TLS: 'true' }).tls).toEqual({});
  });

  it.each([
    [
      { TEMPORAL_TLS_CLIENT_CERT_PATH: '/s/client.pem' },
      /CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together/,
    ],
    [{ TEMPORAL_TLS_CLIENT_KEY_PATH: '/s/client.key' }, /go together/],
    [
      {
        TEMPORAL_API_KEY: 'k',
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/s/client.pem',
        TEMPORAL_TLS_CLIENT_KEY_PATH: '/s/client.key',
      },
      /API key and a client certificate were both given/,
    ],
    [{ TEMPORAL_API_KEY: 'k', TEMPORAL_API_KEY_FILE: '/s/api-key' }, /not both/],
    [{ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }, /TEMPORAL_TLS=false contradicts TEMPORAL_API_KEY/],
    [{ TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/s/ca.pem', TEMPORAL_TLS: 'false' }, /contradicts TEMPORAL_TLS_SERVER_CA/],
    [{ TEMPORAL_TLS: 'yes' }, /TEMPORAL_TLS must be true or false/],
    [{ TEMPORAL_API_KEY_FILE: '/s/empty' }, /empty file/],
    [{ TEMPORAL_API_KEY_FILE: '/s/missing' }, /TEMPORAL_API_KEY_FILE: cannot read \/s\/missing \(ENOENT\)/],
    [
      { TEMPORAL_TLS_CLIENT_CERT_PATH: '/s/client.key', TEMPORAL_TLS_CLIENT_KEY_PATH: '/s/client.key' },
      /TEMPORAL_TLS_CLIENT_CERT_PATH: \/s\/client.key is not a PEM file with a CERTIFICATE block/,
    ],
    [
      { TEMPORAL_TLS_CLIENT_CERT_PATH: '/s/client.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/s/not-pem' },
      /TEMPORAL_TLS_CLIENT_KEY_PATH: .* PRIVATE KEY/,
    ],
  ] as Array<[NodeJS.ProcessEnv, RegExp]>)('refuses %j', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });

  it('never puts a file’s content in the error', () => {
    files['/s/secret-not-pem'] = Buffer.from('sk-very-secret');
    expect(() =>
      load({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/s/client.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/s/secret-not-pem' }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('sk-very-secret') }));
  });
});
