/** The CLI's exit codes: documented in docs/cli.md and stable, so scripts can branch on them. */
export const EXIT = {
  ok: 0,
  /** The control plane refused the request (4xx other than auth/not found), or a check found problems. */
  refused: 1,
  /** The command line itself is wrong (unknown command or option, missing argument, unreadable file). */
  usage: 2,
  /** 401 or 403: the credential is missing, wrong, expired, or lacks the permission. */
  auth: 3,
  /** 404: the tenant (or alias, migration, token) does not exist. */
  notFound: 4,
  /** 5xx, or the control plane could not be reached. */
  server: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line on stderr and ends with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** Extra lines (e.g. every problem of a configuration), printed after the message. */
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/**
 * The exit code for an HTTP status (and `error` code) the control plane
 * answered with. A 403 that is not about the credential (`quota_exceeded`,
 * `domain_not_verified`) is a refusal like a 409, not an auth failure.
 */
export function exitCodeForStatus(status: number, error?: string): ExitCode {
  if (status < 400) return EXIT.ok;
  if (status === 401) return EXIT.auth;
  if (status === 403) return error === undefined || error === 'forbidden' ? EXIT.auth : EXIT.refused;
  if (status === 404) return EXIT.notFound;
  if (status >= 500) return EXIT.server;
  return EXIT.refused;
}
