import { type Static, Type } from '@sinclair/typebox';
import { HttpError } from '@tessera/shared/http/errors';
import { startDeviceSession } from '../authz/device-flow.ts';
import type { TenantRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import type { Exchange } from '../core/exchange.ts';
import { route } from '../core/route.ts';
import { step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { readCookie } from './cookies.ts';
import { browserValue, csrfToken, csrfValid } from './csrf.ts';
import { deviceMessagesFor } from './device-messages.ts';
import { deviceCodePage } from './device-pages.ts';
import { pageAnswer } from './html.ts';
import { flowOf, type LoginState, render, SSO_COOKIE } from './login-endpoint.ts';
import { messagesFor, pageLanguage } from './messages.ts';
import { pageErrors } from './page-errors.ts';

/** What the CSRF token of the code form is bound to, in place of an authorisation session (there is none yet). */
const CSRF_PURPOSE = 'device-code-form';
/** Generous: a code is 8 letters, people add dashes and spaces. */
const TypedCode = Type.String({ maxLength: 40 });
const CodeQuery = Type.Object({ user_code: Type.Optional(TypedCode) }, { additionalProperties: false });
const CodeForm = Type.Object(
  { user_code: TypedCode, csrf: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

type DeviceExchange<B = unknown, Q = unknown> = Exchange<LoginState, TenantRequest<B, Q>>;

/** The code form, with a CSRF token for this browser (setting its CSRF cookie if it has none). */
function codeForm(x: DeviceExchange, options: { userCode?: string; error?: string; status?: number }) {
  const { tenant, issuer } = x.request;
  const { config } = tenant.tenant;
  const csrf = csrfToken(tenant.secrets['identifier-hmac'], browserValue(x.request, x), CSRF_PURPOSE);
  const action = `${new URL(issuer).pathname.replace(/\/$/, '')}/device`;
  const lang = pageLanguage(config.login.locales, undefined);
  return pageAnswer(config, deviceCodePage(config, { lang, csrf, action, ...options }), options.status ?? 200);
}

/** GET: the form, prefilled from `verification_uri_complete`. */
const showCodeForm = step<LoginState, TenantRequest<unknown, Static<typeof CodeQuery>>>('showCodeForm', (x) =>
  codeForm(x, x.request.query.user_code ? { userCode: x.request.query.user_code } : {}),
);

/** The form was made for this browser (signed double submit, csrf.ts). */
const checkCsrf = step<LoginState, TenantRequest<Static<typeof CodeForm>>>('checkCsrf', (x) => {
  const { tenant } = x.request;
  if (!csrfValid(x.request, tenant.secrets['identifier-hmac'], CSRF_PURPOSE, x.request.body.csrf)) {
    const lang = pageLanguage(tenant.tenant.config.login.locales, undefined);
    throw new HttpError(403, 'invalid_request', messagesFor(lang).forged);
  }
});

/**
 * POST: the code entered, behind the guessing brake (brakes/user-code-brake.ts:
 * counted before the lookup, given back when right). A right code starts the
 * sign-in and consent of the hosted login (authz/device-flow.ts), in this
 * browser's SSO session if it has one; a wrong one shows the form again and
 * says only that.
 */
const enterCode = (deps: DataPlaneDeps) =>
  step<LoginState, TenantRequest<Static<typeof CodeForm>>>('enterCode', async (x) => {
    const { tenant, ip } = x.request;
    const typed = x.request.body.user_code;
    const t = deviceMessagesFor(pageLanguage(tenant.tenant.config.login.locales, undefined));
    const reservation = await deps.oauth.userCodeBrake.reserve({ tid: tenant.tenant.tid, ip });
    if (!reservation.allowed) {
      x.header('retry-after', String(reservation.retryAfter));
      return codeForm(x, { userCode: typed, error: t.tooManyCodes, status: 429 });
    }
    const message = await startDeviceSession(flowOf(x, deps), {
      userCode: typed,
      subSid: readCookie(x.request, SSO_COOKIE),
    });
    if (message.type === 'error') return codeForm(x, { userCode: typed, error: t.wrongCode, status: 400 });
    await reservation.succeeded();
    return render(x, deps, message);
  });

/**
 * The user-code page at `/device` (RFC 8628 §3.3, the `verification_uri`):
 * the end-user enters the code their device shows, then signs in and
 * consents on the hosted login's own pages (login-endpoint.ts), which end
 * with "you may return to your device". Steps: showCodeForm; checkCsrf →
 * enterCode.
 */
export const deviceEndpoint: Endpoint = {
  name: 'device',
  area: 'front-channel',
  routes: (deps) => [
    route({
      name: 'device',
      method: 'GET',
      path: '/device',
      errors: pageErrors,
      schema: { querystring: CodeQuery },
      steps: [showCodeForm],
    }),
    route({
      name: 'device.enter',
      method: 'POST',
      path: '/device',
      errors: pageErrors,
      schema: { body: CodeForm },
      steps: [checkCsrf, enterCode(deps)],
    }),
  ],
};
