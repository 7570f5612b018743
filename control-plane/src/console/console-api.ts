import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { appendAudit } from '@tessera/shared/audit/audit-log';
import type { Db } from '@tessera/shared/db/database';
import { HttpError } from '@tessera/shared/http/errors';
import type { FastifyInstance } from 'fastify';
import { ErrorBody, Tid } from '../api/schemas.ts';
import { auditActor } from '../auth/audit-actor.ts';
import { CONSOLE_ROLES, type ConsoleMember, type ConsoleMemberStore } from './console-members.ts';
import type { ConsoleSettingsStore } from './console-settings.ts';

const HttpUrl = Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://[^\\s#]+$' });
const SettingsBody = Type.Object(
  {
    issuer: Type.String({ ...HttpUrl, description: "the operator tenant's issuer" }),
    client_id: Type.String({ minLength: 1, maxLength: 255 }),
    client_secret: Type.String({ minLength: 16, maxLength: 512, description: 'stored sealed; never shown again' }),
    audience: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: "the resource server (RFC 8707 `resource`) the console's access tokens are for",
    }),
    console_url: Type.String({
      ...HttpUrl,
      description: 'where the console is served; its callback is {console_url}/console/callback',
    }),
  },
  { additionalProperties: false },
);
const SettingsView = Type.Object({
  issuer: Type.String(),
  client_id: Type.String(),
  audience: Type.String(),
  console_url: Type.String(),
});
const Sub = Type.String({ minLength: 1, maxLength: 255 });
const MemberBody = Type.Object(
  {
    role: Type.Union(
      CONSOLE_ROLES.map((r) => Type.Literal(r)),
      { description: 'owner, admin and viewer are operators; a tenant-admin is held to `tid`' },
    ),
    tid: Type.Optional(Tid),
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const MemberView = Type.Object({
  sub: Type.String(),
  role: Type.String(),
  tid: Type.Union([Type.String(), Type.Null()]),
  label: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});
const memberView = (m: ConsoleMember) => ({
  sub: m.sub,
  role: m.role,
  tid: m.tid,
  label: m.label,
  created_at: m.createdAt.toISOString(),
});

/**
 * The console's own API (`/console/rest/v1`): who the caller is (`me`, every
 * caller), and for the operator key or a console owner the console's sign-in
 * client (`settings`) and its members. Every change is audited.
 */
export function registerConsoleApi(
  root: FastifyInstance,
  deps: { db: Db; settings: ConsoleSettingsStore; members: ConsoleMemberStore; onSettingsChange: () => void },
): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/console/rest/v1/me',
    {
      schema: {
        summary: 'Who the caller is, and what its role lets it do',
        response: {
          200: Type.Object({
            kind: Type.String(),
            role: Type.String(),
            tid: Type.Union([Type.String(), Type.Null()]),
            sub: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const admin = request.admin!;
      return { kind: admin.kind, role: admin.role, tid: admin.tid, sub: admin.sub ?? null };
    },
  );

  app.get(
    '/console/rest/v1/settings',
    {
      config: { permission: 'console:manage' },
      schema: {
        summary: "The console's sign-in client (without its secret)",
        response: { 200: SettingsView, 404: ErrorBody },
      },
    },
    async () => {
      const s = await deps.settings.load();
      if (!s) throw new HttpError(404, 'not_found', 'No console is configured');
      return { issuer: s.issuer, client_id: s.clientId, audience: s.audience, console_url: s.consoleUrl };
    },
  );

  app.put(
    '/console/rest/v1/settings',
    {
      config: { permission: 'console:manage' },
      schema: {
        summary: "Set the console's sign-in client at the operator tenant",
        body: SettingsBody,
        response: { 204: { type: 'null', description: 'saved' }, 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const consoleUrl = b.console_url.replace(/\/+$/, '');
      await deps.settings.save({
        issuer: b.issuer,
        clientId: b.client_id,
        clientSecret: b.client_secret,
        audience: b.audience,
        consoleUrl,
      });
      deps.onSettingsChange();
      await appendAudit(deps.db, [
        {
          tid: null,
          actor: auditActor(request),
          action: 'console.settings_changed',
          target: 'console',
          details: { issuer: b.issuer, client_id: b.client_id, audience: b.audience, console_url: consoleUrl },
        },
      ]);
      return reply.code(204).send();
    },
  );

  app.get(
    '/console/rest/v1/members',
    {
      config: { permission: 'console:manage' },
      schema: {
        summary: 'Who may use the console, and as what',
        response: { 200: Type.Object({ members: Type.Array(MemberView) }) },
      },
    },
    async () => ({ members: (await deps.members.list()).map(memberView) }),
  );

  app.put(
    '/console/rest/v1/members/:sub',
    {
      config: { permission: 'console:manage' },
      schema: {
        summary: "Make an operator tenant's user a console member (or change its role)",
        params: Type.Object({ sub: Sub }),
        body: MemberBody,
        response: { 200: MemberView, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { sub } = request.params;
      const { role, tid, label } = request.body;
      if (role === 'tenant-admin' && !tid)
        throw new HttpError(400, 'invalid_request', 'A tenant-admin needs the tid of its tenant');
      if (role !== 'tenant-admin' && tid)
        throw new HttpError(400, 'invalid_request', `A ${role} acts on every tenant: leave tid out`);
      if (tid) {
        const tenant = await deps.db.selectFrom('tenants').select('tid').where('tid', '=', tid).executeTakeFirst();
        if (!tenant) throw new HttpError(404, 'not_found', `No tenant "${tid}"`);
      }
      const member = await deps.members.put({ sub, role, tid: tid ?? null, label: label ?? null });
      await appendAudit(deps.db, [
        {
          tid: tid ?? null,
          actor: auditActor(request),
          action: 'console.member_set',
          target: `console_member:${sub}`,
          details: { role, ...(tid ? { tid } : {}) },
        },
      ]);
      return memberView(member);
    },
  );

  app.delete(
    '/console/rest/v1/members/:sub',
    {
      config: { permission: 'console:manage' },
      schema: {
        summary: 'Remove a console member (its next call is refused)',
        params: Type.Object({ sub: Sub }),
        response: { 204: { type: 'null', description: 'removed' }, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { sub } = request.params;
      if (!(await deps.members.remove(sub))) throw new HttpError(404, 'not_found', `No console member "${sub}"`);
      await appendAudit(deps.db, [
        {
          tid: null,
          actor: auditActor(request),
          action: 'console.member_removed',
          target: `console_member:${sub}`,
          details: {},
        },
      ]);
      return reply.code(204).send();
    },
  );
}
