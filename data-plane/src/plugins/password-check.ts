import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { SlotConfig } from './slot-config.ts';

/** A username and password typed at the password grant (with its client) or the hosted sign-in page. */
export interface PasswordAttempt {
  /** Where it was typed: the node's password authenticator, when it was given one, serves the grant only. */
  at: 'grant' | 'sign-in';
  username: string;
  password: string;
  clientId?: string;
}

export type PasswordCheckConfig = SlotConfig<'passwordGrant'>;

/**
 * One kind of password handler (`type` of the passwordGrant slot's config,
 * registered in password-checks.ts): the subject, or null for wrong
 * credentials (an unknown name and a wrong password alike).
 */
export type PasswordCheckRun<C extends PasswordCheckConfig = PasswordCheckConfig> = (
  deps: DataPlaneDeps,
  context: TenantContext,
  config: C,
  attempt: PasswordAttempt,
) => Promise<{ sub: string } | null>;
