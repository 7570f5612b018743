import { SECRET_ROLLOVER_MS } from '@tessera/shared/clients/client-store';
import { describe, expect, it } from 'vitest';
import type { NewClient } from '../../src/ports/client-store.ts';
import type { Contract } from './store-subject.ts';

export const clientStoreContract: Contract = (subject) =>
  describe('ClientStore', () => {
    const input = (clientId: string, fields: Partial<NewClient> = {}): NewClient => ({
      clientId,
      metadata: { redirect_uris: ['https://app.example/cb'], client_name: clientId },
      secret: 'first-secret',
      secretExpiresAt: null,
      registrationTokenSha256: 'a'.repeat(64),
      ...fields,
    });

    it('creates a client once per tenant and gives it back with its secret opened', async () => {
      const { ports, clock, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      expect(await ports.clientStore.create(tid, input('app'))).toBe(true);
      expect(await ports.clientStore.create(tid, input('app', { secret: 'other' }))).toBe(false);
      expect(await ports.clientStore.create(other, input('app'))).toBe(true);
      const client = await ports.clientStore.get(tid, 'app');
      expect(client).toMatchObject({
        tid,
        clientId: 'app',
        secret: 'first-secret',
        previousSecret: null,
        registrationTokenSha256: 'a'.repeat(64),
      });
      expect(client?.metadata).toEqual(input('app').metadata);
      expect(client?.createdAt).toEqual(new Date(clock.now()));
      expect(await ports.clientStore.get(tid, 'nobody')).toBeUndefined();
      expect(await ports.clientStore.get(tid, 'app\u0000')).toBeUndefined();
    });

    it('holds a client quota: at the limit it refuses with quota_exceeded and creates nothing, also in parallel', async () => {
      const { ports, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      expect(await ports.clientStore.create(tid, input('one'), 2)).toBe(true);
      // Two creations at limit − 1: exactly one passes.
      const raced = await Promise.allSettled([
        ports.clientStore.create(tid, input('two'), 2),
        ports.clientStore.create(tid, input('three'), 2),
      ]);
      expect(raced.filter((r) => r.status === 'fulfilled' && r.value === true)).toHaveLength(1);
      const refused = raced.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({
        statusCode: 403,
        code: 'quota_exceeded',
        message: "The plan's quota of 2 clients is reached",
      });
      expect(await ports.clientStore.list(tid)).toHaveLength(2);
      // Another tenant's clients do not count; no limit is no limit.
      expect(await ports.clientStore.create(other, input('one'), 1)).toBe(true);
      expect(await ports.clientStore.create(tid, input('four'))).toBe(true);
    });

    it('rolls a changed secret over for SECRET_ROLLOVER_MS from now', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      await ports.clientStore.create(tid, input('app'));
      clock.advanceSeconds(5);
      expect(
        await ports.clientStore.update(tid, 'app', {
          metadata: { client_name: 'renamed' },
          newSecret: 'second-secret',
        }),
      ).toBe(true);
      const client = await ports.clientStore.get(tid, 'app');
      expect(client).toMatchObject({
        secret: 'second-secret',
        previousSecret: 'first-secret',
        metadata: { client_name: 'renamed' },
      });
      expect(client?.previousSecretValidUntil).toEqual(new Date(clock.now() + SECRET_ROLLOVER_MS));
      expect(client?.updatedAt).toEqual(new Date(clock.now()));
      expect(await ports.clientStore.update(tid, 'nobody', { metadata: {} })).toBe(false);
    });

    it('lists and deletes within the tenant', async () => {
      const { ports, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      for (const id of ['web', 'app']) await ports.clientStore.create(tid, input(id));
      await ports.clientStore.create(other, input('tool'));
      expect(await ports.clientStore.list(tid)).toEqual(['app', 'web']);
      expect(await ports.clientStore.delete(other, 'app')).toBe(false);
      expect(await ports.clientStore.delete(tid, 'app')).toBe(true);
      expect(await ports.clientStore.delete(tid, 'app')).toBe(false);
      expect(await ports.clientStore.list(tid)).toEqual(['web']);
    });

    it("gives every CORS origin the tenant's clients registered, once each, never another tenant's", async () => {
      const { ports, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const origins = (...allowed_cors_origins: string[]) => ({
        metadata: { redirect_uris: ['https://app.example/cb'], allowed_cors_origins },
      });
      expect(await ports.clientStore.corsOrigins(tid)).toEqual([]);
      await ports.clientStore.create(tid, input('spa', origins('https://b.example', 'http://127.0.0.1:5173')));
      await ports.clientStore.create(tid, input('admin', origins('https://b.example', 'https://a.example')));
      await ports.clientStore.create(tid, input('backend'));
      await ports.clientStore.create(other, input('spa', origins('https://other.example')));
      expect(await ports.clientStore.corsOrigins(tid)).toEqual([
        'http://127.0.0.1:5173',
        'https://a.example',
        'https://b.example',
      ]);
      await ports.clientStore.update(tid, 'admin', origins());
      expect(await ports.clientStore.corsOrigins(tid)).toEqual(['http://127.0.0.1:5173', 'https://b.example']);
    });

    it('is read through a lookup that forgets an evicted client', async () => {
      const { ports, tenant } = subject();
      const tid = await tenant();
      await ports.clientStore.create(tid, input('app'));
      expect(ports.clients.peek(tid, 'app')).toBeUndefined();
      const [a, b] = await Promise.all([ports.clients.get(tid, 'app'), ports.clients.get(tid, 'app')]);
      expect(a).toBe(b);
      expect(ports.clients.peek(tid, 'app')?.secret).toBe('first-secret');
      await ports.clientStore.update(tid, 'app', { metadata: {}, newSecret: 'second-secret' });
      expect((await ports.clients.get(tid, 'app'))?.secret).toBe('first-secret');
      ports.clients.evict(tid, 'app');
      expect((await ports.clients.get(tid, 'app'))?.secret).toBe('second-secret');
    });
  });
