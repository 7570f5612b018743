import type { FastifyRequest } from 'fastify';

/**
 * Who the audit log says acted (docs/audit.md): `operator` for the operator
 * key, `admin:<jti>` for an admin JWT (its id, never the token),
 * `console:<sub>` for a console member (its subject at the operator tenant), `system`
 * when no caller is known (a workflow, a job).
 */
export function auditActor(request: Pick<FastifyRequest, 'admin'>): string {
  const admin = request.admin;
  if (!admin) return 'system';
  if (admin.kind === 'operator') return 'operator';
  if (admin.kind === 'console') return `console:${admin.sub}`;
  return admin.tokenId ? `admin:${admin.tokenId}` : 'system';
}
