import type { ClientMetadata } from '@tessera/shared/clients/client';
import { HttpError } from '@tessera/shared/http/errors';
import { fetchLimited } from '@tessera/shared/http/fetch-limited';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';

const MAX_DOCUMENT_BYTES = 50_000;
const TIMEOUT_MS = 5000;

const invalid = (description: string, cause?: unknown) =>
  new HttpError(400, 'invalid_client_metadata', description, { cause });

/**
 * OpenID Connect Core §8.1 / Registration §5: a client's https
 * `sector_identifier_uri` must answer a JSON array of URIs that contains
 * every one of its redirect URIs, so that clients sharing a sector prove
 * they belong together. Provider-managed `urn:c2id:sector_id:` sectors are
 * vouched for by whoever holds the master token; nothing is fetched.
 */
export async function checkSectorIdentifier(metadata: ClientMetadata, policy: OutboundPolicy): Promise<void> {
  const uri = metadata.sector_identifier_uri;
  if (typeof uri !== 'string' || uri.startsWith('urn:')) return;
  let listed: unknown;
  try {
    listed = JSON.parse(
      (
        await fetchLimited(uri, {
          timeoutMs: TIMEOUT_MS,
          maxBytes: MAX_DOCUMENT_BYTES,
          accept: 'application/json',
          policy,
        })
      ).body,
    );
  } catch (err) {
    // fetchLimited's reasons are public ones (the network's own message is the cause, logged); a parse error describes the document.
    throw invalid(
      `The sector_identifier_uri could not be retrieved as JSON (${err instanceof Error ? err.message : 'error'})`,
      err,
    );
  }
  if (!Array.isArray(listed) || !listed.every((u) => typeof u === 'string'))
    throw invalid('The sector_identifier_uri document must be a JSON array of URIs');
  const missing = (metadata.redirect_uris ?? []).find((u) => !listed.includes(u));
  if (missing) throw invalid(`The redirect URI ${missing} is not listed in the sector_identifier_uri document`);
}
