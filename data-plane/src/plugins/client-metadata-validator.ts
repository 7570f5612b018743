import type { Static } from '@sinclair/typebox';
import type { ClientMetadata } from '@tessera/shared/clients/client';
import type { ClientMetadataResult } from '@tessera/shared/clients/client-metadata';
import { type ErrorCode, HttpError } from '@tessera/shared/http/errors';
import type { MetadataRules } from '@tessera/shared/plugins/slots/client-metadata-validator';
import type { SlotInvoker } from '../ports/slot-invoker.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { callSlotTarget, type SlotTargetConfig } from './call-slot.ts';
import { slotConfigOf } from './slot-config.ts';

export type MetadataOperation = 'create' | 'update';

const REFUSALS = new Set(['invalid_client_metadata', 'invalid_redirect_uri']);
/** RFC 6749 §5.2 error_description characters. */
const DESCRIPTION = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,256}$/;

const refused = (error: ErrorCode, description: string) => new HttpError(400, error, description);
const broken = (detail: string) =>
  new HttpError(503, 'temporarily_unavailable', "The tenant's client metadata validator is unavailable", {
    headers: { 'cache-control': 'no-store', 'retry-after': '5' },
    detail: `clientMetadataValidator webhook answered out of contract: ${detail}`,
  });

/** Built-in: redirect URIs on the listed hosts only (exact names), and members every client must have. */
function checkRules(rules: Static<typeof MetadataRules>, metadata: ClientMetadata): void {
  if (rules.redirectUriHosts) {
    for (const uri of metadata.redirect_uris ?? []) {
      // The standard checks passed, so each is an absolute URI.
      const host = new URL(uri).hostname;
      if (!rules.redirectUriHosts.includes(host))
        throw refused('invalid_redirect_uri', `The redirect URI host ${host} is not allowed by the tenant`);
    }
  }
  for (const member of rules.requiredMembers ?? [])
    if (metadata[member] === undefined)
      throw refused('invalid_client_metadata', `The tenant requires the client metadata member ${member}`);
}

async function viaWebhook(
  invoker: SlotInvoker,
  tid: string,
  target: SlotTargetConfig,
  metadata: ClientMetadata,
  operation: MetadataOperation,
  revalidate: (metadata: Record<string, unknown>) => ClientMetadataResult,
): Promise<ClientMetadata | undefined> {
  const answer = await callSlotTarget(invoker, tid, 'clientMetadataValidator', target, { metadata, operation });
  if (answer === undefined) throw broken('no answer'); // the slot fails closed, so this is not expected
  if (answer.error !== undefined) {
    const description = answer.error_description;
    if (typeof answer.error !== 'string' || !REFUSALS.has(answer.error))
      throw broken('error must be invalid_client_metadata or invalid_redirect_uri');
    if (description !== undefined && (typeof description !== 'string' || !DESCRIPTION.test(description)))
      throw broken('error_description must be 1-256 printable ASCII characters without " or \\');
    throw refused(
      answer.error as ErrorCode,
      (description as string | undefined) ?? "The tenant's client policy refuses the metadata",
    );
  }
  if (answer.metadata === undefined) return undefined;
  if (typeof answer.metadata !== 'object' || answer.metadata === null || Array.isArray(answer.metadata))
    throw broken('metadata must be an object');
  // What the webhook made of the metadata passes the standard checks too: it cannot add what a client could not.
  const checked = revalidate(answer.metadata as Record<string, unknown>);
  if (!checked.ok)
    throw refused(checked.error, `The metadata as the tenant's validator shaped it is invalid: ${checked.description}`);
  return checked.metadata;
}

/**
 * The tenant's client metadata validator (plugin slot), after the standard
 * checks, at registration (`create`) and update: the built-in rules throw a
 * 400 with the RFC 7591 code; the webhook accepts, refuses, or answers the
 * metadata to store instead (checked again by `revalidate`). Fails closed.
 * Returns undefined (synchronously without a webhook) when the metadata
 * stays as it is.
 */
export function tenantMetadataCheck(
  context: TenantContext,
  invoker: SlotInvoker | undefined,
  metadata: ClientMetadata,
  operation: MetadataOperation,
  revalidate: (metadata: Record<string, unknown>) => ClientMetadataResult,
): undefined | Promise<ClientMetadata | undefined> {
  const config = slotConfigOf(context, 'clientMetadataValidator');
  if (!config) return undefined;
  if (config.type === 'builtin') return void checkRules(config, metadata);
  if (!invoker) throw new Error('clientMetadataValidator: no webhook invoker');
  return viaWebhook(invoker, context.tenant.tid, config, metadata, operation, revalidate);
}
