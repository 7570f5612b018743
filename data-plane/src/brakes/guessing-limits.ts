/**
 * The online password guessing limits, shared by the hosted sign-in page and
 * the password grant (both check the same accounts, so they share counters:
 * two doors do not give twice the guesses). Each limit is a fixed window that
 * starts at its first count.
 *
 * - `userAtSource` (10 failures / 15 min for one username from one source):
 *   the brake a single attacker meets first. Keyed by source as well, so an
 *   attacker who burns it locks the username out only for their own address,
 *   not for the real user elsewhere. Cleared by a successful sign-in.
 * - `user` (100 failures / hour for one username from all sources): caps a
 *   distributed attack on one account at 2,400 guesses a day (NIST SP 800-63B
 *   §5.2.2 asks for no more than 100 consecutive failures). The trade-off: an
 *   attacker with three sources or more (each within its userAtSource limit)
 *   can keep one username refused everywhere for as long as they keep
 *   sending. A successful sign-in gives its point back: only failures count.
 * - `source` (100 password checks / 15 min for one source in one tenant):
 *   stops one address spraying one password over many usernames. A source is
 *   an IP address (an IPv6 /64, what one host usually gets) and, for the
 *   password grant, the client as well. On the sign-in page it counts every
 *   check, successes included, or an attacker with one real account could
 *   buy a failure with each sign-in of their own. For the password grant it
 *   counts failures only: there the source is a client's server, which signs
 *   in all of that client's users; a client trading real sign-ins for
 *   guesses still meets the per-username and tenant limits.
 * - `tenant` (1,000 password checks / minute for the whole tenant): caps
 *   spraying from many addresses, and the scrypt work one tenant can cause
 *   (~40 ms of a core per check). A botnet can use it to hold a tenant's
 *   password sign-ins for the rest of a minute: the price of a finite cap.
 */
export interface GuessingLimit {
  /** Counts allowed in the window; the next one is refused unchecked. */
  points: number;
  /** Window length in seconds. */
  duration: number;
}

export const GUESSING_LIMITS = {
  userAtSource: { points: 10, duration: 15 * 60 },
  user: { points: 100, duration: 60 * 60 },
  source: { points: 100, duration: 15 * 60 },
  tenant: { points: 1000, duration: 60 },
} as const satisfies Record<string, GuessingLimit>;
