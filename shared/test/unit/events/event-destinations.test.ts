import { parseTenantConfig } from '@tessera/shared/config/validate-tenant-config';
import { DELIVERY_ID_PATTERN, deliveryId, destinationsFor } from '@tessera/shared/events/event-destinations';
import { describe, expect, it } from 'vitest';

const config = parseTenantConfig({
  events: {
    endpoints: [
      { url: 'https://a.example/hook', types: ['token.issued', 'client.registered'] },
      { url: 'https://b.example/hook', types: ['key.rotated'] },
      { url: 'https://shared.example/hook', types: ['subject.authenticated'] },
    ],
  },
  plugins: {
    tokenIssueEvents: { type: 'webhook', url: 'https://slot.example/tokens', timeoutMs: 700 },
    authEvents: { type: 'webhook', url: 'https://shared.example/hook' },
    clientAuthInterceptor: { type: 'webhook', url: 'https://slot.example/client-auth' },
  },
});

describe('destinationsFor', () => {
  it('takes the endpoints whose types include the event, then the listener slots whose events do', () => {
    expect(destinationsFor(config, 'token.issued')).toEqual([
      { url: 'https://a.example/hook', source: 'endpoint' },
      { url: 'https://slot.example/tokens', source: 'tokenIssueEvents', timeoutMs: 700 },
    ]);
    expect(destinationsFor(config, 'key.rotated')).toEqual([{ url: 'https://b.example/hook', source: 'endpoint' }]);
    expect(destinationsFor(config, 'client.authentication_failed')).toEqual([
      { url: 'https://slot.example/client-auth', source: 'clientAuthInterceptor', timeoutMs: 5000 },
    ]);
    expect(destinationsFor(config, 'consent.denied')).toEqual([
      { url: 'https://shared.example/hook', source: 'authEvents', timeoutMs: 5000 },
    ]);
  });

  it('delivers once to a URL named twice, and nowhere for a type nobody listens to', () => {
    expect(destinationsFor(config, 'subject.authenticated')).toEqual([
      { url: 'https://shared.example/hook', source: 'endpoint' },
    ]);
    expect(destinationsFor(config, 'client.deleted')).toEqual([]);
    expect(destinationsFor(parseTenantConfig({}), 'token.issued')).toEqual([]);
  });
});

describe('deliveryId', () => {
  it('is stable per event and URL, distinct across URLs, and a valid BullMQ job id', () => {
    const id = '01JABCDEFGHJKMNPQRSTVWXYZ0';
    const one = deliveryId(id, 'https://a.example/hook');
    expect(one).toBe(deliveryId(id, 'https://a.example/hook'));
    expect(one).not.toBe(deliveryId(id, 'https://b.example/hook'));
    expect(one).toMatch(new RegExp(DELIVERY_ID_PATTERN));
    expect(one).not.toContain(':');
  });
});
