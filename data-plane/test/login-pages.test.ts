import { parseTenantConfig } from '@tessera/shared/config/validate-tenant-config';
import { describe, expect, it } from 'vitest';
import type { AuthMessage, ConsentMessage } from '../src/authz/authz-flow.ts';
import { consentPage } from '../src/login/consent-page.ts';
import { formPostPage } from '../src/login/form-post-page.ts';
import { cspSource, esc } from '../src/login/html.ts';
import { loginPage } from '../src/login/login-page.ts';
import { pageLanguage } from '../src/login/messages.ts';

const config = parseTenantConfig({ login: { locales: ['en', 'fr', 'it'] } });
const hostile = '<script>alert(1)</script>"\'&';
const client = {
  client_id: 'c1',
  client_type: 'confidential' as const,
  name: hostile,
  policy_uri: 'javascript:alert(1)',
  tos_uri: 'https://client.example.com/tos',
};

describe('hosted pages', () => {
  it('escape every value a client or end-user controls', () => {
    expect(esc(hostile)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    const auth: AuthMessage = {
      type: 'auth',
      sid: 's"1',
      display: 'page',
      select_account: false,
      create_account: false,
      login_hint: '"><img src=x>',
      client,
      request: {},
    };
    const login = loginPage(config, auth, {
      lang: 'en',
      csrf: 't',
      action: '/t/login/authenticate',
      formTargets: [],
    }).body;
    expect(login).not.toContain('<script>');
    expect(login).not.toContain('<img');
    expect(login).toContain('value="&quot;&gt;&lt;img src=x&gt;"');
    const consent: ConsentMessage = {
      type: 'consent',
      sid: 's2',
      display: 'page',
      sub_session: { sub: '<b>alice</b>', auth_time: 0 },
      client,
      scope: { new: ['openid', '<evil>'], consented: [] },
      claims: {
        new: { essential: ['email'], voluntary: [] },
        consented: { essential: [], voluntary: [] },
        locales: [],
      },
      request: {},
    };
    const body = consentPage(consent, {
      lang: 'en',
      csrf: 't',
      action: '/t/login/consent',
      formTargets: [],
    }).body;
    expect(body).not.toMatch(/<script|<b>|<evil>|javascript:/);
    expect(body).toContain('href="https://client.example.com/tos"');
    expect(body).toContain('email address (required)');
  });

  it('post form_post responses to the redirect URI only, and name it in form-action', () => {
    const page = formPostPage('https://client.example.com/cb', { code: 'a"b', state: '<s>' }, 'en');
    expect(page.formTargets).toEqual(['https://client.example.com']);
    expect(page.body).toContain('action="https://client.example.com/cb"');
    expect(page.body).toContain('value="a&quot;b"');
    expect(cspSource('com.example.app:/cb')).toBe('com.example.app:');
    expect(cspSource('not a uri')).toBeUndefined();
  });

  it('pick the page language from ui_locales among the tenant locales that have a translation, and speak it', () => {
    const offered = config.login.locales;
    expect(pageLanguage(offered, ['de', 'fr-CA'])).toBe('fr');
    expect(pageLanguage(offered, ['it', 'de'])).toBe('en'); // no Italian words; German not offered
    expect(pageLanguage(offered, undefined)).toBe('en');
    expect(pageLanguage(['it', 'de'], undefined)).toBe('de');
    const auth: AuthMessage = {
      type: 'auth',
      sid: 's',
      display: 'page',
      select_account: false,
      create_account: false,
      client,
      request: {},
    };
    const page = loginPage(config, auth, { lang: 'fr', csrf: 't', action: '/a', formTargets: [] });
    expect(page.lang).toBe('fr');
    expect(page.body).toContain('<label for="password">Mot de passe</label>');
  });
});
