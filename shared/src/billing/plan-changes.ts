import type { Redis } from 'ioredis';

/**
 * A plan's quotas changed: every data-plane node re-reads the plans (a
 * message names the plan only; nodes also re-read on their periodic resync,
 * so a lost message costs at most one resync interval).
 */
export const planChangeChannel = (prefix: string) => `${prefix}plan-changes`;

export async function publishPlanChange(redis: Redis, prefix: string, planId: string): Promise<void> {
  await redis.publish(planChangeChannel(prefix), JSON.stringify({ plan: planId }));
}
