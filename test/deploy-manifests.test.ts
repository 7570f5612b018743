import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from './support/processes.ts';

/**
 * The deployment files (infra/k8s, infra/docker/compose.yaml) checked without
 * a cluster or a Docker daemon: `kubectl kustomize` renders the manifests
 * where kubectl is installed (else the kustomization's files are read as
 * they are), `docker compose config` (or Debian's docker-compose 1.29)
 * validates the Compose file where present; then the same structural rules
 * run on both: every role is one the image's entry point knows, the worker
 * runs with its smoke-check URL, Temporal, PostgreSQL, Redis and the HSM
 * settings, liveness never runs the dependency check, every environment
 * variable is one Tessera reads or documents. docs/deployment.md says what
 * ran where.
 */

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML of many shapes, checked by the assertions themselves
type Obj = Record<string, any>;

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const runs = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** The roles infra/docker/entrypoint.sh starts: its `case` arms that run a process (not `healthcheck` or `help`). */
const ROLES = new Set(
  [...read('infra/docker/entrypoint.sh').matchAll(/^\s+([a-z][a-z-]*)\)([\s\S]*?);;/gm)]
    .filter((m) => /\brun_\w+\s/.test(m[2]!))
    .map((m) => m[1]!),
);

/** The file as Compose reads it with nothing set in the environment: `${NAME:-default}` is the default, `${NAME}` empty. */
const interpolate = (text: string) =>
  text.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::?-([^}]*))?\}/g, (_, _name: string, fallback?: string) => fallback ?? '');

/** Every file under `dir` whose name ends with one of `exts`. */
function files(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...files(path, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(path);
  }
  return out;
}

/** What the processes read (their sources, the entry point, the Dockerfile) and what the docs describe. */
const KNOWN_TEXT = [
  ...['shared/src', 'data-plane/src', 'control-plane/src'].flatMap((d) => files(d, ['.ts'])),
  'infra/dev/migrate.ts',
  'infra/docker/entrypoint.sh',
  'infra/docker/Dockerfile',
  ...files('docs', ['.md']),
]
  .map(read)
  .join('\n');
const unknownNames = (names: Iterable<string>) => [...names].filter((n) => !new RegExp(`\\b${n}\\b`).test(KNOWN_TEXT));

// ---------------------------------------------------------------------------
// Kubernetes
// ---------------------------------------------------------------------------

/** The rendered manifests: `kubectl kustomize` where present, else the kustomization's (and its components') files. */
function renderKustomization(): { docs: Obj[]; renderedBy: string } {
  if (runs('kubectl', ['version', '--client'])) {
    const out = spawnSync('kubectl', ['kustomize', join(ROOT, 'infra/k8s')], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`kubectl kustomize failed: ${out.stderr}`);
    return { docs: parseAllDocuments(out.stdout).map((d) => d.toJS() as Obj), renderedBy: 'kubectl kustomize' };
  }
  const kustomization = parse(read('infra/k8s/kustomization.yaml')) as Obj;
  const paths: string[] = (kustomization.resources as string[]).map((r) => `infra/k8s/${r}`);
  for (const component of (kustomization.components as string[] | undefined) ?? []) {
    const c = parse(read(`infra/k8s/${component}/kustomization.yaml`)) as Obj;
    paths.push(...(c.resources as string[]).map((r) => `infra/k8s/${component}/${r}`));
  }
  const docs = paths.flatMap((p) => parseAllDocuments(read(p)).map((d) => d.toJS() as Obj));
  for (const doc of docs) if (doc.kind !== 'Namespace') doc.metadata.namespace = kustomization.namespace;
  return { docs, renderedBy: 'the kustomization files (kubectl not installed)' };
}

/** Whether a label selector (matchLabels / matchExpressions In, empty = all) selects pods labelled `labels`. */
function selects(selector: Obj | undefined, labels: Obj): boolean {
  if (!selector) return true;
  const matchLabels = (selector.matchLabels ?? {}) as Obj;
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  return ((selector.matchExpressions ?? []) as Obj[]).every((e) =>
    e.operator === 'In' ? (e.values as string[]).includes(labels[e.key]) : e.operator === 'Exists' && e.key in labels,
  );
}

const portIn = (ports: Obj[] | undefined, port: number) =>
  !ports || ports.some((p) => p.port === port || (p.endPort !== undefined && p.port <= port && port <= p.endPort));

describe('Kubernetes manifests (infra/k8s)', () => {
  const { docs, renderedBy } = renderKustomization();
  const ofKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const named = (kind: string, name: string) => ofKind(kind).find((d) => d.metadata.name === name);
  const deployments = ofKind('Deployment');
  const workloads = [...deployments, ...ofKind('Job')];
  const podLabels = (component: string) => ({
    'app.kubernetes.io/name': 'tessera',
    'app.kubernetes.io/component': component,
  });
  const configMap = named('ConfigMap', 'tessera-config')!;
  const secretTemplate = parse(read('infra/k8s/secret.template.yaml')) as Obj;
  const container = (name: string) => named('Deployment', name)!.spec.template.spec.containers[0] as Obj;
  const envValue = (c: Obj, name: string): string | undefined =>
    (c.env as Obj[] | undefined)?.find((e) => e.name === name)?.value ??
    ((c.envFrom as Obj[] | undefined)?.some((f) => f.configMapRef?.name === 'tessera-config')
      ? configMap.data[name]
      : undefined);

  it(`renders (${renderedBy}) with the three processes, the migration, an Ingress, NetworkPolicies and a ServiceMonitor`, () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
      'tessera-control-plane',
      'tessera-data-plane',
      'tessera-worker',
    ]);
    expect(named('Job', 'tessera-migrate')).toBeDefined();
    expect(ofKind('Ingress').length).toBeGreaterThan(0);
    expect(ofKind('NetworkPolicy').length).toBeGreaterThan(0);
    expect(ofKind('ServiceMonitor').length).toBe(1);
    for (const doc of docs.filter((d) => d.kind !== 'Namespace')) expect(doc.metadata.namespace).toBe('tessera');
  });

  it('runs one image everywhere, each container with a role the entry point starts', () => {
    expect([...ROLES].sort()).toEqual(['control-plane', 'data-plane', 'migrate', 'reseal', 'worker']);
    const images = new Set<string>();
    for (const w of workloads) {
      const template = w.spec.template;
      expect(selects(w.spec.selector, template.metadata.labels), w.metadata.name).toBe(true);
      for (const c of template.spec.containers as Obj[]) {
        images.add(c.image);
        expect(ROLES, `${w.metadata.name}: ${c.args}`).toContain(c.args[0]);
        expect(template.metadata.labels['app.kubernetes.io/component']).toBe(c.args[0]);
      }
    }
    expect(images.size).toBe(1);
  });

  it('splits the probes: liveness and start-up are /monitor/v1/live, readiness the dependency check', () => {
    for (const name of ['tessera-data-plane', 'tessera-control-plane']) {
      const c = container(name);
      expect(c.readinessProbe?.httpGet?.path, name).toBe('/monitor/v1/healthcheck');
      expect(c.livenessProbe?.httpGet?.path, name).toBe('/monitor/v1/live');
      expect(c.startupProbe?.httpGet?.path, name).toBe('/monitor/v1/live');
      expect(c.livenessProbe.httpGet.path).not.toBe(c.readinessProbe.httpGet.path);
    }
    // Both planes serve the route (test/liveness-readiness.test.ts checks it answers without PostgreSQL or Redis).
    expect(read('data-plane/src/integration/monitor.ts')).toContain("'/monitor/v1/live'");
    expect(read('shared/src/observability/monitor.ts')).toContain("'/monitor/v1/live'");
    // The worker serves no API: its liveness is its metrics port being open, never a dependency check.
    const worker = container('tessera-worker');
    expect(worker.livenessProbe?.tcpSocket?.port).toBe('metrics');
    expect((worker.ports as Obj[]).find((p) => p.name === 'metrics')?.containerPort).toBe(
      Number(envValue(worker, 'TESSERA_WORKER_METRICS_PORT')),
    );
    for (const w of workloads)
      for (const c of w.spec.template.spec.containers as Obj[])
        expect(c.livenessProbe?.httpGet?.path, w.metadata.name).not.toBe('/monitor/v1/healthcheck');
  });

  it('gives the worker its smoke-check URL (a data-plane Service), Temporal, PostgreSQL, Redis, the master key and the HSM settings', () => {
    const worker = container('tessera-worker');
    const smoke = new URL(envValue(worker, 'TESSERA_SMOKE_CHECK_URL')!);
    expect(read('control-plane/src/temporal/temporal-settings.ts')).toContain('env.TESSERA_SMOKE_CHECK_URL');
    const service = named('Service', smoke.hostname.split('.')[0]!)!;
    expect(service, smoke.hostname).toBeDefined();
    expect(selects({ matchLabels: service.spec.selector }, podLabels('data-plane'))).toBe(true);
    expect((service.spec.ports as Obj[]).map((p) => p.port)).toContain(Number(smoke.port || 80));
    for (const name of ['tessera-worker', 'tessera-control-plane', 'tessera-data-plane']) {
      const c = container(name);
      const names = new Set((c.env as Obj[]).map((e) => e.name));
      for (const required of ['DATABASE_URL', 'REDIS_URL', 'TESSERA_MASTER_KEY_FILE'])
        expect(names, name).toContain(required);
      expect(envValue(c, 'SOFTHSM2_CONF'), name).toBeDefined();
      // The master key file is the Secret's TESSERA_MASTER_KEY, mounted where the variable says.
      const keyFile = envValue(c, 'TESSERA_MASTER_KEY_FILE')!;
      const mount = (c.volumeMounts as Obj[]).find((m) => keyFile.startsWith(`${m.mountPath}/`))!;
      const volume = (named('Deployment', name)!.spec.template.spec.volumes as Obj[]).find(
        (v) => v.name === mount.name,
      )!;
      expect(volume.secret.items).toContainEqual({
        key: 'TESSERA_MASTER_KEY',
        path: keyFile.slice(mount.mountPath.length + 1),
      });
    }
    for (const name of ['tessera-worker', 'tessera-control-plane']) {
      expect(envValue(container(name), 'TEMPORAL_ADDRESS'), name).toMatch(/:\d+$/);
      expect(envValue(container(name), 'TEMPORAL_NAMESPACE'), name).toBeTruthy();
      expect(
        (container(name).env as Obj[]).map((e) => e.name),
        name,
      ).toContain('TESSERA_OPERATOR_KEY_SHA256');
    }
  });

  it('names only environment variables Tessera reads or documents, and Secret keys the template has', () => {
    const names = new Set<string>(Object.keys(configMap.data));
    for (const w of workloads)
      for (const c of w.spec.template.spec.containers as Obj[])
        for (const e of (c.env as Obj[] | undefined) ?? []) {
          names.add(e.name);
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) {
            expect(ref.name).toBe('tessera-secrets');
            expect(Object.keys(secretTemplate.stringData)).toContain(ref.key);
          }
          const cm = e.valueFrom?.configMapKeyRef;
          if (cm && !cm.optional) expect(Object.keys(configMap.data)).toContain(cm.key);
        }
    for (const key of Object.keys(secretTemplate.stringData)) names.add(key);
    expect(names.size).toBeGreaterThan(10);
    expect(unknownNames(names)).toEqual([]);
  });

  it('denies by default and allows the flows Tessera needs (DNS, ingress to the planes, datastores, Temporal, HSM, smoke check)', () => {
    const policies = ofKind('NetworkPolicy');
    const denyAll = policies.find(
      (p) =>
        Object.keys(p.spec.podSelector).length === 0 &&
        p.spec.policyTypes.includes('Ingress') &&
        p.spec.policyTypes.includes('Egress') &&
        !p.spec.ingress &&
        !p.spec.egress,
    );
    expect(denyAll).toBeDefined();
    const allows = (direction: 'ingress' | 'egress', component: string, port: number, peer?: (p: Obj) => boolean) =>
      policies.some(
        (p) =>
          selects(p.spec.podSelector, podLabels(component)) &&
          ((p.spec[direction] ?? []) as Obj[]).some(
            (rule) =>
              portIn(rule.ports, port) &&
              (!peer || ((direction === 'ingress' ? rule.from : rule.to) as Obj[]).some(peer)),
          ),
      );
    const pods = (component: string) => (peer: Obj) =>
      !!peer.podSelector && !peer.namespaceSelector && selects(peer.podSelector, podLabels(component));
    for (const component of ['data-plane', 'control-plane', 'worker', 'migrate']) {
      expect(allows('egress', component, 53), `${component} DNS`).toBe(true);
      expect(allows('egress', component, 5432), `${component} PostgreSQL`).toBe(true);
    }
    for (const component of ['data-plane', 'control-plane', 'worker']) {
      expect(allows('egress', component, 6379), `${component} Redis`).toBe(true);
      expect(allows('egress', component, 2223), `${component} HSM`).toBe(true);
    }
    for (const component of ['control-plane', 'worker'])
      expect(allows('egress', component, 7233), component).toBe(true);
    expect(allows('egress', 'data-plane', 7233)).toBe(false);
    expect(allows('egress', 'migrate', 6379)).toBe(false);
    // Traffic to the planes' container ports; the worker reaches the data plane for the smoke check.
    expect(allows('ingress', 'data-plane', 8080)).toBe(true);
    expect(allows('ingress', 'control-plane', 8081)).toBe(true);
    expect(allows('ingress', 'data-plane', 8080, pods('worker'))).toBe(true);
    expect(allows('egress', 'worker', 8080, pods('data-plane'))).toBe(true);
    expect(allows('ingress', 'worker', 9464)).toBe(true);
    expect(allows('ingress', 'migrate', 8080)).toBe(false);
  });

  it('routes the Ingress and the ServiceMonitor to Services and ports that exist', () => {
    for (const ingress of ofKind('Ingress'))
      for (const rule of ingress.spec.rules as Obj[])
        for (const path of rule.http.paths as Obj[]) {
          const service = named('Service', path.backend.service.name);
          expect(service, path.backend.service.name).toBeDefined();
          expect((service!.spec.ports as Obj[]).map((p) => p.name)).toContain(path.backend.service.port.name);
          expect(selects({ matchLabels: service!.spec.selector }, podLabels('data-plane'))).toBe(true);
        }
    const monitor = ofKind('ServiceMonitor')[0]!;
    const scraped = ofKind('Service').filter((s) => selects(monitor.spec.selector, s.metadata.labels));
    expect(scraped.map((s) => s.metadata.labels['app.kubernetes.io/component']).sort()).toEqual([
      'control-plane',
      'data-plane',
      'worker',
    ]);
    const portNames = new Set(scraped.flatMap((s) => (s.spec.ports as Obj[]).map((p) => p.name)));
    for (const endpoint of monitor.spec.endpoints as Obj[]) expect(portNames).toContain(endpoint.port);
    // The planes' metrics need the monitoring bearer token.
    const planes = (monitor.spec.endpoints as Obj[]).find((e) => e.port === 'http')!;
    expect(planes.path).toBe('/monitor/v1/metrics');
    expect(planes.authorization?.type).toBe('Bearer');
  });
});

// ---------------------------------------------------------------------------
// Docker Compose
// ---------------------------------------------------------------------------

/** `docker compose config` where the plugin is present, else Debian's docker-compose 1.29 (which predates the top-level `name`). */
function validateCompose(): { validatedBy: string; status: number | null; stderr: string } {
  const file = join(ROOT, 'infra/docker/compose.yaml');
  if (runs('docker', ['compose', 'version'])) {
    const out = spawnSync('docker', ['compose', '-f', file, 'config', '-q'], { encoding: 'utf8' });
    return { validatedBy: 'docker compose config', status: out.status, stderr: out.stderr };
  }
  if (runs('docker-compose', ['version'])) {
    const out = spawnSync(
      'docker-compose',
      ['-f', '-', '--project-directory', join(ROOT, 'infra/docker'), '-p', 'tessera', 'config', '-q'],
      { encoding: 'utf8', input: read('infra/docker/compose.yaml').replace(/^name: .*$/m, '') },
    );
    return { validatedBy: 'docker-compose 1.29 config', status: out.status, stderr: out.stderr };
  }
  return { validatedBy: 'the yaml parser only (no docker compose installed)', status: 0, stderr: '' };
}

describe('Docker Compose (infra/docker/compose.yaml)', () => {
  const compose = parse(interpolate(read('infra/docker/compose.yaml')), { merge: true }) as Obj;
  const services = compose.services as Record<string, Obj>;
  const tessera = Object.entries(services).filter(([, s]) => s.image === services['data-plane']!.image);
  const env = (name: string) => services[name]!.environment as Record<string, string>;
  const validation = validateCompose();

  it(`is valid (${validation.validatedBy})`, () => {
    expect(validation.stderr).not.toMatch(/invalid|error/i);
    expect(validation.status).toBe(0);
    expect(tessera.map(([name]) => name).sort()).toEqual(['control-plane', 'data-plane', 'migrate', 'worker']);
  });

  it('runs every role from the one image with no profile: the worker is on by default', () => {
    for (const [name, service] of Object.entries(services)) expect(service.profiles, name).toBeUndefined();
    for (const [name, service] of tessera) {
      expect(ROLES, name).toContain(service.command[0]);
      expect(service.command[0]).toBe(name);
    }
  });

  it('gives the worker its smoke-check URL (the data-plane service), Temporal, PostgreSQL, Redis, the master key and SoftHSM', () => {
    const smoke = new URL(env('worker').TESSERA_SMOKE_CHECK_URL!);
    expect(smoke.hostname).toBe('data-plane');
    expect(smoke.port).toBe(env('data-plane').DATA_PLANE_PORT);
    expect(services.worker!.depends_on['data-plane']).toEqual({ condition: 'service_healthy' });
    const tokenDir = /directories\.tokendir = (\S+)/.exec(read('infra/docker/softhsm2.conf'))![1]!;
    for (const name of ['data-plane', 'control-plane', 'worker']) {
      const e = env(name);
      expect(new URL(e.DATABASE_URL!).hostname, name).toBe('postgres');
      expect(new URL(e.REDIS_URL!).hostname, name).toBe('redis');
      expect(e.TESSERA_MASTER_KEY, name).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(e.PKCS11_MODULE, name).toBeTruthy();
      // One token directory for every process: the same named volume holds it.
      const mount = (services[name]!.volumes as string[]).find((v) => tokenDir.startsWith(v.split(':')[1]!));
      expect(mount?.split(':')[0], name).toBe('softhsm-tokens');
    }
    for (const name of ['control-plane', 'worker']) {
      expect(env(name).TEMPORAL_ADDRESS, name).toBe('temporal:7233');
      expect(env(name).TEMPORAL_NAMESPACE, name).toBeTruthy();
      expect(new URL(env(name).STRIPE_API_BASE!).hostname).toBe('stripe-mock');
    }
    expect(services['stripe-mock']).toBeDefined();
  });

  it('waits on health: every dependency has a condition, service_healthy only on services with a healthcheck', () => {
    for (const name of ['postgres', 'redis', 'temporal', 'data-plane', 'control-plane'])
      expect(services[name]!.healthcheck?.test, name).toBeDefined();
    for (const [name, service] of Object.entries(services))
      for (const [target, dependency] of Object.entries((service.depends_on ?? {}) as Record<string, Obj>)) {
        expect(services[target], `${name} → ${target}`).toBeDefined();
        expect(['service_healthy', 'service_started', 'service_completed_successfully']).toContain(
          dependency.condition,
        );
        if (dependency.condition === 'service_healthy') expect(services[target]!.healthcheck, target).toBeDefined();
        if (dependency.condition === 'service_completed_successfully') expect(target).toBe('migrate');
      }
    for (const name of ['data-plane', 'control-plane', 'worker'])
      expect(services[name]!.depends_on.migrate).toEqual({ condition: 'service_completed_successfully' });
  });

  it('names only environment variables Tessera reads or documents', () => {
    const names = new Set(tessera.flatMap(([, s]) => Object.keys(s.environment)));
    expect(names.size).toBeGreaterThan(10);
    expect(unknownNames(names)).toEqual([]);
  });
});
