import type { Static } from '@sinclair/typebox';
import type { JwtClaimsRenaming } from '@tessera/shared/plugins/slots/jwt-claims-codec';

type Claims = Record<string, unknown>;

/** The built-in JWT claims codec of one tenant config, compiled. */
export interface ClaimsRenaming {
  /** The claims as the token carries them. */
  encode(claims: Claims): Claims;
  /** The claims under the names the product reads (token-inspection.ts); the scope in whichever form it was written. */
  decode(claims: Claims): Claims;
}

/** The scope claim: `scp` (an array) in the c2id profiles, `scope` (a string) in RFC 9068's. */
function formatScope(claims: Claims, format: 'array' | 'string' | undefined): void {
  if (format === 'string' && Array.isArray(claims.scp)) claims.scp = claims.scp.join(' ');
  else if (format === 'array' && typeof claims.scope === 'string')
    claims.scope = claims.scope.split(' ').filter(Boolean);
}

function renamed(claims: Claims, names: ReadonlyMap<string, string>): Claims {
  const out: Claims = {};
  for (const name in claims) out[names.get(name) ?? name] = claims[name];
  return out;
}

function compile(config: Static<typeof JwtClaimsRenaming>): ClaimsRenaming {
  const forward = new Map(Object.entries(config.rename ?? {}));
  const backward = new Map([...forward].map(([from, to]) => [to, from]));
  const format = config.scopeFormat;
  return {
    encode(claims) {
      if (format) formatScope(claims, format);
      return forward.size ? renamed(claims, forward) : claims;
    },
    decode(claims) {
      return backward.size ? renamed(claims, backward) : claims;
    },
  };
}

// Keyed by the config object, which lives as long as the tenant's loaded config: compiled once per config change.
const compiled = new WeakMap<object, ClaimsRenaming>();

/** The built-in codec (`rename`, `scopeFormat`) of a slot config, compiled on first use. */
export function claimsRenaming(config: Static<typeof JwtClaimsRenaming>): ClaimsRenaming {
  let codec = compiled.get(config);
  if (!codec) {
    codec = compile(config);
    compiled.set(config, codec);
  }
  return codec;
}
