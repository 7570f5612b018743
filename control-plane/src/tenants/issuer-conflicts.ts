/**
 * When two issuer URLs cannot both be served. The data plane resolves a
 * request by the longest issuer-URL path prefix on segment boundaries
 * (data-plane/src/tenancy/resolve-request.ts), so an issuer that is a
 * path-segment prefix of another captures nothing, but one *below* another
 * captures that part of its URL space: `https://h/b/token` as an issuer turns
 * the token endpoint of `https://h/b` into a 404. Hence: no issuer may nest
 * with another on the same origin, in either direction (`/a` and `/a/b`
 * conflict; `/a` and `/ab` do not).
 */

/** An issuer as the data plane matches it: its origin and its path segments. */
export interface IssuerParts {
  /** `scheme://host[:port]`, lower case, without a default port. */
  origin: string;
  segments: string[];
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** RFC 3986 §6.2.2: `%41` is `A`, and `%2f` is `%2F`, so a proxy that normalises cannot tell them apart either. */
function normaliseSegment(segment: string): string {
  return segment.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/** The parts of an issuer URL (one that passed `issuerProblem`; anything `URL` parses works). */
export function issuerParts(issuer: string): IssuerParts {
  // URL lower-cases scheme and host and drops default ports; issuers carry no query or fragment.
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return {
    origin: `${url.protocol}//${url.host}`,
    segments: path === '' ? [] : path.slice(1).split('/').map(normaliseSegment),
  };
}

/** How `a` relates to `b`: the same issuer, a prefix of it (`above`), below it, or apart. */
export function issuerRelation(a: string, b: string): 'same' | 'above' | 'below' | 'apart' {
  const pa = issuerParts(a);
  const pb = issuerParts(b);
  if (pa.origin !== pb.origin) return 'apart';
  const shared = Math.min(pa.segments.length, pb.segments.length);
  for (let i = 0; i < shared; i++) if (pa.segments[i] !== pb.segments[i]) return 'apart';
  if (pa.segments.length === pb.segments.length) return 'same';
  return pa.segments.length < pb.segments.length ? 'above' : 'below';
}

/** The first of `held` that `issuer` is the same as or nests with, if any. */
export function findConflict<T extends { issuer: string }>(
  issuer: string,
  held: Iterable<T>,
): (T & { relation: 'same' | 'above' | 'below' }) | undefined {
  for (const entry of held) {
    const relation = issuerRelation(issuer, entry.issuer);
    if (relation !== 'apart') return { ...entry, relation };
  }
  return undefined;
}
