// docker-compose.yml, the Dockerfile and .dockerignore, held to the project's rules. No
// Docker engine runs here, so these are static checks of the files themselves.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type K8sObject, parseYamlDocuments } from './k8s-objects';
import { findKustomize, INSTALL_KUSTOMIZE, kustomizeBuild, missingTool } from './kustomize-build';

const ROOT = resolve(__dirname, '../..');
// hadolint comes with the validators (scripts/engines/k8s-validator.sh).
const hadolint = [
  process.env['HADOLINT'],
  join(ROOT, '.engines/k8s-validator/venv/bin/hadolint'),
].find((path): path is string => path !== undefined && existsSync(path));
if (!hadolint) {
  console.warn(
    `\n${'!'.repeat(100)}\nhadolint SKIPPED: HADOLINT is not set and .engines/k8s-validator is not ` +
      'installed. Install it with `bash scripts/engines/k8s-validator.sh`.\n' +
      `${'!'.repeat(100)}\n`,
  );
}
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const SERVICES = ['contacts', 'activities', 'adoption-analytics'];
const ENGINES = ['kafka', 'kurrentdb', 'postgres', 'mongodb'];

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  read_only?: boolean;
  tmpfs?: string[];
  stop_grace_period?: string;
}

const composeText = read('docker-compose.yml');
const compose = parseYamlDocuments(composeText, 'docker-compose.yml')[0] as {
  services: Record<string, ComposeService>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('parses and runs the three services and the four engines', () => {
    expect(Object.keys(services).sort()).toEqual([...SERVICES, ...ENGINES].sort());
  });

  it.each([...SERVICES, ...ENGINES])('%s has a health check', (name) => {
    const check = services[name]?.healthcheck;
    expect(check?.disable).not.toBe(true);
    expect(Array.isArray(check?.test) ? check.test.slice(1).join(' ') : check?.test).toMatch(/\S/);
  });

  it.each([...SERVICES, ...ENGINES])('%s waits only for healthy dependencies', (name) => {
    const dependsOn = services[name]?.depends_on ?? {};
    expect(Array.isArray(dependsOn)).toBe(false);
    for (const [dependency, { condition }] of Object.entries(dependsOn)) {
      expect(Object.keys(services)).toContain(dependency);
      expect({ dependency, condition }).toEqual({ dependency, condition: 'service_healthy' });
    }
  });

  it.each(SERVICES)('%s is built from the Dockerfile and runs in distributed mode', (name) => {
    const service = services[name]!;
    const env = service.environment ?? {};
    const port = env['PORT'];
    expect(service.build).toEqual({
      context: '.',
      dockerfile: 'Dockerfile',
      args: { SERVICE: name, PORT: port },
    });
    expect(service.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    expect(JSON.stringify(service.healthcheck?.test)).toContain(
      `http://127.0.0.1:${port}/health/ready`,
    );
    expect(env['HOST']).toBe('0.0.0.0');
    expect(env['BUS']).toBe('kafka');
    expect(env['KAFKA_BROKERS']).toBe('kafka:9092');
    expect(env['READ_MODELS']).toBe('mongodb');
    expect(env['MONGODB_URL']).toMatch(/^mongodb:\/\/mongodb:27017\/\w+$/);
    const store = env['EVENT_STORE'];
    const needs =
      store === 'kurrentdb'
        ? { variable: 'EVENTSTORE_CONNECTION_STRING', engine: 'kurrentdb' }
        : { variable: 'POSTGRES_URL', engine: 'postgres' };
    expect(['kurrentdb', 'postgres']).toContain(store);
    expect(env[needs.variable]).toBeDefined();
    // Crypto-shredding keys always live in PostgreSQL (next to a KurrentDB event store too).
    expect(env['POSTGRES_URL']).toBeDefined();
    expect(Object.keys(service.depends_on ?? {}).sort()).toEqual(
      [...new Set(['kafka', 'mongodb', 'postgres', needs.engine])].sort(),
    );
    // The secret has no default: compose refuses to start without it.
    expect(env['JWT_SECRET']).toMatch(/^\$\{JWT_SECRET:\?[^}]+\}$/);
    // Read-only root filesystem with /tmp writable, as in Kubernetes.
    expect(service.read_only).toBe(true);
    expect(service.tmpfs).toContain('/tmp');
    expect(seconds(service.stop_grace_period ?? '10s') * 1000).toBeGreaterThan(
      Number(env['SHUTDOWN_TIMEOUT_MS']),
    );
  });

  const kustomize = findKustomize();
  if ('reason' in kustomize) {
    missingTool('kustomize (compose vs deploy/k8s)', kustomize.reason, INSTALL_KUSTOMIZE);
  } else {
    it('uses the same ports and event stores as the Kubernetes manifests', () => {
      const objects = kustomizeBuild(kustomize.path, join(ROOT, 'deploy/k8s/base'));
      for (const name of SERVICES) {
        const env = services[name]?.environment ?? {};
        const container = podContainer(objects, name);
        const value = (variable: string) => container.env?.find((e) => e.name === variable)?.value;
        expect({ name, port: env['PORT'], store: env['EVENT_STORE'] }).toEqual({
          name,
          port: value('PORT'),
          store: value('EVENT_STORE'),
        });
      }
    });
  }

  it('runs Kafka as one KRaft node whose internal topics need one replica', () => {
    const env = services['kafka']?.environment ?? {};
    expect(String(env['KAFKA_PROCESS_ROLES']).split(',').sort()).toEqual(['broker', 'controller']);
    for (const setting of [
      'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
      'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR',
      'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR',
    ]) {
      expect({ setting, value: String(env[setting]) }).toEqual({ setting, value: '1' });
    }
    const replication = Number(
      services['contacts']?.environment?.['KAFKA_TOPIC_REPLICATION_FACTOR'],
    );
    expect(replication).toBe(1);
  });

  it('pins every engine image to a version', () => {
    for (const name of ENGINES) {
      const image = services[name]?.image ?? '';
      expect(image).toMatch(/:[\w.-]+$/);
      expect(image).not.toMatch(/:latest$/);
    }
  });

  it('gives secrets no defaults, and deploy/compose.env.example names every required one', () => {
    const references = [...composeText.matchAll(/\$\{(\w+)(?::?([-?]))?[^}]*\}/g)];
    const required = new Set<string>();
    for (const [text, variable = '', operator] of references) {
      if (operator === '?') required.add(variable);
      else
        expect({ text, allowedDefault: ['LOG_LEVEL'].includes(variable) }).toEqual({
          text,
          allowedDefault: true,
        });
    }
    expect([...required].sort()).toEqual(['JWT_SECRET', 'POSTGRES_PASSWORD']);
    const example = parseEnvFile(read('deploy/compose.env.example'), 'compose.env.example');
    expect(Object.keys(example).sort()).toEqual([...required].sort());
    expect(Object.values(example)).toEqual(['', '']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages = instructions.filter((line) => line.startsWith('FROM '));
  const runtime = instructions.slice(instructions.lastIndexOf(stages[stages.length - 1]!));

  it('builds on node:20-bookworm-slim in several stages', () => {
    expect(instructions).toContain('ARG NODE_IMAGE=node:20-bookworm-slim');
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages[stages.length - 1]).toMatch(/^FROM \$\{NODE_IMAGE\} AS runtime$/);
  });

  it('installs with npm ci and builds the SERVICE build argument with nx', () => {
    expect(dockerfile).toMatch(/RUN .*npm ci\b/);
    expect(dockerfile).toMatch(/RUN .*npm ci --omit=dev/);
    expect(dockerfile).toMatch(/npx nx build "\$\{SERVICE\}"/);
  });

  it('runs only production node_modules and the one service bundle, as a non-root user', () => {
    const copies = runtime.filter((line) => line.startsWith('COPY'));
    expect(copies).toEqual([
      'COPY --from=prod-deps /app/package.json ./package.json',
      'COPY --from=prod-deps /app/node_modules ./node_modules',
      'COPY --from=build /app/dist/apps/${SERVICE} ./dist/apps/${SERVICE}',
    ]);
    expect(runtime).toContain('USER 1000:1000');
    expect(runtime.join('\n')).toMatch(/HOST=0\.0\.0\.0/);
    expect(runtime).toContain('EXPOSE ${PORT}');
    expect(runtime[runtime.length - 1]).toBe(
      'CMD ["/bin/sh", "-c", "exec node dist/apps/${SERVICE}/main.js"]',
    );
  });

  const required = process.env['K8S_VALIDATOR_REQUIRED'] === '1';
  (hadolint || required ? it : it.skip)('passes hadolint', () => {
    if (!hadolint) throw new Error('hadolint is not installed (K8S_VALIDATOR_REQUIRED=1)');
    const run = spawnSync(hadolint, ['--no-color', join(ROOT, 'Dockerfile')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.error) throw new Error(`${hadolint} did not run: ${run.error.message}`);
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(run.status).toBe(0);
  });

  it('keeps host artefacts and secrets out of the build context (.dockerignore)', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const entry of ['**/node_modules', '.git', 'dist', '.nx', '.engines', 'data', '.env']) {
      expect(ignored).toContain(entry);
    }
  });
});

function podContainer(objects: K8sObject[], name: string) {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
  const spec = deployment?.['spec'] as
    | { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } }
    | undefined;
  const container = spec?.template.spec.containers[0];
  if (!container) throw new Error(`no Deployment ${name}`);
  return container;
}

/** KEY=VALUE lines, the value verbatim; blank lines and # comments skipped. */
function parseEnvFile(text: string, name: string): Record<string, string> {
  const data: Record<string, string> = {};
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`${name}:${String(index + 1)}: expected KEY=VALUE`);
    data[line.slice(0, at)] = line.slice(at + 1);
  });
  return data;
}

function seconds(duration: string): number {
  const match = /^(\d+)(s|m)$/.exec(duration);
  if (!match) throw new Error(`unsupported duration ${duration}`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}
