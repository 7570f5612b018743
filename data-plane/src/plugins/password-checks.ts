import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { ldapPasswordCheck } from './ldap-password-check.ts';
import type { PasswordAttempt, PasswordCheckConfig, PasswordCheckRun } from './password-check.ts';
import { unavailableKind } from './slot-answer.ts';
import { slotConfigOf } from './slot-config.ts';
import { webhookPasswordCheck } from './webhook-password-check.ts';

type Kind = PasswordCheckConfig['type'];

/**
 * The kinds of password handler, by the slot config's `type`: the built-in
 * user directory (for the password grant, the node's password
 * authenticator when the deployment gave it one), the tenant's LDAP
 * directory (directory/ldap-directory.ts), a webhook, or (self-hosted) a
 * module with the webhook's contract, which the same run calls
 * (call-slot.ts). One line each.
 */
export const PASSWORD_CHECKS: { readonly [K in Kind]?: PasswordCheckRun<Extract<PasswordCheckConfig, { type: K }>> } = {
  directory: (deps, context, _config, attempt) =>
    (attempt.at === 'grant' ? (deps.oauth.passwordAuthenticator ?? deps.directory) : deps.directory).authenticate(
      context.tenant.tid,
      attempt.username,
      attempt.password,
    ),
  ldap: ldapPasswordCheck,
  webhook: webhookPasswordCheck,
  module: webhookPasswordCheck,
};

const DIRECTORY = { type: 'directory' } as const;

/**
 * Check a username and password with the tenant's password handler: the
 * built-in directory when the slot is not configured, else the configured
 * kind. Callers put the guessing brake (brakes/) first.
 */
export function verifyPassword(
  deps: DataPlaneDeps,
  context: TenantContext,
  attempt: PasswordAttempt,
): Promise<{ sub: string } | null> {
  const config = slotConfigOf(context, 'passwordGrant') ?? DIRECTORY;
  const run = PASSWORD_CHECKS[config.type] as PasswordCheckRun | undefined;
  if (!run) return Promise.reject(unavailableKind('passwordGrant', config.type));
  return run(deps, context, config, attempt);
}
