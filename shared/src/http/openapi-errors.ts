/**
 * The `{error, error_description}` body as OpenAPI components, shared by the
 * control plane's document and the data plane's API documents: one `Error`
 * schema and a response per status, so generated clients get one error type.
 */

/** Status → the response component that describes it. */
export const ERROR_RESPONSES: Readonly<Record<string, { name: string; description: string }>> = {
  '400': {
    name: 'BadRequest',
    description: 'the request is invalid (the control plane: `errors` lists each problem with its path)',
  },
  '401': { name: 'Unauthorized', description: 'no valid bearer token' },
  '403': {
    name: 'Forbidden',
    description:
      "refused: the token may not do this, the tenant is suspended, or a plan's quota or monthly cap is reached",
  },
  '404': { name: 'NotFound', description: 'no such resource' },
  '409': { name: 'Conflict', description: 'the resource exists already or is in a state that forbids this' },
  '429': { name: 'TooManyRequests', description: 'over a rate limit; Retry-After says when to try again' },
};

export const ErrorSchema = {
  type: 'object',
  required: ['error', 'error_description'],
  properties: {
    error: { type: 'string', description: 'a short machine-readable code' },
    error_description: { type: 'string', description: 'what went wrong, for people' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** `#/components/responses/…` for a status, when there is a shared one. */
export function errorResponseRef(status: string): { $ref: string } | undefined {
  const shared = ERROR_RESPONSES[status];
  return shared ? { $ref: `#/components/responses/${shared.name}` } : undefined;
}

/** The components to merge into a document: the Error schema and one response per error status. */
export function errorComponents(): { schemas: Record<string, unknown>; responses: Record<string, unknown> } {
  return {
    schemas: { Error: ErrorSchema },
    responses: Object.fromEntries(
      Object.values(ERROR_RESPONSES).map(({ name, description }) => [
        name,
        { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      ]),
    ),
  };
}

/** The error components a document's paths use (an unused component is lint noise). */
export function usedErrorComponents(paths: unknown): {
  schemas: Record<string, unknown>;
  responses: Record<string, unknown>;
} {
  const text = JSON.stringify(paths);
  const { schemas, responses } = errorComponents();
  return {
    schemas,
    responses: Object.fromEntries(
      Object.entries(responses).filter(([name]) => text.includes(`"#/components/responses/${name}"`)),
    ),
  };
}
