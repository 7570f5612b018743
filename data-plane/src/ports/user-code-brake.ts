import type { Reservation } from './guessing-brake.ts';

/**
 * The brake on guessing device user codes (brakes/user-code-brake.ts).
 *
 * Contract:
 * - `reserve` counts a user code entry from one source (the address's
 *   network, brakes/password-brake.ts `sourceNetwork`) in one tenant before
 *   the code is looked up, atomically; over the limit the entry is refused
 *   (with the seconds until the window ends) and must not be looked up.
 * - `succeeded` gives the count back: only wrong codes use up the allowance.
 * - Counters are per tenant: one tenant's guesses never brake another's.
 */
export interface UserCodeBrake {
  reserve(attempt: { tid: string; ip: string }): Promise<Reservation>;
}
