import type { FastifyInstance } from 'fastify';
import { type DestinationStream, type Logger, pino } from 'pino';

/** `TESSERA_ACCESS_LOG=on|off` (default on) and `TESSERA_ACCESS_LOG_SAMPLE` (0..1, default 1: every request). */
export interface AccessLogSettings {
  enabled: boolean;
  /** The share of successful answers logged; errors (status ≥ 400) always are. */
  sample: number;
}

export function accessLogSettings(env: NodeJS.ProcessEnv = process.env): AccessLogSettings {
  const switch_ = env.TESSERA_ACCESS_LOG || 'on';
  if (switch_ !== 'on' && switch_ !== 'off') throw new Error('TESSERA_ACCESS_LOG must be on or off');
  const sample =
    env.TESSERA_ACCESS_LOG_SAMPLE === undefined || env.TESSERA_ACCESS_LOG_SAMPLE === ''
      ? 1
      : Number(env.TESSERA_ACCESS_LOG_SAMPLE);
  if (!(sample >= 0 && sample <= 1)) throw new Error('TESSERA_ACCESS_LOG_SAMPLE must be a number from 0 to 1');
  return { enabled: switch_ === 'on', sample };
}

/**
 * One request's line. Only what cannot hold a secret: the route's name (not
 * the raw path, which can carry ids and tokens; never a query string), no
 * header, no body; the tenant only once it was resolved (a made-up tenant id
 * in a URL is not one).
 */
export interface AccessEntry {
  reqId: string;
  tenant: string | undefined;
  route: string;
  method: string;
  status: number;
  /** From the request's arrival to its answer being written. */
  ms: number;
  /** The answer's body length (Content-Length), when known. */
  bytes: number | undefined;
  /** The client: the peer, or what the nearest trusted proxy saw. */
  ip: string;
}

/** The access log: JSON lines through pino (its own logger: no redaction paths or serializers to walk). */
export class AccessLog {
  readonly #logger: Logger;
  readonly #sample: number;

  /** `destination`: where lines go (default stdout, at LOG_LEVEL's threshold; lines are `info`). */
  constructor(service: string, settings: AccessLogSettings, destination?: DestinationStream) {
    this.#sample = settings.sample;
    const level = destination
      ? 'info'
      : (process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'));
    const options = { name: service, level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
    this.#logger = destination ? pino(options, destination) : pino(options);
  }

  /** Whether an answer of this status is logged: errors always, the rest by sample. */
  wanted(status: number): boolean {
    return status >= 400 || this.#sample >= 1 || Math.random() < this.#sample;
  }

  write(entry: AccessEntry): void {
    this.#logger.info(entry, 'access');
  }
}

/** A request's duration in ms, to a hundredth. */
export const roundMs = (ms: number): number => Math.round(ms * 100) / 100;

/**
 * The control plane's access log (the data plane's is a pipeline policy): a
 * line per answer once it is sent. Its routes name a tenant in the path
 * (`:tid`), which is only taken as the tenant of a successful answer (the
 * route found it); a refused one may name anything.
 */
export function installAccessLog(app: FastifyInstance, log: AccessLog): void {
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    if (log.wanted(status)) {
      const tid = status < 300 ? (request.params as { tid?: unknown } | undefined)?.tid : undefined;
      const length = reply.getHeader('content-length');
      log.write({
        reqId: request.id,
        tenant: typeof tid === 'string' ? tid : undefined,
        route: request.routeOptions.url ?? 'unmatched',
        method: request.method,
        status,
        ms: roundMs(reply.elapsedTime),
        bytes: length === undefined ? undefined : Number(length),
        ip: request.ip,
      });
    }
    done();
  });
}
