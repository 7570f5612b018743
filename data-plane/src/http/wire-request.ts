import type { IncomingHttpHeaders } from 'node:http';

/** A complete, plain HTTP/1.1 POST found at the start of a buffer. */
export interface WireRequest {
  /** The request target (origin form). */
  url: string;
  /** Lower-cased names; each name appears once. No prototype. */
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Offset just past the body: where a pipelined next request would start. */
  end: number;
  /** The client asked to close the connection after this answer. */
  close: boolean;
}

/** Header sections over this go to node:http (whose own limit is 16 KiB). */
export const MAX_HEAD_BYTES = 8192;
const MAX_HEADERS = 64;
/** Bodies over this go to node:http (the token endpoint's limit is 50,000). */
const MAX_BODY_BYTES = 64 * 1024;

// RFC 9110 §5.6.2 tchar; §5.5 field-value octets: HTAB, SP, VCHAR, obs-text.
const TCHAR = new Uint8Array(256);
const FIELD_OCTET = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0; c < 256; c++) {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) TCHAR[c] = 1;
  if (c === 0x09 || (c >= 0x20 && c !== 0x7f)) FIELD_OCTET[c] = 1;
}
const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;
const POST_SLASH = Buffer.from('POST /', 'latin1');
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

const BARE_LINE_END = /\r(?!\n|$)|(?<!\r)\n|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/** The bytes so far may still become a plain request: wait for more. */
export const INCOMPLETE = Symbol('incomplete');
const VERSION = Buffer.from(' HTTP/1.1\r\n', 'latin1');
const DIGITS = /^\d{1,9}$/;

/**
 * The wire lane's parser (http/wire-lane.ts). It recognises only the
 * plainest form of a request — `POST /path HTTP/1.1`, one Host, distinct
 * well-formed fields, a Content-Length body of at most 64 KiB — and
 * returns undefined for anything else; INCOMPLETE when the bytes so far
 * could still become such a request (a head not yet complete, within the
 * size limit; a complete plain head whose body has not all arrived).
 * Undefined never means "bad request": the connection then goes
 * to node:http, which parses the same bytes from the start with all its
 * rules and answers errors itself. So this parser only ever accepts a subset
 * of what node:http accepts, and reads it the same way: no request framing
 * here can differ from node's (RFC 9112 §6.3: no Transfer-Encoding, one
 * Content-Length).
 */
export function parseWireRequest(data: Buffer, from = 0): WireRequest | typeof INCOMPLETE | undefined {
  const start = Math.min(data.length - from, 6);
  if (data.compare(POST_SLASH, 0, start, from, from + start) !== 0) return undefined;
  const headEnd = data.indexOf(CRLFCRLF, from);
  if (headEnd < 0) {
    // Worth waiting for only if what came so far is not already malformed in the usual ways.
    if (data.length - from > MAX_HEAD_BYTES || BARE_LINE_END.test(data.toString('latin1', from))) return undefined;
    return INCOMPLETE;
  }
  if (headEnd - from > MAX_HEAD_BYTES) return undefined;
  const limit = headEnd + 4;
  // Request line: "POST /" target " HTTP/1.1" CRLF, the target all VCHAR.
  let i = from + 5;
  while (i < limit && data[i]! > 0x20 && data[i]! < 0x7f) i++;
  if (i + 11 > limit || data.compare(VERSION, 0, 11, i, i + 11) !== 0) return undefined;
  const url = data.toString('latin1', from + 5, i);
  i += 11;
  const headers: IncomingHttpHeaders = Object.create(null) as IncomingHttpHeaders;
  let count = 0;
  for (;;) {
    if (i + 1 >= limit) return undefined;
    if (data[i] === CR) {
      if (data[i + 1] !== LF) return undefined;
      i += 2;
      break; // the empty line: end of the header section
    }
    if (++count > MAX_HEADERS) return undefined;
    // field-name ":" OWS field-value OWS CRLF
    const nameStart = i;
    while (i < limit && TCHAR[data[i]!] === 1) i++;
    if (i === nameStart || i >= limit || data[i] !== 0x3a /* : */) return undefined;
    const name = data.toString('latin1', nameStart, i).toLowerCase();
    i++;
    while (i < limit && (data[i] === SP || data[i] === HTAB)) i++;
    const valueStart = i;
    while (i < limit && FIELD_OCTET[data[i]!] === 1) i++;
    if (i + 1 >= limit || data[i] !== CR || data[i + 1] !== LF) return undefined; // a bare CR or LF, a control, or incomplete
    let valueEnd = i;
    while (valueEnd > valueStart && (data[valueEnd - 1] === SP || data[valueEnd - 1] === HTAB)) valueEnd--;
    i += 2;
    if (data[i] === SP || data[i] === HTAB) return undefined; // obs-fold
    if (headers[name] !== undefined) return undefined; // repeated fields: node:http's rules decide
    headers[name] = data.toString('latin1', valueStart, valueEnd);
  }
  if (headers.host === undefined || headers['transfer-encoding'] !== undefined || headers.expect !== undefined || headers.upgrade !== undefined) return undefined;
  const declared = headers['content-length'];
  if (declared === undefined || !DIGITS.test(declared)) return undefined;
  let close = false;
  const connection = headers.connection;
  if (connection !== undefined) {
    const option = connection.toLowerCase();
    if (option === 'close') close = true;
    else if (option !== 'keep-alive') return undefined;
  }
  const length = Number(declared);
  if (length > MAX_BODY_BYTES) return undefined; // never a fast route's: no reason to hold it here
  const end = i + length;
  if (data.length < end) return INCOMPLETE;
  return { url, headers, body: data.subarray(i, end), end, close };
}
