import { constants, publicEncrypt, randomBytes } from 'node:crypto';
import { type KeyInfo, KeyNotFoundError, type KeyStore } from '@tessera/shared/keys/key-store';
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Contract } from './store-subject.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function signed(store: KeyStore, tid: string, key: KeyInfo): Promise<string> {
  const input = `${b64({ alg: key.alg, kid: key.kid })}.${b64({ sub: 'alice' })}`;
  return `${input}.${Buffer.from(await store.sign(tid, key, Buffer.from(input))).toString('base64url')}`;
}

export const keyStoreContract: Contract = (subject) =>
  describe('KeyStore (software backend)', () => {
    it('signs with an active key of the tenant, verifiable with its public JWK, and refuses other tenants and algorithms', async () => {
      const { ports, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const store = ports.keyStores.for('software');
      const [es, ed] = await store.generate(tid, [
        { alg: 'ES256', rsaKeySize: 2048 },
        { alg: 'EdDSA', rsaKeySize: 2048 },
      ]);
      for (const key of [es!, ed!]) {
        expect(key).toMatchObject({ status: 'active', use: 'sig', backend: 'software' });
        expect(JSON.stringify(key.jwk)).not.toMatch(/"d"/);
        const { payload } = await compactVerify(await signed(store, tid, key), await importJWK(key.jwk, key.alg));
        expect(JSON.parse(Buffer.from(payload).toString())).toEqual({ sub: 'alice' });
      }
      await expect(store.sign(other, es!, Buffer.from('x'))).rejects.toThrow(KeyNotFoundError);
      await expect(store.sign(tid, { kid: es!.kid, alg: 'ES384' }, Buffer.from('x'))).rejects.toThrow(KeyNotFoundError);
      await expect(store.sign(tid, { kid: 'no-such-key', alg: 'ES256' }, Buffer.from('x'))).rejects.toThrow(
        KeyNotFoundError,
      );
    });

    it('does not sign with a key before it is active, or once its private part is destroyed', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const store = ports.keyStores.for('software');
      const [pending] = await store.generate(tid, [{ alg: 'ES256', rsaKeySize: 2048 }], {
        activateAt: new Date(clock.now() + 86_400_000),
      });
      expect(pending?.status).toBe('pending');
      await expect(store.sign(tid, pending!, Buffer.from('x'))).rejects.toThrow(KeyNotFoundError);
      const [active] = await store.generate(tid, [{ alg: 'ES256', rsaKeySize: 2048 }]);
      await store.destroyKey(tid, active!.kid);
      await expect(store.sign(tid, active!, Buffer.from('x'))).rejects.toThrow();
    });

    it('decrypts a content key encrypted to its encryption key', async () => {
      const { ports, tenant } = subject();
      const tid = await tenant();
      const store = ports.keyStores.for('software');
      const [enc] = await store.generate(tid, [{ alg: 'RSA-OAEP-256', rsaKeySize: 2048 }]);
      expect(enc?.use).toBe('enc');
      const cek = randomBytes(32);
      const publicKey = {
        key: await importJWK(enc!.jwk, 'RSA-OAEP-256'),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
      };
      const wrapped = publicEncrypt(publicKey as never, cek);
      expect(Buffer.from(await store.decrypt(tid, enc!, wrapped))).toEqual(cek);
      await expect(store.sign(tid, enc!, Buffer.from('x'))).rejects.toThrow(KeyNotFoundError);
    });
  });
