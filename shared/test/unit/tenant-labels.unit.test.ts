import { describe, expect, it } from 'vitest';
import { OTHER_TENANTS, TenantLabels, tenantLabelCap } from '../../src/observability/tenant-labels.ts';

describe('tenant label values per node', () => {
  it('hands out up to the cap, then other; known tenants and "-" keep their value', () => {
    const labels = new TenantLabels(2);
    expect(labels.of('a')).toBe('a');
    expect(labels.of('b')).toBe('b');
    expect(labels.of('c')).toBe(OTHER_TENANTS);
    expect(labels.of('a')).toBe('a');
    expect(labels.of('-')).toBe('-');
  });

  it('reads the cap from TESSERA_METRICS_TENANT_LABELS', () => {
    expect(tenantLabelCap({})).toBe(1000);
    expect(tenantLabelCap({ TESSERA_METRICS_TENANT_LABELS: '5' })).toBe(5);
    expect(() => tenantLabelCap({ TESSERA_METRICS_TENANT_LABELS: 'many' })).toThrow(/whole number/);
  });
});
