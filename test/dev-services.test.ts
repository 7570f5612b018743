import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { requireTestRun } from './support/env.ts';
import { ROOT } from './support/processes.ts';

describe('dev services built by infra/dev/prepare.sh', () => {
  requireTestRun();

  it('built the Temporal CLI and stripe-mock into .cache/bin with go install', () => {
    for (const name of ['temporal', 'stripe-mock']) {
      const bin = join(ROOT, '.cache/bin', name);
      expect(() => accessSync(bin, constants.X_OK)).not.toThrow();
    }
  });

  it('connects to this run’s Temporal dev server', async () => {
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    try {
      const info = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(info.namespaceInfo?.name).toBe('default');
    } finally {
      await connection.close();
    }
  });

  it('talks to this run’s stripe-mock through the official SDK', async () => {
    const base = new URL(process.env.STRIPE_API_BASE!);
    const stripe = new Stripe('sk_test_tessera', { host: base.hostname, port: Number(base.port), protocol: 'http' });
    const customer = await stripe.customers.create({ email: 'billing@example.com', metadata: { tid: 'demo' } });
    expect(customer.id).toMatch(/^cus_/);
    expect(customer.object).toBe('customer');
  });
});
