import type { Server, ServerOptions } from 'node:http';

/** How long a client may take and how many connections a process holds (settings `HTTP_*`, docs/deployment.md). */
export interface HttpLimits {
  /** The whole header section must arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this; else 408 and the connection closes. */
  requestTimeoutMs: number;
  /** A connection silent this long (no bytes either way, no request started) is closed. */
  idleTimeoutMs: number;
  /** Connections past this many are closed as they arrive. */
  maxConnections: number;
}

/**
 * The fastify options that put HttpLimits on the server fastify creates (or
 * hands to a serverFactory). node checks the header and request deadlines on
 * a timer, every `connectionsCheckingInterval`: a fraction of the shorter
 * deadline, so a request is cut off close to its deadline, not up to 30 s
 * (node's default interval) later.
 */
export function serverLimitOptions(limits: HttpLimits): {
  http: ServerOptions;
  requestTimeout: number;
  connectionTimeout: number;
} {
  return {
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
  };
}

/** The connection limit: node's net.Server drops connections past it before any byte is read. */
export function limitConnections(server: Server, limits: HttpLimits): void {
  server.maxConnections = limits.maxConnections;
}
