import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflows } from '@tessera/control-plane/temporal/bundle';
import * as esbuild from 'esbuild';

/**
 * `npm run build`: the production JavaScript in dist/, run with plain `node`
 * (infra/docker/entrypoint.sh). One bundle per process, from the same entry
 * points `npm start` runs through tsx:
 *
 *   dist/data-plane.js     data-plane/src/main.ts
 *   dist/control-plane.js  control-plane/src/main.ts
 *   dist/worker.js         control-plane/src/worker-main.ts (Temporal worker)
 *   dist/migrate.js        shared/src/db/migrate-main.ts
 *   dist/reseal.js         shared/src/crypto/reseal-main.ts (re-seal under the current master key)
 *   dist/workflows.js      the Temporal workflow bundle (webpack, as the SDK requires)
 *
 * Why esbuild bundles rather than `tsc` emitting file by file: the workspaces
 * import each other as `@tessera/shared/x` with `.ts` specifiers, resolved by
 * package `exports` pointing at src/*.ts. Compiled per file, every package
 * would need `exports` conditions pointing at dist and a `--conditions` flag
 * at run time, changing how dev, tests and tsx resolve. Bundling our own code
 * (the `@tessera/*` workspaces and relative imports) leaves every
 * package.json as it is, while third-party packages stay external and load
 * from node_modules (`npm ci --omit=dev`), native addons included. It takes
 * about a second; type-checking stays with `npm run typecheck` (tsc).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dist');

export const ENTRY_POINTS = {
  'data-plane': 'data-plane/src/main.ts',
  'control-plane': 'control-plane/src/main.ts',
  worker: 'control-plane/src/worker-main.ts',
  migrate: 'shared/src/db/migrate-main.ts',
  reseal: 'shared/src/crypto/reseal-main.ts',
} as const;

export async function build(
  outDir = DIST,
  /** Only these processes, and no workflow bundle (the benchmarks build the data plane alone). */
  only?: ReadonlyArray<keyof typeof ENTRY_POINTS>,
): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: only ? Object.fromEntries(only.map((name) => [name, ENTRY_POINTS[name]])) : ENTRY_POINTS,
    outdir: outDir,
    // Code the processes share (settings, database, key stores) goes to chunks once.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    // Stack traces point at the TypeScript (the entry point runs node --enable-source-maps).
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [
      {
        // Bare specifiers are packages: external, except our own workspaces, which are compiled in.
        name: 'third-party-external',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@tessera/') ? undefined : { external: true },
          );
        },
      },
    ],
  });
  if (!only) await bundleWorkflows(join(outDir, 'workflows.js'));
}

// `--out-dir DIR`: build elsewhere (test/production-build.test.ts builds into a directory of its run).
if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const at = process.argv.indexOf('--out-dir');
  const outDir = at === -1 ? DIST : process.argv[at + 1];
  if (!outDir) throw new Error('--out-dir needs a directory');
  await build(outDir);
  console.log(`[build] ${outDir} written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
