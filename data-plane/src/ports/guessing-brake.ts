/** One password about to be checked. */
export interface PasswordAttempt {
  tid: string;
  username: string;
  /** The client's address (tenancy/client-address.ts). */
  ip: string;
  /** The OAuth client that sent the password (password grant); absent on the hosted sign-in page. */
  clientId?: string;
}

export type Reservation =
  | {
      allowed: true /** The password was right: give back what a success should not cost. */;
      succeeded(): Promise<void>;
    }
  | { allowed: false /** Seconds until the limit that refused ends its window. */; retryAfter: number };

/**
 * The online password guessing brake (limits in brakes/guessing-limits.ts).
 *
 * Contract:
 * - `reserve` counts the attempt before its password is checked, atomically
 *   per counter, so parallel guesses cannot slip between a read and a write;
 *   an attempt over any limit is refused (with the seconds until its window
 *   ends) and must not be checked.
 * - `succeeded` clears the username's failures from that source.
 * - Counters hold hashes only (no usernames or client ids at rest).
 */
export interface GuessingBrake {
  reserve(attempt: PasswordAttempt): Promise<Reservation>;
}
