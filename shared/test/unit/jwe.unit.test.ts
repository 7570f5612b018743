import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { CompactEncrypt, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { algorithmsFor } from '../../src/jose/algorithms.ts';
import { decryptCompactJwe, JweError } from '../../src/keys/jwe.ts';
import type { KeyStore } from '../../src/keys/key-store.ts';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** A key store with one RSA key, unwrapping as RSA-OAEP (SHA-1) or RSA-OAEP-256. */
const store = {
  decrypt: async (_tid: string, ref: { alg: string }, data: Uint8Array) =>
    privateDecrypt(
      {
        key: privateKey,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: ref.alg === 'RSA-OAEP' ? 'sha1' : 'sha256',
      },
      data,
    ),
} as unknown as KeyStore;

const encrypt = async (alg: string, enc: string) =>
  new CompactEncrypt(Buffer.from('hello'))
    .setProtectedHeader({ alg, enc, kid: 'k1' })
    .encrypt(await importJWK({ ...publicKey.export({ format: 'jwk' }), alg } as never, alg));

describe('JWEs to the tenant (request objects)', () => {
  it('opens every algorithm and content encryption the registry allows for them', async () => {
    for (const alg of algorithmsFor('request-object-encryption', 'key-management')) {
      for (const enc of algorithmsFor('request-object-encryption', 'content-encryption')) {
        const { plaintext } = await decryptCompactJwe(store, 't', await encrypt(alg, enc));
        expect(plaintext.toString(), `${alg} ${enc}`).toBe('hello');
      }
    }
  });

  it('refuses what the registry does not allow, and a tampered one', async () => {
    await expect(decryptCompactJwe(store, 't', await encrypt('RSA-OAEP-384', 'A128GCM'))).rejects.toThrow(
      'unsupported JWE alg RSA-OAEP-384',
    );
    const jwe = (await encrypt('RSA-OAEP-256', 'A128CBC-HS256')).split('.');
    jwe[3] = Buffer.from('tampered!').toString('base64url');
    await expect(decryptCompactJwe(store, 't', jwe.join('.'))).rejects.toBeInstanceOf(JweError);
    const header = Buffer.from(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A128KW', kid: 'k1' })).toString('base64url');
    await expect(decryptCompactJwe(store, 't', `${header}.a.b.c.d`)).rejects.toThrow('unsupported JWE enc A128KW');
  });
});
