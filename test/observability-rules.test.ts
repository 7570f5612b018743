import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/processes.ts';

const DIR = join(ROOT, 'infra/observability');
// Installed by infra/dev/prepare.sh from Debian's prometheus package.
const PROMTOOL = process.env.PROMTOOL || 'promtool';
const promtool = (...args: string[]) =>
  execFileSync(PROMTOOL, args, { cwd: DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Array<{ refId: string; expr: string }>;
}
const dashboard = JSON.parse(readFileSync(join(DIR, 'grafana-dashboard.json'), 'utf8')) as {
  title: string;
  uid: string;
  templating: { list: Array<{ name: string }> };
  panels: Panel[];
};
const alerts = readFileSync(join(DIR, 'alerts.yaml'), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every metric name the code can export: names written out (`'tessera_…'`),
 * the HTTP metrics and Node process metrics of each `prefix:` given to
 * createHttpMetrics, and Node process metrics under each literal prefix
 * ending in `_` (collectDefaultMetrics).
 */
function metricsInCode(): Set<string> {
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  const processMetrics = defaults.getMetricsAsArray().map((m) => m.name);
  const names = new Set<string>();
  for (const dir of ['data-plane/src', 'control-plane/src', 'shared/src'])
    for (const file of sourceFiles(join(ROOT, dir))) {
      const text = readFileSync(file, 'utf8');
      for (const [, name] of text.matchAll(/'(tessera_[a-z0-9_]+)'/g)) {
        if (name!.endsWith('_')) for (const m of processMetrics) names.add(`${name}${m}`);
        else names.add(name!);
      }
      for (const [, prefix] of text.matchAll(/prefix: '(tessera_[a-z0-9_]+)'/g)) {
        names.add(`${prefix}_http_requests_total`);
        names.add(`${prefix}_http_request_duration_seconds`);
        for (const m of processMetrics) names.add(`${prefix}_${m}`);
      }
    }
  return names;
}

/** The metric names a PromQL expression reads (ours: `tessera_…`). */
const metricsOf = (expr: string) => [...expr.matchAll(/\b(tessera_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
const baseName = (name: string) => name.replace(/_(bucket|sum|count)$/, '');

/**
 * The alert rules and the Grafana dashboard (infra/observability/, docs/deployment.md "Alerts"):
 * promtool accepts the rules and their unit tests pass; the dashboard is well formed, its
 * queries are valid PromQL (checked by promtool as recording rules), and every metric the
 * rules and the dashboard read is one the code exports.
 */
describe('alert rules and dashboard', () => {
  it('promtool check rules accepts the alert rules', () => {
    expect(promtool('check', 'rules', 'alerts.yaml')).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('promtool test rules: the error-rate and key-signing alerts fire when they should, and only then', () => {
    expect(promtool('test', 'rules', 'alerts.test.yaml')).toContain('SUCCESS');
  });

  it('promtool fails a broken rule (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(
      join(dir, 'bad.yaml'),
      'groups:\n  - name: x\n    rules:\n      - alert: Bad\n        expr: sum(rate(\n',
    );
    expect(() => promtool('check', 'rules', join(dir, 'bad.yaml'))).toThrow();
  });

  it('the dashboard is well formed: unique panel ids and refIds, every variable it uses defined', () => {
    expect(dashboard.title).toBe('Tessera');
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.panels.length).toBeGreaterThan(10);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const variables = new Set(dashboard.templating.list.map((v) => v.name));
    for (const panel of dashboard.panels) {
      expect(panel.title, JSON.stringify(panel)).toBeTruthy();
      expect(panel.gridPos.w).toBeGreaterThan(0);
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      const refIds = panel.targets.map((t) => t.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const target of panel.targets)
        for (const [, name] of target.expr.matchAll(/\$(\w+)/g))
          if (!name!.startsWith('__')) expect(variables, `${panel.title}: $${name}`).toContain(name);
    }
  });

  it("the dashboard's queries are valid PromQL", () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    const rules = dashboard.panels.flatMap((panel) =>
      panel.targets.map((t, i) => ({
        record: `dashboard:panel_${panel.id}_${i}`,
        // Grafana's variables, as Grafana substitutes them.
        expr: t.expr.replaceAll('$__rate_interval', '5m').replaceAll('$tenant', '.*'),
      })),
    );
    writeFileSync(join(dir, 'dashboard-rules.json'), JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
    expect(promtool('check', 'rules', join(dir, 'dashboard-rules.json'))).toContain(`SUCCESS: ${rules.length} rules`);
  });

  it('every metric the rules and the dashboard read is exported by the code', () => {
    const known = metricsInCode();
    const read = new Set([
      ...metricsOf(alerts),
      ...dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsOf(t.expr))),
    ]);
    expect(read.size).toBeGreaterThan(10);
    const unknown = [...read].filter((name) => !known.has(name) && !known.has(baseName(name)));
    expect(unknown).toEqual([]);
    // The check can fail: a made-up name is not found.
    expect(known.has('tessera_made_up_total')).toBe(false);
  });
});
