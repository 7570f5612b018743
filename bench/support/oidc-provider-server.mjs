/**
 * node-oidc-provider (the reference for bench/token.ts), configured as in
 * docs/platform-notes.md: one client with client_secret_basic, the
 * client_credentials grant, its in-memory adapter, and a resource indicator
 * that every token request defaults to, which decides the access token format.
 *
 * Environment (set by bench/token.ts):
 *   OIDC_PORT           port to listen on (127.0.0.1)
 *   OIDC_FORMAT         "opaque", or the JWS algorithm of JWT access tokens: EdDSA | ES256 | RS256
 *   OIDC_CLIENT_ID      the client's id
 *   OIDC_CLIENT_SECRET  the client's secret
 *
 * DPoP (RFC 9449) is on, without server nonces, as in Tessera's bench tenant:
 * a request with a proof gets a DPoP-bound token.
 *
 * Its JWK set holds one key per algorithm (EdDSA, ES256, RS256 2048), made
 * with jose at start-up. Prints "ready" on stdout once listening.
 */
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const format = process.env.OIDC_FORMAT ?? 'opaque';
const clientId = process.env.OIDC_CLIENT_ID;
const clientSecret = process.env.OIDC_CLIENT_SECRET;
if (!port || !clientId || !clientSecret)
  throw new Error('OIDC_PORT, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required');
if (!['opaque', 'EdDSA', 'ES256', 'RS256'].includes(format)) throw new Error(`unknown OIDC_FORMAT ${format}`);

const keys = [];
for (const alg of ['EdDSA', 'ES256', 'RS256']) {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  keys.push({ ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `bench-${alg.toLowerCase()}` });
}

const RESOURCE = 'urn:bench';
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    },
  ],
  jwks: { keys },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    dPoP: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () =>
        format === 'opaque'
          ? { scope: '', accessTokenFormat: 'opaque' }
          : { scope: '', accessTokenFormat: 'jwt', jwt: { sign: { alg: format } } },
    },
  },
});

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
