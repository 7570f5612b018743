import { fail, has, type MetadataCheck } from './metadata-check.ts';
import { webUri } from './uris.ts';
import { string } from './values.ts';

/** Provider-managed pairwise sectors (Connect2id): no document is fetched for them. */
export const PROVIDER_SECTOR_URN = /^urn:c2id:sector_id:[A-Za-z0-9._~-]{1,200}$/;

/** OpenID Connect Core §8: public or pairwise subjects. */
export const checkSubjectType: MetadataCheck = (s) => {
  if (!has(s, 'subject_type')) return;
  const type = string(s.body.subject_type, 'subject_type');
  if (type !== 'public' && type !== 'pairwise') fail('subject_type must be "public" or "pairwise"');
  s.metadata.subject_type = type;
};

/**
 * An https document listing the client's redirect URIs (fetched by the
 * registration endpoint, the one place that may do I/O), or a
 * provider-managed sector URN, which takes the master token unless the
 * client keeps the one it has.
 */
export const checkSectorIdentifierUri: MetadataCheck = (s) => {
  if (!has(s, 'sector_identifier_uri')) return;
  const uri = string(s.body.sector_identifier_uri, 'sector_identifier_uri');
  if (uri.startsWith('urn:')) {
    if (!PROVIDER_SECTOR_URN.test(uri)) fail('sector_identifier_uri must be an https URL or urn:c2id:sector_id:<id>');
    if (!s.options.privileged && uri !== s.options.currentSectorIdentifierUri)
      fail('a provider-managed sector_identifier_uri requires the registration master token');
  } else {
    webUri(uri, 'sector_identifier_uri', { httpsOnly: true, noFragment: true });
  }
  s.metadata.sector_identifier_uri = uri;
};

/** Core §8.1: without a sector identifier, the sector is the redirect URIs' one host. */
export const checkPairwiseSector: MetadataCheck = (s) => {
  if (s.metadata.subject_type !== 'pairwise' || s.metadata.sector_identifier_uri !== undefined) return;
  const hosts = new Set(
    (s.metadata.redirect_uris ?? []).map((u) => {
      try {
        return new URL(u).host;
      } catch {
        return u;
      }
    }),
  );
  if (hosts.size > 1)
    fail('a pairwise client with redirect_uris on several hosts must register a sector_identifier_uri');
};
