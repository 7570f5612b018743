import type { ChildProcess } from 'node:child_process';
import type { BenchScope } from './bench-scope.ts';
import { compiledDataPlaneArgs } from './compiled-data-plane.ts';
import { type PinnedChildren, profileArgs } from './pinned-children.ts';

/**
 * One Tessera data-plane node of the bench's scope on 127.0.0.1:`port`
 * (pinned to CPU 0), the compiled build in production mode with warnings only, once its health
 * check answers. `env` adds to (or overrides) the bench's environment.
 */
export async function startTesseraNode(
  children: PinnedChildren,
  scope: BenchScope,
  port: number,
  env: NodeJS.ProcessEnv = {},
): Promise<ChildProcess> {
  const node = children.start([...profileArgs(), ...(await compiledDataPlaneArgs())], {
    ...process.env,
    ...scope.nodeEnv(),
    DATA_PLANE_PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ...env,
  });
  await children.waitReady(
    'the data plane',
    node,
    async () => (await fetch(`http://127.0.0.1:${port}/monitor/v1/healthcheck`)).status === 200,
  );
  return node;
}
