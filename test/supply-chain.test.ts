import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/processes.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const WORKSPACES = ['shared', 'data-plane', 'control-plane', 'test'];

/** The package a bare import specifier names (`@scope/name/sub` → `@scope/name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

describe('supply chain (issue 11, finding 17)', () => {
  it('lets only the packages in package.json allowScripts run install scripts, and npm itself finds none unreviewed', () => {
    const npmrc = read('.npmrc')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(npmrc).toContain('strict-allow-scripts=true');
    // npm's own view of the installed tree: every dependency with an install script is reviewed in allowScripts.
    const pending = JSON.parse(
      execFileSync('npm', ['install-scripts', 'ls', '--json'], { cwd: ROOT, encoding: 'utf8' }),
    ) as { allowScripts: unknown[] };
    expect(pending.allowScripts).toEqual([]);
  });

  it('installs exactly the committed lockfile everywhere (npm ci), and the image without devDependencies', () => {
    const installs = (text: string) =>
      text.split('\n').filter((l) => !l.trim().startsWith('#') && /\bnpm (install|ci)\b/.test(l));
    const prepare = installs(read('infra/dev/prepare.sh'));
    const docker = installs(read('infra/docker/Dockerfile'));
    expect(prepare.length).toBeGreaterThan(0);
    expect(docker.length).toBeGreaterThan(0);
    for (const line of [...prepare, ...docker]) expect(line).toMatch(/\bnpm ci\b/);
    expect(docker.join('\n')).toMatch(/npm ci --omit=dev/);
  });

  it('declares every package the running processes import as a runtime dependency (the image has no devDependencies)', () => {
    const manifests = ['.', ...WORKSPACES].map(
      (d) => JSON.parse(read(join(d, 'package.json'))) as { dependencies?: Record<string, string> },
    );
    const runtime = new Set(manifests.flatMap((m) => Object.keys(m.dependencies ?? {})));
    const files = [
      ...sourceFiles('shared/src'),
      ...sourceFiles('data-plane/src'),
      ...sourceFiles('control-plane/src'),
      'infra/dev/migrate.ts',
    ];
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    for (const file of files) {
      for (const [, specifier] of read(file).matchAll(
        /(?:(?:^|[\s}])from|\bimport\(|^import)\s*'([^'.\n][^'\n]*)'/gm,
      )) {
        const name = packageOf(specifier!);
        if (name.startsWith('node:') || builtins.has(name) || name.startsWith('@tessera/')) continue;
        if (!runtime.has(name)) missing.add(`${name} (${file})`);
      }
    }
    expect([...missing]).toEqual([]);
    // The image runs the compiled build (`node dist/<role>.js`, infra/docker/entrypoint.sh): tsx is a dev tool only.
    expect(runtime.has('tsx')).toBe(false);
    expect(read('infra/docker/entrypoint.sh')).not.toMatch(/--import tsx/);
  });

  it('ignores .data, .tessera and .cache also when they are symlinks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-gitignore-'));
    try {
      execFileSync('git', ['init', '-q'], { cwd: dir });
      writeFileSync(join(dir, '.gitignore'), read('.gitignore'));
      for (const name of ['.data', '.tessera', '.cache']) symlinkSync(tmpdir(), join(dir, name));
      const ignored = execFileSync('git', ['check-ignore', '.data', '.tessera', '.cache'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(ignored.trim().split('\n').sort()).toEqual(['.cache', '.data', '.tessera']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
