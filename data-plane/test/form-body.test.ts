import { parse } from 'node:querystring';
import { describe, expect, it } from 'vitest';
import { parseForm } from '../src/http/form-body.ts';

const reference = (body: string) => ({ ...parse(body, '&', '=', { maxKeys: 1000 }) });

describe('form body parser', () => {
  it('reads bodies exactly as node:querystring does, with no prototype', () => {
    const bodies = [
      '',
      'a',
      'a=',
      '=x',
      'a=b=c',
      'a&',
      '&&a=1',
      'a=1&b',
      'a=1&a=2&a=3',
      'grant_type=client_credentials&scope=read%20write',
      'scope=a+b',
      'x=%E2%82%AC',
      'bad=%zz',
      '__proto__=1&constructor=2&toString=3',
      'a==&=&&=b',
      `pad=${'x'.repeat(5000)}&a=1`,
    ];
    for (const body of bodies) {
      const form = parseForm(body);
      // Nothing inherited: an empty prototype without a prototype of its own.
      const proto = Object.getPrototypeOf(form) as object;
      expect(Reflect.ownKeys(proto), body).toEqual([]);
      expect(Object.getPrototypeOf(proto), body).toBeNull();
      expect({ ...form }, body).toEqual(reference(body));
    }
  });

  it('agrees with node:querystring on random bodies', () => {
    const alphabet = 'ab=&%2+_';
    for (let n = 0; n < 2000; n++) {
      let body = '';
      const length = Math.floor(Math.random() * 16);
      for (let i = 0; i < length; i++) body += alphabet[Math.floor(Math.random() * alphabet.length)];
      expect({ ...parseForm(body) }, body).toEqual(reference(body));
    }
  });
});
