import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../src/exit-codes.ts';
import { resolveProfile } from '../../src/profile.ts';

function configFile(mode: number, profiles: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tessera-cli-')), 'config.json');
  writeFileSync(path, JSON.stringify({ profiles }));
  chmodSync(path, mode);
  return path;
}

function failure(f: () => unknown): CliError {
  try {
    f();
  } catch (e) {
    if (e instanceof CliError) return e;
    throw e;
  }
  throw new Error('expected a CliError');
}

describe('profiles', () => {
  const profiles = {
    default: { url: 'https://cp.example/', token: 'default-token' },
    prod: { url: 'https://prod.example', token: 'prod-token' },
  };

  it('reads the default profile, or the one --profile names, from a 0600 file', () => {
    const path = configFile(0o600, profiles);
    expect(resolveProfile({ TESSERA_CONFIG: path }, undefined)).toEqual({
      url: 'https://cp.example',
      token: 'default-token',
    });
    expect(resolveProfile({ TESSERA_CONFIG: path }, 'prod')).toEqual({
      url: 'https://prod.example',
      token: 'prod-token',
    });
  });

  it('refuses a file group or others can read, naming the fix', () => {
    for (const mode of [0o640, 0o604, 0o644]) {
      const path = configFile(mode, profiles);
      const e = failure(() => resolveProfile({ TESSERA_CONFIG: path }, undefined));
      expect(e.exitCode).toBe(EXIT.refused);
      expect(e.message).toContain(`chmod 600 ${path}`);
    }
  });

  it('lets TESSERA_URL and TESSERA_TOKEN win, without touching the file', () => {
    const path = configFile(0o644, profiles);
    expect(
      resolveProfile({ TESSERA_CONFIG: path, TESSERA_URL: 'http://localhost:8081', TESSERA_TOKEN: 'env' }, undefined),
    ).toEqual({ url: 'http://localhost:8081', token: 'env' });
  });

  it('is a usage error to name a profile the file lacks, or to have no credential at all', () => {
    const path = configFile(0o600, profiles);
    expect(failure(() => resolveProfile({ TESSERA_CONFIG: path }, 'staging')).exitCode).toBe(EXIT.usage);
    const none = failure(() => resolveProfile({ TESSERA_CONFIG: join(tmpdir(), 'no-such-tessera.json') }, undefined));
    expect(none.exitCode).toBe(EXIT.usage);
    expect(none.message).toContain('TESSERA_URL');
  });
});
