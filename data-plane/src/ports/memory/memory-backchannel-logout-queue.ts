import type { BackchannelLogoutJob, BackchannelLogoutQueue } from '../backchannel-logout-queue.ts';

/** Logout notices kept in process memory, in order, for unit tests to read (`jobs`); none is delivered. */
export class MemoryBackchannelLogoutQueue implements BackchannelLogoutQueue {
  readonly jobs: BackchannelLogoutJob[] = [];

  async enqueue(jobs: readonly BackchannelLogoutJob[]): Promise<void> {
    for (const job of jobs) if (!this.jobs.some((j) => j.jti === job.jti)) this.jobs.push({ ...job });
  }
}
