import { Type } from '@sinclair/typebox';

export const ErrorBody = Type.Object(
  {
    error: Type.String(),
    error_description: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'Error' },
);

export const Alias = Type.Object(
  {
    issuer: Type.String({ maxLength: 2000 }),
    mode: Type.Union([Type.Literal('MIGRATION'), Type.Literal('PERSISTED_GRANT_ISOLATION')], { default: 'MIGRATION' }),
  },
  { additionalProperties: false },
);

export const TenantView = Type.Object({
  tid: Type.String(),
  name: Type.String(),
  issuer: Type.String(),
  status: Type.String(),
  status_reason: Type.Union([Type.String(), Type.Null()], {
    description: 'why the tenant is in its status, e.g. what made provisioning fail',
  }),
  plan: Type.String(),
  attrs: Type.Record(Type.String(), Type.Unknown()),
  config: Type.Record(Type.String(), Type.Unknown()),
  config_version: Type.Integer(),
  aliases: Type.Array(Type.Object({ issuer: Type.String(), mode: Type.String() })),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  api_token: Type.Optional(Type.String({ description: 'first integration API token; shown once, on creation' })),
});

/** A free-form JSON object: the config is checked by the one validator, not by the route schema. */
export const JsonObject = Type.Record(Type.String(), Type.Unknown());

export const Tid = Type.String({ minLength: 1, maxLength: 63 });
export const TidParams = Type.Object({ tid: Tid });

/** `?wait=true`: answer when the workflow is done (within 30 s) instead of at once. */
export const WaitQuery = Type.Object({ wait: Type.Boolean({ default: false }) });
