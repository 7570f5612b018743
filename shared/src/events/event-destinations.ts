import { createHash } from 'node:crypto';
import type { TenantConfig } from '../config/tenant-config.ts';
import { SLOTS } from '../plugins/slots/index.ts';
import type { EventType } from './event-types.ts';

/** Where one event goes: a URL and who configured it (`events.endpoints` or an event-listener slot). */
export interface EventDestination {
  url: string;
  /** `endpoint` or the slot's name (`tokenIssueEvents`, …). */
  source: string;
  /** The slot's per-call timeout, when it sets one. */
  timeoutMs?: number;
}

/** The event-listener slots (those with `events`), from the slot table. */
const LISTENER_SLOTS = SLOTS.filter((s) => 'events' in s && s.events !== undefined) as readonly {
  name: string;
  events: readonly string[];
  timeoutMs: number;
}[];

/**
 * Where a tenant's event of `type` is delivered (docs/events.md): each of
 * its `events.endpoints` whose `types` include it, then each event-listener
 * slot (`plugins.tokenIssueEvents`, `plugins.authEvents`,
 * `plugins.clientAuthInterceptor`) configured as a webhook whose events
 * include it. A URL named twice receives the event once (the first wins).
 */
export function destinationsFor(config: TenantConfig, type: EventType): EventDestination[] {
  const found: EventDestination[] = [];
  const seen = new Set<string>();
  const add = (destination: EventDestination) => {
    if (seen.has(destination.url)) return;
    seen.add(destination.url);
    found.push(destination);
  };
  for (const endpoint of config.events.endpoints)
    if ((endpoint.types as readonly string[]).includes(type)) add({ url: endpoint.url, source: 'endpoint' });
  const plugins = config.plugins as Record<string, { type?: string; url?: string; timeoutMs?: number } | undefined>;
  for (const slot of LISTENER_SLOTS) {
    const target = plugins[slot.name];
    if (target?.type !== 'webhook' || typeof target.url !== 'string' || !slot.events.includes(type)) continue;
    add({ url: target.url, source: slot.name, timeoutMs: target.timeoutMs ?? slot.timeoutMs });
  }
  return found;
}

/**
 * Whether any destination of the tenant takes `type` (no allocation: the
 * request path asks it before raising an event only listeners want).
 */
export function listensTo(config: TenantConfig, type: EventType): boolean {
  for (const endpoint of config.events.endpoints) if ((endpoint.types as readonly string[]).includes(type)) return true;
  const plugins = config.plugins as Record<string, { type?: string } | undefined>;
  for (const slot of LISTENER_SLOTS)
    if (plugins[slot.name]?.type === 'webhook' && slot.events.includes(type)) return true;
  return false;
}

/**
 * The delivery id of an event at a destination: the event id and a digest
 * of the URL. BullMQ's job id, so queuing the same delivery twice (a relay
 * that crashed before acknowledging) makes one job.
 */
export const deliveryId = (eventId: string, url: string): string =>
  `${eventId}-${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;

export const DELIVERY_ID_PATTERN = '^[0-9A-HJKMNP-TV-Z]{26}-[0-9a-f]{16}$';
