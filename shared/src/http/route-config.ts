/** Route options shared by both planes' plugins. */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** false for node-wide routes (monitoring) that the data plane serves without a tenant. */
    tenant?: boolean;
    /** true for the few routes served without credentials (health checks). */
    public?: boolean;
  }
}

export {};
