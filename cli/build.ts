import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/**
 * `npm pack` (prepack) and `npm run build -w cli`: one self-contained file,
 * dist/tessera.js, commander included, so the installed package needs
 * neither TypeScript nor any dependency at run time.
 */
const HERE = fileURLToPath(new URL('.', import.meta.url));
rmSync(`${HERE}dist`, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: HERE,
  entryPoints: { tessera: 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  // commander is CommonJS: its require() of node built-ins needs a real require in the ESM bundle.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
