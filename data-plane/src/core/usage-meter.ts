/**
 * Where a step says what an exchange used (docs/billing.md): tokens issued
 * by grant type (`tokens:<grant_type>`), an authorisation, a sign-in, an
 * introspection, each with the subject it was for when there is one. The
 * exchange keeps them; the meterUsage policy (core/policies/meter-usage.ts)
 * counts them only if the answer succeeded.
 */
export interface UsageMeter {
  meter(dimension: string, sub?: string): void;
}
