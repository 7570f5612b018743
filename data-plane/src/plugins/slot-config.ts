import type { Static } from '@sinclair/typebox';
import type { SLOTS, SlotName } from '@tessera/shared/plugins/slots/index';
import type { TenantContext } from '../tenancy/tenant-context.ts';

type SlotOf<N extends SlotName> = Extract<(typeof SLOTS)[number], { name: N }>;

/** The config of one slot as the tenant config holds it: a built-in or `{type: 'webhook', url, timeoutMs?}`. */
export type SlotConfig<N extends SlotName> = Static<SlotOf<N>['schema']>;

/**
 * A tenant's config of one slot, undefined when not configured (the
 * default behaviour). A property read: callers test it before doing
 * anything, so an absent slot costs no await and no allocation.
 */
export const slotConfigOf = <N extends SlotName>(context: TenantContext, name: N): SlotConfig<N> | undefined =>
  (context.tenant.config.plugins as Record<string, unknown>)[name] as SlotConfig<N> | undefined;
