import type { FastifyRequest, FastifyServerOptions } from 'fastify';

/**
 * Logger options for both planes. Requests are logged by method and path only
 * (never the query string, which can carry codes and tokens), and any header
 * or body member that can hold a secret is redacted should it be logged.
 */
export function loggerOptions(name: string): FastifyServerOptions['logger'] {
  const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info');
  return {
    name,
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers.dpop',
        'headers.authorization',
        'headers.cookie',
        '*.password',
        '*.client_secret',
        '*.api_token',
        '*.apiToken',
        '*.access_token',
        '*.refresh_token',
        '*.code',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        path: req.url.split('?')[0],
        host: req.headers.host,
      }),
    },
  };
}
