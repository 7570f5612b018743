import { expect } from 'vitest';
import type { InProcessPlanes } from './planes.ts';

/**
 * A new webhook secret for the tenant through the control plane API, as the
 * operator (POST …/webhook-secret, shown once): the secret every webhook
 * call and event delivery of the tenant is signed with.
 */
export async function createWebhookSecret(planes: InProcessPlanes, tid: string): Promise<string> {
  const res = await planes.cp.inject({
    method: 'POST',
    url: `/tenants/rest/v1/${tid}/webhook-secret`,
    headers: { authorization: `Bearer ${planes.s.operatorKey}` },
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { secret: string }).secret;
}
