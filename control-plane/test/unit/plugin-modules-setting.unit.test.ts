import { installErrorHandling } from '@tessera/shared/http/errors';
import { loadSettings } from '@tessera/shared/settings';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerConfigCheck } from '../../src/api/config-check.ts';
import { checkCreateTenant } from '../../src/tenants/tenant-input.ts';

// TESSERA_PLUGIN_MODULES: off by default (the SaaS); the control plane's checks follow the deployment's setting.

const config = { plugins: { claimsSource: { type: 'module', module: '/opt/tessera/plugins/claims.mjs' } } };

async function configCheck(pluginModules: boolean) {
  const app = Fastify();
  installErrorHandling(app);
  registerConfigCheck(app, { pluginModules });
  const res = await app.inject({ method: 'POST', url: '/config/check', payload: config });
  await app.close();
  return res;
}

describe('plugin modules setting', () => {
  it('is off unless TESSERA_PLUGIN_MODULES=allow, and refuses other values', () => {
    expect(loadSettings({}).pluginModules).toBe(false);
    expect(loadSettings({ TESSERA_PLUGIN_MODULES: 'off' }).pluginModules).toBe(false);
    expect(loadSettings({ TESSERA_PLUGIN_MODULES: 'allow' }).pluginModules).toBe(true);
    expect(() => loadSettings({ TESSERA_PLUGIN_MODULES: 'yes' })).toThrow(/TESSERA_PLUGIN_MODULES must be one of/);
  });

  it('POST /config/check refuses a module target unless allowed', async () => {
    const refused = await configCheck(false);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({
      error: 'invalid_configuration',
      errors: [
        {
          path: '$.plugins.claimsSource',
          message: 'plugin modules are not allowed in this deployment (use a webhook)',
        },
      ],
    });
    expect((await configCheck(true)).statusCode).toBe(204);
  });

  it('tenant creation (the API and the provisioning check) refuses it unless allowed, under $.config', () => {
    const tenant = { tid: 'acme', name: 'Acme', issuer: 'https://acme.example.com', config };
    expect(checkCreateTenant(tenant, 'software')).toEqual({
      ok: false,
      errors: [
        {
          path: '$.config.plugins.claimsSource',
          message: 'plugin modules are not allowed in this deployment (use a webhook)',
        },
      ],
    });
    expect(checkCreateTenant(tenant, 'software', { pluginModules: true }).ok).toBe(true);
  });
});
