import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HttpError } from '@tessera/shared/http/errors';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';
import { TID_PATTERN } from '@tessera/shared/tenancy/identifiers';
import type { FastifyInstance } from 'fastify';
import { challengeUrl, domainHostProblem, proveControl } from '../tenants/domain-challenge.ts';
import {
  domainNotFound,
  domainView,
  findDomain,
  listDomains,
  markDomainVerified,
  removeDomain,
  requestDomain,
} from '../tenants/domain-store.ts';
import { isPlatformHost } from '../tenants/issuer-namespace.ts';
import type { ControlPlaneDeps } from './deps.ts';
import { ErrorBody } from './schemas.ts';

// Checked before any query: a malformed tid is a 400, never a database error.
const Tid = Type.String({ maxLength: 63, pattern: TID_PATTERN });
const Host = Type.String({ minLength: 1, maxLength: 300, description: 'host[:port], as in an issuer URL' });
const Params = Type.Object({ tid: Tid });
const HostParams = Type.Object({ tid: Tid, host: Host });
const DomainView = Type.Object({
  host: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('verified')]),
  txt_name: Type.String({ description: 'publish a TXT record with this name…' }),
  txt_value: Type.String({
    description: '…holding this value; or serve this value as the body of http_path on the host',
  }),
  http_path: Type.String(),
  verified_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  verified_by: Type.Union([Type.Literal('dns'), Type.Literal('http'), Type.Null()]),
});

/**
 * Custom hosts of a tenant (`/tenants/rest/v1/{tid}/domains`): ask for a
 * challenge, publish it, have it verified. A tenant-scoped admin token may
 * put issuers on a host outside the platform's only once it is verified
 * (tenants/issuer-policy.ts); the operator key needs no verification. The
 * HTTP challenge connects only where `outbound` allows.
 */
export function registerDomainRoutes(
  root: FastifyInstance,
  deps: Pick<ControlPlaneDeps, 'db' | 'settings'>,
  outbound: OutboundPolicy,
): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, settings } = deps;

  const requireHost = (host: string) => {
    const problem = domainHostProblem(host);
    if (problem)
      throw new HttpError(400, 'invalid_request', `Bad request: host ${problem}`, {
        extra: { errors: [{ path: '$.host', message: problem }] },
      });
  };
  const requireCustomHost = (host: string) => {
    requireHost(host);
    if (isPlatformHost(new URL(`https://${host}`).hostname, settings.issuerBaseUrls)) {
      throw new HttpError(
        400,
        'invalid_request',
        `${host} is a platform host: issuers there follow the tenant's namespace, not domain verification`,
      );
    }
  };

  app.get(
    '/tenants/rest/v1/:tid/domains',
    {
      schema: {
        summary: "List a tenant's custom hosts and their challenges",
        params: Params,
        response: {
          200: Type.Object({ domains: Type.Array(DomainView) }),
          400: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request) => ({ domains: (await listDomains(db, request.params.tid)).map(domainView) }),
  );

  app.post(
    '/tenants/rest/v1/:tid/domains',
    {
      schema: {
        summary: 'Ask for a challenge that proves control of a custom host (201 new, 200 the one already issued)',
        params: Params,
        body: Type.Object({ host: Host }, { additionalProperties: false }),
        response: { 200: DomainView, 201: DomainView, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { tid } = request.params;
      const { host } = request.body;
      requireCustomHost(host);
      const { row, created } = await requestDomain(db, tid, host);
      if (created) reply.code(201).header('location', `/tenants/rest/v1/${tid}/domains/${host}`);
      return domainView(row);
    },
  );

  app.post(
    '/tenants/rest/v1/:tid/domains/:host/verify',
    {
      schema: {
        summary: 'Look for the challenge in DNS, then over HTTP; 200 once verified',
        params: HostParams,
        response: { 200: DomainView, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { tid, host } = request.params;
      requireHost(host);
      const row = await findDomain(db, tid, host);
      if (!row) throw domainNotFound(tid, host);
      if (row.verified_at) return domainView(row);
      const by = await proveControl(host, row.challenge_token, row.challenge_value, outbound);
      if (!by) {
        const view = domainView(row);
        throw new HttpError(
          409,
          'verification_failed',
          `Found the challenge value neither in a TXT record ${view.txt_name} nor at ${challengeUrl(host, row.challenge_token)}; publish it and try again`,
        );
      }
      const verified = await markDomainVerified(db, tid, host, by);
      if (!verified) throw domainNotFound(tid, host);
      return domainView(verified);
    },
  );

  app.delete(
    '/tenants/rest/v1/:tid/domains/:host',
    {
      schema: {
        summary: 'Forget a custom host (issuers already on it stay until removed)',
        params: HostParams,
        response: { 204: { type: 'null', description: 'removed' }, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { tid, host } = request.params;
      requireHost(host);
      if (!(await removeDomain(db, tid, host))) throw domainNotFound(tid, host);
      return reply.code(204).send();
    },
  );
}
