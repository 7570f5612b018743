import { type Kysely, sql } from 'kysely';

/**
 * The config check no longer accepts grants the product cannot run (JWT
 * and SAML bearer, token exchange, device code, CIBA: docs/plugins/): they
 * are taken out of every stored config version, which could name them
 * before and would otherwise no longer load. No tenant could use them.
 */
const UNBUILT = [
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:openid:params:grant-type:ciba',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE tenant_configs
       SET config = jsonb_set(config, '{grants,grantTypes}', (
             SELECT coalesce(jsonb_agg(g ORDER BY n), '[]'::jsonb)
               FROM jsonb_array_elements(config -> 'grants' -> 'grantTypes') WITH ORDINALITY AS t(g, n)
              WHERE NOT (g #>> '{}' = ANY (${UNBUILT}::text[]))))
     WHERE jsonb_typeof(config -> 'grants' -> 'grantTypes') = 'array'
       AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(config -> 'grants' -> 'grantTypes') AS u(v)
                    WHERE v = ANY (${UNBUILT}::text[]))`.execute(db);
}
