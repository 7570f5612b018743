import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeForStatus } from '../../src/exit-codes.ts';

describe('exit codes', () => {
  it('maps HTTP statuses to the documented codes', () => {
    expect(exitCodeForStatus(200)).toBe(EXIT.ok);
    expect(exitCodeForStatus(204)).toBe(EXIT.ok);
    expect(exitCodeForStatus(400)).toBe(EXIT.refused);
    expect(exitCodeForStatus(409)).toBe(EXIT.refused);
    expect(exitCodeForStatus(401)).toBe(EXIT.auth);
    expect(exitCodeForStatus(403)).toBe(EXIT.auth);
    expect(exitCodeForStatus(403, 'forbidden')).toBe(EXIT.auth);
    expect(exitCodeForStatus(403, 'quota_exceeded')).toBe(EXIT.refused);
    expect(exitCodeForStatus(404)).toBe(EXIT.notFound);
    expect(exitCodeForStatus(500)).toBe(EXIT.server);
    expect(exitCodeForStatus(503)).toBe(EXIT.server);
  });

  it('keeps the numbers scripts rely on', () => {
    expect(EXIT).toEqual({ ok: 0, refused: 1, usage: 2, auth: 3, notFound: 4, server: 5 });
  });
});
