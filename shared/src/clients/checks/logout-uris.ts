import { fail, has, type MetadataCheck } from './metadata-check.ts';
import { LOOPBACK_HOSTS, schemeOf, webUri } from './uris.ts';
import { boolean } from './values.ts';

/**
 * A logout URI the server calls or frames (Front-Channel Logout 1.0 §2,
 * Back-Channel Logout 1.0 §2.2): absolute http(s) with a host, no fragment,
 * https unless on loopback (as redirect URIs may be for development and
 * native apps).
 */
function logoutUri(value: unknown, member: string): string {
  const uri = webUri(value, member, { httpsOnly: false, noFragment: true });
  if (schemeOf(uri) === 'http' && !LOOPBACK_HOSTS.has(new URL(uri).hostname))
    fail(`${member} must use https (http only for localhost, 127.0.0.1 or [::1]): ${uri}`);
  return uri;
}

/** Where a flag defaults to false (both specifications) it is filled in once its URI is registered. */
function sessionRequired(s: Parameters<MetadataCheck>[0], flag: string, uriMember: string): void {
  if (has(s, flag)) s.metadata[flag] = boolean(s.body[flag], flag);
  else if (s.metadata[uriMember] !== undefined) s.metadata[flag] = false;
}

/** Front-Channel Logout 1.0 §2: the URI's scheme, host and port are those of a registered redirect URI. */
export const checkFrontchannelLogoutUri: MetadataCheck = (s) => {
  if (!has(s, 'frontchannel_logout_uri')) return;
  const uri = logoutUri(s.body.frontchannel_logout_uri, 'frontchannel_logout_uri');
  const origin = new URL(uri).origin;
  const origins = (s.metadata.redirect_uris ?? []).map((r) => URL.parse(r)?.origin);
  if (!origins.includes(origin))
    fail(`frontchannel_logout_uri must have the scheme, host and port of a registered redirect URI: ${uri}`);
  s.metadata.frontchannel_logout_uri = uri;
};

export const checkFrontchannelLogoutSessionRequired: MetadataCheck = (s) =>
  sessionRequired(s, 'frontchannel_logout_session_required', 'frontchannel_logout_uri');

export const checkBackchannelLogoutUri: MetadataCheck = (s) => {
  if (has(s, 'backchannel_logout_uri'))
    s.metadata.backchannel_logout_uri = logoutUri(s.body.backchannel_logout_uri, 'backchannel_logout_uri');
};

export const checkBackchannelLogoutSessionRequired: MetadataCheck = (s) =>
  sessionRequired(s, 'backchannel_logout_session_required', 'backchannel_logout_uri');
