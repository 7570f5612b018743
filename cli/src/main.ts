import { run } from './program.ts';

const code = await run(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(process.stderr.isTTY && s.startsWith('\r') ? s : `${s}\n`),
  env: process.env,
  tty: Boolean(process.stderr.isTTY),
});
process.exitCode = code;
