import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { Counter, type Registry } from 'prom-client';
import type { FastLane, LaneReply } from './fast-lane.ts';
import { INCOMPLETE, parseWireRequest } from './wire-request.ts';

export interface WireLaneOptions {
  lane: FastLane;
  registry: Registry;
  /** Idle keep-alive connections are closed after this long (node:http's keepAliveTimeout). */
  keepAliveTimeoutMs: number;
}

export interface WireLane {
  /** Close the connections the lane holds that are between requests (server shutdown). */
  closeIdle(): void;
}

type ConnectionListener = (this: Server, socket: Socket) => void;

/**
 * The token endpoint below node:http. Each new connection starts here: while
 * its requests are plain form POSTs the fast lane admits (assembled from a
 * few reads at most), they are parsed (http/wire-request.ts), answered and written as
 * one response per write, with none of node:http's per-request objects,
 * streams and events — about half of a bare node:http request's cost. The
 * first request that is anything else (another route, a slow or unusual
 * request, a tenant not cached, the server closing) hands the connection,
 * with every byte of that request, to node:http for good, and fastify serves
 * it and all that follows the usual way, with node's own limits and timeouts.
 */
export function installWireLane(server: Server, options: WireLaneOptions): WireLane {
  const httpListeners = server.listeners('connection') as ConnectionListener[];
  server.removeAllListeners('connection');
  const handedOff = new Counter({
    name: 'tessera_data_plane_wire_lane_handoffs_total',
    help: 'Connections the wire lane gave to node:http, by why',
    labelNames: ['reason'],
    registers: [options.registry],
  });
  const answered = { count: 0 };
  new Counter({
    name: 'tessera_data_plane_wire_lane_requests_total',
    help: 'Requests the wire lane parsed and answered itself (also counted as fast-lane requests)',
    registers: [options.registry],
    // Counted in a plain number per request; prom-client's counter catches up when scraped.
    collect() {
      this.inc(answered.count);
      answered.count = 0;
    },
  });
  const context: WireContext = {
    ...options,
    open: new Set(),
    handOff: (socket, reason) => {
      handedOff.labels({ reason }).inc();
      for (const listener of httpListeners) listener.call(server, socket);
    },
    answered,
  };
  server.on('connection', (socket: Socket) => new WireConnection(socket, context));
  return {
    closeIdle: () => {
      for (const connection of context.open) connection.closeIfIdle();
    },
  };
}

interface WireContext extends WireLaneOptions {
  open: Set<WireConnection>;
  handOff(socket: Socket, reason: string): void;
  answered: { count: number };
}

/** RFC 9110 §6.6.1: an origin server with a clock sends Date; cached per second like node's. */
let dateSecond = 0;
let dateValue = '';
function httpDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateValue = new Date(second * 1000).toUTCString();
  }
  return dateValue;
}

/** The route's fixed header lines, rendered once. */
const renderedHeaders = new WeakMap<Readonly<Record<string, string>>, string>();
function headerLines(headers: Readonly<Record<string, string>>): string {
  let lines = renderedHeaders.get(headers);
  if (lines === undefined) {
    lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    renderedHeaders.set(headers, lines);
  }
  return lines;
}
const SAFE_VALUE = /^[\t\x20-\x7e]*$/;
/** A request not whole after this many reads, or this long, is left to node:http. */
const MAX_PIECES = 16;
const ASSEMBLY_MS = 5000;
/** Pipelined bytes held while a request is served before the connection stops reading. */
const MAX_WAITING_BYTES = 64 * 1024;

/*
 * Answers are written at the end of the event-loop turn that produced them,
 * all together, not one by one as each is ready. Over loopback or a fast
 * network most of a small write's cost is waking the peer; answers to many
 * connections written back to back wake it once for the lot, where answers
 * spread over the turn each wake it again. Order per connection is kept (one
 * answer per connection is in flight at a time), and an answer waits at most
 * for the rest of the requests of the same turn.
 */
let queued: Array<{ connection: WireConnection; answer: string; closing: boolean }> = [];
let flushScheduled = false;

function queueAnswer(connection: WireConnection, answer: string, closing: boolean): void {
  queued.push({ connection, answer, closing });
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushAnswers);
  }
}

function flushAnswers(): void {
  flushScheduled = false;
  const batch = queued;
  queued = [];
  for (const { connection, answer, closing } of batch) connection.write(answer, closing);
}

/** One connection while the wire lane holds it. */
class WireConnection implements LaneReply {
  readonly #socket: Socket;
  readonly #context: WireContext;
  /** Bytes received after the request being served (a pipelined request), if any. */
  #rest: Buffer | undefined;
  /** The start of a request still arriving, and how many reads it took so far. */
  #partial: Buffer | undefined;
  #pieces = 0;
  #deadline: NodeJS.Timeout | undefined;
  #serving = false;
  #paused = false;
  #close = false;
  #ended = false;
  #gone = false;

  constructor(socket: Socket, context: WireContext) {
    this.#socket = socket;
    this.#context = context;
    context.open.add(this);
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    socket.setTimeout(context.keepAliveTimeoutMs, this.#onTimeout);
  }

  readonly #onData = (chunk: Buffer): void => {
    if (!this.#serving) {
      const partial = this.#partial;
      this.#partial = undefined;
      return this.#next(partial ? Buffer.concat([partial, chunk]) : chunk);
    }
    // A pipelined request arriving while one is served waits its turn; past a bound, reading stops.
    const rest = this.#rest ? Buffer.concat([this.#rest, chunk]) : chunk;
    this.#rest = rest;
    if (rest.length > MAX_WAITING_BYTES && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
  };

  readonly #onEnd = (): void => {
    this.#ended = true;
    if (!this.#serving) this.#finish();
  };

  readonly #onError = (): void => {
    this.#socket.destroy();
  };

  readonly #onClose = (): void => {
    this.#gone = true;
    this.#context.open.delete(this);
  };

  readonly #onTimeout = (): void => {
    this.#socket.destroy();
  };

  closeIfIdle(): void {
    if (!this.#serving) this.#socket.destroy();
  }

  /** Take the request at the start of `data`, or give the connection away with all of `data`. */
  #next(data: Buffer): void {
    const lane = this.#context.lane;
    const request = parseWireRequest(data);
    // Past the client's end of the stream node:http would never see that end: nothing to hand over to.
    if (request === INCOMPLETE) return this.#ended ? this.destroy() : this.#await(data);
    this.#pieces = 0;
    if (this.#deadline) {
      clearTimeout(this.#deadline);
      this.#deadline = undefined;
    }
    if (!request) return this.#ended ? this.destroy() : this.#handOff(data, 'not-plain');
    const socket = this.#socket;
    const admission = lane.admit(request.url, request.headers, socket.remoteAddress, false);
    if (!admission) return this.#ended ? this.destroy() : this.#handOff(data, 'not-admitted');
    this.#serving = true;
    this.#close = request.close;
    this.#rest = request.end < data.length ? data.subarray(request.end) : undefined;
    this.#context.answered.count++;
    lane.serve(admission, request.body, this);
  }

  send(statusCode: number, headers: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>> | undefined, json: string): void {
    if (this.#gone) return;
    // After the client's end of the stream, answer what it sent whole, closing with the last answer.
    const closing = this.#close || this.#context.lane.closing || (this.#ended && !this.#rest);
    let head = `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Unknown'}\r\n`;
    if (!extra) head += headerLines(headers);
    else {
      // An error's own headers (a challenge, the same no-store) replace the route's of the same name, once each.
      const merged: Record<string, string> = { ...headers, ...extra };
      for (const name in merged) {
        const value = merged[name]!;
        // Values come from our own error descriptions; a stray CR/LF must never split the response.
        if (!SAFE_VALUE.test(value)) return this.destroy();
        head += `${name}: ${value}\r\n`;
      }
    }
    head += `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(json)}\r\ndate: ${httpDate()}\r\n`;
    head += closing ? 'connection: close\r\n\r\n' : `connection: keep-alive\r\nkeep-alive: timeout=${Math.floor(this.#context.keepAliveTimeoutMs / 1000)}\r\n\r\n`;
    queueAnswer(this, head + json, closing);
  }

  /** Called by the flush with this connection's queued answer. */
  write(answer: string, closing: boolean): void {
    if (this.#gone) return;
    const socket = this.#socket;
    if (closing) socket.end(answer);
    else if (socket.write(answer)) this.#afterAnswer();
    else socket.once('drain', this.#afterAnswer);
  }

  destroy(): void {
    this.#socket.destroy();
  }

  /** The answer is on its way: the next pipelined request, if one waits. */
  readonly #afterAnswer = (): void => {
    this.#serving = false;
    const rest = this.#rest;
    this.#rest = undefined;
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    if (rest) this.#next(rest); // while closing, the lane admits nothing: node:http answers it (503)
    else if (this.#ended || this.#context.lane.closing) this.#finish();
  };

  /** The client ended its side and nothing is left to answer. */
  #finish(): void {
    this.#socket.end();
  }

  /**
   * A request arriving in pieces (a client that writes its head and body
   * separately) is waited for, briefly: after MAX_PIECES reads or
   * ASSEMBLY_MS, node:http takes the bytes so far and applies its own
   * limits and timeouts to the rest.
   */
  #await(data: Buffer): void {
    if (++this.#pieces > MAX_PIECES) return this.#handOff(data, 'slow');
    this.#partial = data;
    this.#deadline ??= setTimeout(this.#tooSlow, ASSEMBLY_MS);
  }

  readonly #tooSlow = (): void => {
    this.#deadline = undefined;
    const partial = this.#partial;
    this.#partial = undefined;
    if (partial && !this.#gone) this.#handOff(partial, 'slow');
  };

  /**
   * node:http takes over with `data`, the start of a request it has not
   * seen: our listeners go, the bytes go back to the front of the socket's
   * buffer, and node's connection listener reads them first once flowing.
   */
  #handOff(data: Buffer, reason: string): void {
    const socket = this.#socket;
    socket.pause();
    socket.removeListener('data', this.#onData);
    socket.removeListener('end', this.#onEnd);
    socket.removeListener('error', this.#onError);
    socket.removeListener('close', this.#onClose);
    socket.removeListener('timeout', this.#onTimeout);
    socket.setTimeout(0);
    if (this.#deadline) clearTimeout(this.#deadline);
    this.#deadline = undefined;
    this.#context.open.delete(this);
    socket.unshift(data);
    this.#context.handOff(socket, reason);
    socket.resume();
  }
}
