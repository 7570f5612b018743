/** Route options shared by both planes' plugins. */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** false for node-wide routes (monitoring) that the data plane serves without a tenant. */
    tenant?: boolean;
    /** true for the few routes served without credentials (health checks). */
    public?: boolean;
    /** true for routes that check a credential of their own (metrics: the monitoring token), not the plane's API auth. */
    ownCredentials?: boolean;
  }
}

export {};
