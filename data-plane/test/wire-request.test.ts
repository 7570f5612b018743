import { describe, expect, it } from 'vitest';
import { INCOMPLETE, MAX_HEAD_BYTES, parseWireRequest, type WireRequest } from '../src/http/wire-request.ts';

const BODY = 'grant_type=client_credentials';
const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
const plain = (extra: string[] = [], body = BODY, start = 'POST /token HTTP/1.1') =>
  head([start, 'Host: 127.0.0.1:8080', 'Content-Type: application/x-www-form-urlencoded', `Content-Length: ${Buffer.byteLength(body)}`, ...extra]) + body;
const parse = (text: string) => parseWireRequest(Buffer.from(text, 'latin1'));
const whole = (result: ReturnType<typeof parseWireRequest>): WireRequest => {
  if (!result || result === INCOMPLETE) throw new Error(`not a whole plain request: ${String(result)}`);
  return result;
};

describe('wire lane request parser: only the plainest requests, the rest left to node:http', () => {
  it('reads a plain POST: target, lower-cased trimmed fields, the body and where it ends', () => {
    const text = plain(['Authorization: \t Basic YTpi \t', 'tenant-id: demo']);
    const request = whole(parse(text));
    expect(request.url).toBe('/token');
    expect(request.headers).toEqual({
      host: '127.0.0.1:8080',
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(BODY.length),
      authorization: 'Basic YTpi',
      'tenant-id': 'demo',
    });
    expect(Object.getPrototypeOf(request.headers)).toBeNull();
    expect(request.body.toString()).toBe(BODY);
    expect(request.end).toBe(Buffer.byteLength(text));
    expect(request.close).toBe(false);
  });

  it('finds a pipelined second request where the first ends, and reads Connection: close', () => {
    const first = plain(['Connection: close']);
    const both = Buffer.from(first + plain([], 'grant_type=x', 'POST /demo/token HTTP/1.1'), 'latin1');
    const one = whole(parseWireRequest(both));
    expect(one.close).toBe(true);
    const two = whole(parseWireRequest(both, one.end));
    expect(two.url).toBe('/demo/token');
    expect(two.body.toString()).toBe('grant_type=x');
    expect(two.end).toBe(both.length);
  });

  it('keeps a field value with UTF-8 (obs-text) bytes as latin1, as node:http does', () => {
    const request = whole(parseWireRequest(Buffer.from(plain(['X-Name: café']), 'utf8')));
    expect(request.headers['x-name']).toBe(Buffer.from('café', 'utf8').toString('latin1'));
  });

  it('asks for more when the bytes so far can still become a plain request', () => {
    const text = plain();
    for (const cut of [0, 3, 6, 40, text.indexOf('\r\n\r\n') + 2, text.length - 5]) expect(parse(text.slice(0, cut)), `${cut} bytes`).toBe(INCOMPLETE);
    expect(parse(`POST /token HTTP/1.1\r\nX-Pad: ${'a'.repeat(MAX_HEAD_BYTES)}`), 'a head past the limit').toBeUndefined();
    expect(parse('GET /'), 'not a POST').toBeUndefined();
  });

  it('declines, rather than judges, everything else', () => {
    const declined: Array<[string, string]> = [
      ['GET', plain([], '', 'GET /token HTTP/1.1').replace(/Content-Length: \d+/, 'Content-Length: 0')],
      ['lower-case method', plain([], BODY, 'post /token HTTP/1.1')],
      ['HTTP/1.0', plain([], BODY, 'POST /token HTTP/1.0')],
      ['absolute-form target', plain([], BODY, 'POST http://h/token HTTP/1.1')],
      ['two spaces', plain([], BODY, 'POST  /token HTTP/1.1')],
      ['no Host', head(['POST /token HTTP/1.1', `Content-Length: ${BODY.length}`]) + BODY],
      ['two Hosts', plain(['Host: other'])],
      ['repeated Content-Length', plain([`Content-Length: ${BODY.length}`])],
      ['repeated field', plain(['Tenant-ID: a', 'tenant-id: b'])],
      ['Transfer-Encoding', plain(['Transfer-Encoding: chunked'])],
      ['Expect', plain(['Expect: 100-continue'])],
      ['Upgrade', plain(['Upgrade: websocket', 'Connection: Upgrade'])],
      ['other Connection option', plain(['Connection: keep-alive, Upgrade'])],
      ['no Content-Length', head(['POST /token HTTP/1.1', 'Host: h']) + BODY],
      ['signed Content-Length', plain([]).replace(/Content-Length: \d+/, `Content-Length: +${BODY.length}`)],
      ['space before the colon', plain(['Tenant-ID : demo'])],
      ['obs-fold', plain(['X-Folded: a', ' b'])],
      ['bare LF line end', plain(['X-A: 1']).replace('X-A: 1\r\n', 'X-A: 1\n')],
      ['bare CR in a value', plain(['X-A: 1\r2'])],
      ['NUL in a value', plain(['X-A: 1\u00002'])],
      ['DEL in a value', plain(['X-A: 1\u007f'])],
      ['empty field name', plain([': x'])],
      ['header section over the limit', plain([`X-Pad: ${'a'.repeat(MAX_HEAD_BYTES)}`])],
      ['a body over the lane\'s limit', plain([]).replace(/Content-Length: \d+/, 'Content-Length: 999999999')],
      ['too many fields', plain(Array.from({ length: 70 }, (_, n) => `X-${n}: v`))],
    ];
    for (const [name, text] of declined) expect(parse(text), name).toBeUndefined();
  });
});
