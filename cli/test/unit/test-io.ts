import type { Io } from '../../src/program.ts';

/** An `Io` for running the CLI in a test: what it prints is collected, stdin is `stdin` when given. */
export function io(env: NodeJS.ProcessEnv, stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const value: Io = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    env,
    tty: false,
    pollMs: 10,
    ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
  };
  return { io: value, out, err };
}
