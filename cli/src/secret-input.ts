import { CliError, EXIT } from './exit-codes.ts';

/**
 * A secret (a password) from standard input or an environment variable,
 * never from argv: a command line is visible to every user of the machine
 * (ps) and kept in shell history. One trailing newline of stdin is dropped.
 */
export async function readSecret(options: {
  fromStdin: boolean;
  stdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  envName: string;
  what: string;
  stdinFlag: string;
}): Promise<string> {
  const secret = options.fromStdin ? (await options.stdin()).replace(/\r?\n$/, '') : options.env[options.envName];
  if (!secret) {
    throw new CliError(
      `${options.what} is missing: pipe it to ${options.stdinFlag}, or set ${options.envName}`,
      EXIT.usage,
    );
  }
  return secret;
}
