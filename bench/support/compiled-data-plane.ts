import { join } from 'node:path';
import { build } from '../../infra/build/build.ts';
import { DATA_PLANE_NODE_FLAGS } from '../../infra/build/node-flags.ts';
import { ROOT } from '../../infra/dev/services.ts';

const OUT = join(ROOT, '.cache', 'bench-dist');
let built: Promise<void> | undefined;

/** What the benchmarks run every server with: the shipped flags, or none with BENCH_NODE_FLAGS=none (to measure them). */
export const benchNodeFlags = (): readonly string[] =>
  process.env.BENCH_NODE_FLAGS === 'none' ? [] : DATA_PLANE_NODE_FLAGS;

/**
 * What the benchmarks run: the data plane as it ships (`npm run build`'s
 * esbuild bundle, run as infra/docker/entrypoint.sh runs it), not the
 * TypeScript through tsx, whose loader and name-keeping helpers the
 * production process never carries. Built once per benchmark run, into
 * .cache/bench-dist, from the working tree.
 */
export async function compiledDataPlaneArgs(): Promise<string[]> {
  built ??= build(OUT, ['data-plane']);
  await built;
  return ['--enable-source-maps', ...benchNodeFlags(), join(OUT, 'data-plane.js')];
}
