import { randomBytes } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { HttpError, messageChain } from '@tessera/shared/http/errors';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';
import { SLOTS_BY_NAME } from '@tessera/shared/plugins/slots/index';
import type { LdapSource } from '@tessera/shared/plugins/slots/ldap-source';
import { Client, type ClientOptions, ResultCodeError } from 'ldapts';
import type { TenantSecrets } from '../ports/tenant-secrets.ts';
import { attributeValues, claimsFromEntry, type LdapEntry } from './ldap-claims.ts';
import { equalityFilter, userFilter } from './ldap-filter.ts';

/** A tenant's `ldap` slot config (shared/src/plugins/slots/ldap-source.ts). */
export type LdapSourceConfig = Static<typeof LdapSource>;

/** A narrow view of DataPlaneDeps: the data plane's deps can be passed as they are. */
export interface LdapDirectoryDeps {
  /** Where a tenant's directory URL may connect (private addresses only with CLIENT_FETCH_PRIVATE=allow). */
  outbound: OutboundPolicy;
  /** The service account's password by the name `bindPasswordSecret` gives. */
  tenantSecrets: TenantSecrets;
}

type LdapSlot = 'claimsSource' | 'passwordGrant';

/** Longer names are no one's; NUL and other C0 controls never reach a filter. */
const usable = (value: string) => value.length > 0 && value.length <= 256 && !/[\u0000-\u001f\u007f]/.test(value);

/**
 * A tenant's LDAP directory (through ldapts) as claims source and password
 * authenticator. One connection per call, closed afterwards (`timeoutMs`
 * bounds the whole call): connect, bind as the service account when the
 * config names one (its password is the tenant secret `bindPasswordSecret`),
 * search `baseDn` for exactly one entry, and for a password bind as that
 * entry's DN.
 *
 * - Wrong password and unknown user alike answer null after the same round
 *   trips (an unknown user costs a bind of a name that does not exist with a
 *   random password, as a wrong password costs the real one).
 * - An empty password is refused before anything is sent: LDAP takes a
 *   simple bind with a DN and no password as an unauthenticated bind and
 *   answers success (RFC 4513 §5.1.2).
 * - The username is escaped (RFC 4515) before it enters `userFilter`.
 * - Both slots fail closed: a directory that cannot be reached, times out,
 *   refuses the service account or has no `baseDn` is a 503
 *   temporarily_unavailable naming the slot; the private detail says what
 *   happened (never a password).
 */
export class LdapDirectory {
  readonly #deps: LdapDirectoryDeps;

  constructor(deps: LdapDirectoryDeps) {
    this.#deps = deps;
  }

  async authenticate(
    tid: string,
    config: LdapSourceConfig,
    username: string,
    password: string,
  ): Promise<{ sub: string } | null> {
    if (!password || !usable(username)) return null;
    const subjectAttribute = config.subjectAttribute ?? 'uid';
    return this.#withConnection('passwordGrant', tid, config, async (client) => {
      const entry = await findOne(client, config, userFilter(config.userFilter ?? '(uid={username})', username), [
        subjectAttribute,
      ]);
      const sub = entry ? attributeValues(entry, subjectAttribute)[0] : undefined;
      const dn = entry && sub !== undefined ? entry.dn : `cn=${randomBytes(12).toString('hex')},${config.baseDn}`;
      const secret = entry && sub !== undefined ? password : randomBytes(18).toString('base64url');
      try {
        await client.bind(dn, secret);
      } catch (err) {
        // The directory's answer about these credentials (invalid, locked, expired): not theirs to know which.
        if (err instanceof ResultCodeError) return null;
        throw err;
      }
      return entry && sub !== undefined ? { sub } : null;
    });
  }

  /** The mapped claims of the entry whose `subjectAttribute` is `sub`; null when there is none (or more than one). */
  async claims(tid: string, config: LdapSourceConfig, sub: string): Promise<Record<string, unknown> | null> {
    if (!usable(sub)) return null;
    const mapping = config.claims ?? {};
    return this.#withConnection('claimsSource', tid, config, async (client) => {
      const entry = await findOne(
        client,
        config,
        equalityFilter(config.subjectAttribute ?? 'uid', sub),
        Object.values(mapping),
      );
      return entry ? claimsFromEntry(entry, mapping) : null;
    });
  }

  async #withConnection<T>(
    slot: LdapSlot,
    tid: string,
    config: LdapSourceConfig,
    work: (client: Client) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = config.timeoutMs ?? 2000;
    let client: Client | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      client = this.#client(config, timeoutMs);
      const connected = client;
      const call = (async () => {
        if (config.bindDn) await connected.bind(config.bindDn, await this.#bindPassword(tid, config));
        return work(connected);
      })();
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      call.catch(() => {}); // its failure after the deadline has nowhere to go
      return await Promise.race([call, deadline]);
    } catch (err) {
      throw unavailable(slot, config, err);
    } finally {
      clearTimeout(timer);
      // Closes the socket whatever state the call left it in.
      client?.unbind().catch(() => {});
    }
  }

  #client(config: LdapSourceConfig, timeoutMs: number): Client {
    const url = new URL(config.url);
    // A literal address is not looked up, so the policy judges it here; a name is judged by `lookup` on connect.
    this.#deps.outbound.checkLiteralHost(url);
    const { outbound } = this.#deps;
    const options = { url: config.url, timeout: timeoutMs, connectTimeout: timeoutMs };
    // ldaps: the default (global) CA store and the host name checked. Any TLS option makes ldapts use TLS,
    // so they are given for ldaps only.
    return url.protocol === 'ldaps:'
      ? new Client({ ...options, tlsOptions: { lookup: outbound.lookup } })
      : new Client({
          ...options,
          // ldapts calls it as (port, host), one of net.connect's overloads.
          createConnection: ((port: number, host: string) =>
            outbound.connect(port, host)) as ClientOptions['createConnection'],
        });
  }

  async #bindPassword(tid: string, config: LdapSourceConfig): Promise<string> {
    const name = config.bindPasswordSecret;
    const value = name ? await this.#deps.tenantSecrets.get(tid, name) : undefined;
    if (!value) throw new Error(name ? `the tenant secret ${name} is not set` : 'bindDn without bindPasswordSecret');
    return value;
  }
}

/** The one entry the filter finds under baseDn (none, or more than one: undefined). */
async function findOne(
  client: Client,
  config: LdapSourceConfig,
  filter: string,
  attributes: string[],
): Promise<LdapEntry | undefined> {
  const { searchEntries } = await client.search(config.baseDn, {
    scope: 'sub',
    filter,
    // `1.1`: no attributes (RFC 4511 §4.5.1.8) when the mapping names none.
    attributes: attributes.length ? [...new Set(attributes)] : ['1.1'],
    sizeLimit: 2,
    timeLimit: Math.max(1, Math.ceil((config.timeoutMs ?? 2000) / 1000)),
  });
  return searchEntries.length === 1 ? (searchEntries[0] as LdapEntry) : undefined;
}

/** The slot's fail-closed answer; what happened goes to the private detail only. */
function unavailable(slot: LdapSlot, config: LdapSourceConfig, err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const title = SLOTS_BY_NAME.get(slot)!.title.toLowerCase();
  return new HttpError(503, 'temporarily_unavailable', `The tenant's ${title} is unavailable`, {
    headers: { 'cache-control': 'no-store', 'retry-after': '5' },
    detail: `${slot} ldap ${new URL(config.url).host}: ${messageChain(err) ?? String(err)}`,
  });
}
