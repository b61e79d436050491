// The Kubernetes manifests (deploy/k8s): rendered by the real kustomize (`kustomize build`,
// installed by scripts/engines/kustomize.sh), validated against the Kubernetes API's strict
// JSON Schemas by kubernetes-validate (K8S_VALIDATOR, installed by
// scripts/engines/k8s-validator.sh), and held to the project's deployment rules.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type Container,
  type K8sObject,
  type PodTemplate,
  containersOf,
  parseImage,
  podTemplate,
} from './k8s-objects';
import { findKustomize, INSTALL_KUSTOMIZE, kustomizeBuild, missingTool } from './kustomize-build';

const ROOT = resolve(__dirname, '../..');
const BASE = join(ROOT, 'deploy/k8s/base');
const OVERLAY = join(ROOT, 'deploy/k8s/overlays/example');
const SERVICES = ['contacts', 'activities', 'adoption-analytics'] as const;
const PORTS: Record<string, number> = {
  contacts: 3001,
  activities: 3002,
  'adoption-analytics': 3003,
};
/** Oldest Kubernetes minor the manifests must work on, and the newest the validator knows. */
const KUBERNETES_VERSIONS = ['1.30', '1.37'];
/** Settings that are credentials or carry them: only ever from a Secret. */
const SECRET_VARIABLES = [
  'JWT_SECRET',
  'POSTGRES_URL',
  'MONGODB_URL',
  'EVENTSTORE_CONNECTION_STRING',
];

type Render = 'base' | 'overlays/example';
type Renders = Record<Render, K8sObject[]>;

const kustomize = findKustomize();
if ('reason' in kustomize) {
  missingTool('kustomize (deploy/k8s cannot be rendered)', kustomize.reason, INSTALL_KUSTOMIZE);
} else {
  // At collection time: a kustomization that does not build fails the whole file.
  const renders: Renders = {
    base: kustomizeBuild(kustomize.path, BASE),
    'overlays/example': kustomizeBuild(kustomize.path, OVERLAY),
  };
  deploymentRules(renders);
  schemaValidation(renders);
}

function deploymentRules(renders: Renders): void {
  describe.each(Object.keys(renders) as Render[])('deploy/k8s/%s', (name) => {
    const objects = renders[name];
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    const configMaps = objects.filter((o) => o.kind === 'ConfigMap');

    it('has a Deployment, Service, PodDisruptionBudget and HPA per service and one ConfigMap', () => {
      for (const kind of [
        'Deployment',
        'Service',
        'PodDisruptionBudget',
        'HorizontalPodAutoscaler',
      ]) {
        expect(namesOf(objects, kind)).toEqual([...SERVICES].sort());
      }
      expect(configMaps).toHaveLength(1);
    });

    describe.each(SERVICES)('%s', (service) => {
      const deployment = find(objects, 'Deployment', service);
      const template = podTemplate(deployment) as PodTemplate;
      const pod = template.spec;
      const [container, ...others] = pod.containers;
      const app = container as Container;
      const env = effectiveEnv(app, objects);
      const spec = deployment['spec'] as {
        replicas?: number;
        selector: { matchLabels: Record<string, string> };
        strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } };
      };

      it('runs one container listening on the service port, named http', () => {
        expect(others).toEqual([]);
        expect(app.name).toBe(service);
        expect(app['ports']).toEqual([
          { name: 'http', containerPort: PORTS[service], protocol: 'TCP' },
        ]);
        expect(env.get('PORT')?.value).toBe(String(PORTS[service]));
        expect(env.get('HOST')?.value).toBe('0.0.0.0');
      });

      it('runs at least 2 replicas with a rolling update that never drops below them', () => {
        expect(spec.replicas).toBeGreaterThanOrEqual(2);
        expect(spec.strategy?.type).toBe('RollingUpdate');
        expect(spec.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
        expect(template.metadata?.labels).toMatchObject(spec.selector.matchLabels);
      });

      it('is probed on /health/live (startup, liveness) and /health/ready (readiness)', () => {
        const probe = (field: string) =>
          (app[field] as { httpGet?: { path?: string; port?: unknown } } | undefined)?.httpGet;
        expect(probe('livenessProbe')).toEqual({ path: '/health/live', port: 'http' });
        expect(probe('readinessProbe')).toEqual({ path: '/health/ready', port: 'http' });
        expect(probe('startupProbe')).toEqual({ path: '/health/live', port: 'http' });
      });

      it('declares CPU and memory requests and limits, requests within limits', () => {
        const resources = app['resources'] as {
          requests?: Record<string, string>;
          limits?: Record<string, string>;
        };
        for (const resource of ['cpu', 'memory']) {
          const request = resources.requests?.[resource];
          const limit = resources.limits?.[resource];
          expect({ resource, request, limit }).toEqual({
            resource,
            request: expect.any(String),
            limit: expect.any(String),
          });
          expect(quantity(request!)).toBeLessThanOrEqual(quantity(limit!));
        }
      });

      it('runs as non-root on a read-only root filesystem with /tmp on an emptyDir (restricted PSS)', () => {
        const podSecurity = pod['securityContext'] as Record<string, unknown>;
        expect(podSecurity).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(podSecurity['runAsUser']).toBeGreaterThan(0);
        expect(app['securityContext']).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(pod['automountServiceAccountToken']).toBe(false);
        const mounts = app['volumeMounts'] as { name: string; mountPath: string }[];
        const tmp = mounts.find((mount) => mount.mountPath === '/tmp');
        expect(tmp).toBeDefined();
        expect(pod.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
      });

      it('gives graceful shutdown more time than preStop + SHUTDOWN_TIMEOUT_MS', () => {
        const shutdownMs = Number(env.get('SHUTDOWN_TIMEOUT_MS')?.value);
        expect(shutdownMs).toBeGreaterThan(0);
        const preStop = (app['lifecycle'] as { preStop?: { exec?: { command?: string[] } } })
          .preStop?.exec?.command;
        expect(preStop?.[0]).toBe('sleep');
        const preStopMs = Number(preStop?.[1]) * 1000;
        const graceMs = Number(pod['terminationGracePeriodSeconds']) * 1000;
        expect(graceMs).toBeGreaterThan(preStopMs + shutdownMs);
      });

      it('is configured for distributed mode (never the single-replica embedded stores)', () => {
        expect(['postgres', 'kurrentdb']).toContain(env.get('EVENT_STORE')?.value);
        expect(env.get('BUS')?.value).toBe('kafka');
        expect(env.get('READ_MODELS')?.value).toBe('mongodb');
        const needed = {
          postgres: 'POSTGRES_URL',
          kurrentdb: 'EVENTSTORE_CONNECTION_STRING',
        }[env.get('EVENT_STORE')?.value as 'postgres' | 'kurrentdb'];
        for (const variable of [needed, 'MONGODB_URL', 'KAFKA_BROKERS']) {
          expect({ variable, set: env.has(variable) }).toEqual({ variable, set: true });
        }
        for (const variable of ['KAFKA_TOPIC_PARTITIONS', 'KAFKA_TOPIC_REPLICATION_FACTOR']) {
          expect(Number(env.get(variable)?.value)).toBeGreaterThanOrEqual(1);
        }
      });

      it('takes JWT_SECRET and the database URLs only from a Secret', () => {
        for (const variable of SECRET_VARIABLES) {
          const source = env.get(variable);
          if (variable === 'JWT_SECRET') expect(source).toBeDefined();
          if (source === undefined) continue;
          expect({ variable, from: source.from }).toEqual({ variable, from: 'secret' });
        }
        for (const configMap of configMaps) {
          const keys = Object.keys(configMap['data'] ?? {});
          expect(keys.filter((key) => SECRET_VARIABLES.includes(key))).toEqual([]);
        }
      });

      it('has a Service selecting its pods on the http port', () => {
        const serviceSpec = find(objects, 'Service', service)['spec'] as {
          selector: Record<string, string>;
          ports: { targetPort: unknown }[];
        };
        expect(template.metadata?.labels).toMatchObject(serviceSpec.selector);
        expect(serviceSpec.ports.map((port) => port.targetPort)).toEqual(['http']);
      });

      it('has a PodDisruptionBudget keeping at least 1 pod (and fewer than the replicas)', () => {
        const budgets = objects.filter(
          (o) => o.kind === 'PodDisruptionBudget' && selects(o, template.metadata?.labels ?? {}),
        );
        expect(budgets.map((budget) => budget.metadata.name)).toEqual([service]);
        const minAvailable = (budgets[0]?.['spec'] as { minAvailable?: number }).minAvailable;
        expect(minAvailable).toBe(1);
        expect(minAvailable).toBeLessThan(spec.replicas ?? 1);
      });

      it('has a CPU HorizontalPodAutoscaler within the Kafka partitions of its consumer group', () => {
        const autoscalers = objects.filter((o) => {
          const target = (o['spec'] as { scaleTargetRef?: Record<string, string> } | undefined)
            ?.scaleTargetRef;
          return o.kind === 'HorizontalPodAutoscaler' && target?.['name'] === service;
        });
        expect(autoscalers).toHaveLength(1);
        const hpa = autoscalers[0]!;
        expect(hpa.apiVersion).toBe('autoscaling/v2');
        const hpaSpec = hpa['spec'] as {
          scaleTargetRef: Record<string, string>;
          minReplicas: number;
          maxReplicas: number;
          metrics: { type: string; resource?: { name: string } }[];
        };
        expect(hpaSpec.scaleTargetRef).toEqual({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: service,
        });
        expect(hpaSpec.metrics).toContainEqual(
          expect.objectContaining({
            type: 'Resource',
            resource: expect.objectContaining({ name: 'cpu' }),
          }),
        );
        expect(hpaSpec.minReplicas).toBeGreaterThanOrEqual(2);
        expect(hpaSpec.maxReplicas).toBeGreaterThan(hpaSpec.minReplicas);
        // A consumer group gives each partition to one member: replicas beyond it would idle.
        expect(hpaSpec.maxReplicas).toBeLessThanOrEqual(
          Number(env.get('KAFKA_TOPIC_PARTITIONS')?.value),
        );
      });
    });

    if (name === 'base') {
      it('holds no Secret: every environment brings its own', () => {
        expect(namesOf(objects, 'Secret')).toEqual([]);
      });
    }

    if (name === 'overlays/example') {
      it('pins every image to an explicit tag or digest, never latest', () => {
        for (const deployment of deployments) {
          for (const container of containersOf(deployment)) {
            const image = parseImage(String(container.image));
            expect({
              image: container.image,
              pinned: image.digest !== undefined || image.tag !== undefined,
            }).toEqual({
              image: container.image,
              pinned: true,
            });
            expect(image.tag).not.toBe('latest');
          }
        }
      });

      it('resolves every Secret and ConfigMap reference to an object and key it renders', () => {
        for (const deployment of deployments) {
          for (const container of containersOf(deployment)) {
            for (const variable of container.env ?? []) {
              const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
              if (!ref) continue;
              const kind = variable.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap';
              const data = find(objects, kind, String(ref.name))['data'] as Record<string, string>;
              expect({ variable: variable.name, key: ref.key, found: ref.key! in data }).toEqual({
                variable: variable.name,
                key: ref.key,
                found: true,
              });
            }
            for (const source of container.envFrom ?? []) {
              if (source.configMapRef) find(objects, 'ConfigMap', String(source.configMapRef.name));
              if (source.secretRef) find(objects, 'Secret', String(source.secretRef.name));
            }
          }
        }
      });

      it('puts everything in a namespace that enforces the restricted Pod Security Standard', () => {
        const namespace = find(objects, 'Namespace', 'quick-sales-crm');
        expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe(
          'restricted',
        );
        for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
          expect(`${object.kind}/${object.metadata.name} in ${object.metadata.namespace}`).toBe(
            `${object.kind}/${object.metadata.name} in quick-sales-crm`,
          );
        }
      });
    }
  });
}

// --- schema validation -------------------------------------------------------------------

function schemaValidation(renders: Renders): void {
  const validator = findValidator();
  if ('reason' in validator) {
    missingTool(
      'Kubernetes schema validation',
      validator.reason,
      'bash scripts/engines/k8s-validator.sh && source .engines/k8s-validator.env',
    );
    return;
  }
  const validatorPath = validator.path;

  describe('Kubernetes JSON Schemas (kubernetes-validate --strict, offline)', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'crm-k8s-'));
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it.each(Object.keys(renders) as Render[])(
      `every object of deploy/k8s/%s is valid for Kubernetes ${KUBERNETES_VERSIONS.join(' and ')}`,
      (name) => {
        const result = validate(validatorPath, dir, name, renders[name]);
        expect(result.problems).toEqual([]);
        const expected = renders[name].flatMap((object) =>
          KUBERNETES_VERSIONS.map(
            (v) => `${object.kind.toLowerCase()}/${object.metadata.name}@${v}`,
          ),
        );
        expect(result.passed.sort()).toEqual(expected.sort());
        expect(result.status).toBe(0);
      },
    );

    it('rejects what it should (a control): a wrong type, an unknown field, an unknown kind', () => {
      const broken = structuredClone(renders.base.find((o) => o.kind === 'Deployment')!);
      (broken['spec'] as Record<string, unknown>)['replicas'] = 'two';
      const typo = structuredClone(renders.base.find((o) => o.kind === 'Deployment')!);
      const probe = (
        podTemplate(typo)!.spec.containers[0]!['livenessProbe'] as {
          httpGet: Record<string, unknown>;
        }
      ).httpGet;
      probe['paht'] = probe['path'];
      delete probe['path'];
      typo.metadata.name = 'typo';
      const unknown: K8sObject = {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w' },
      };
      const result = validate(validatorPath, dir, 'control', [broken, typo, unknown]);
      expect(result.problems).toEqual([
        expect.stringMatching(/^ERROR .*deployment\/\S+ .*spec\.replicas: 'two' is not of type/),
        expect.stringMatching(/^ERROR .*deployment\/typo .*'paht' was unexpected/),
        expect.stringMatching(/^WARN .*kind Widget/),
        expect.stringMatching(/^ERROR .*deployment\/\S+ .*spec\.replicas/),
        expect.stringMatching(/^ERROR .*deployment\/typo .*'paht' was unexpected/),
        expect.stringMatching(/^WARN .*kind Widget/),
      ]);
      expect(result.status).not.toBe(0);
    });
  });
}

function findValidator(): { path: string } | { reason: string } {
  const fromEnv = process.env['K8S_VALIDATOR'];
  const path = fromEnv ?? join(ROOT, '.engines/k8s-validator/venv/bin/kubernetes-validate');
  if (!existsSync(path)) {
    return {
      reason: fromEnv
        ? `K8S_VALIDATOR=${fromEnv} does not exist`
        : 'K8S_VALIDATOR is not set and .engines/k8s-validator is not installed',
    };
  }
  // Present but broken is a failure, not a skip: validate() reports what went wrong.
  return { path };
}

/** Runs the validator on the objects; each object must pass for each version, no warning. */
function validate(
  validatorPath: string,
  dir: string,
  name: string,
  objects: K8sObject[],
): { status: number | null; passed: string[]; problems: string[] } {
  const file = join(dir, `${name.replace(/\W/g, '_')}.yaml`);
  writeFileSync(file, objects.map((object) => JSON.stringify(object)).join('\n---\n'));
  const args = ['--strict', ...KUBERNETES_VERSIONS.flatMap((v) => ['-k', v]), file];
  const run = spawnSync(validatorPath, args, { encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw new Error(`${validatorPath} did not run: ${run.error.message}`);
  const passed: string[] = [];
  const problems: string[] = [];
  for (const line of `${run.stdout}\n${run.stderr}`.split('\n').filter(Boolean)) {
    const ok = /^INFO \S+ passed for resource (\S+) against version (\S+)$/.exec(line);
    if (ok) passed.push(`${ok[1]}@${ok[2]}`);
    else problems.push(line);
  }
  return { status: run.status, passed, problems };
}

// --- helpers -------------------------------------------------------------------------------

function namesOf(objects: K8sObject[], kind: string): string[] {
  return objects
    .filter((o) => o.kind === kind)
    .map((o) => o.metadata.name)
    .sort();
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} rendered`);
  return found;
}

function selects(object: K8sObject, labels: Record<string, string>): boolean {
  const selector = (object['spec'] as { selector?: { matchLabels?: Record<string, string> } })
    .selector?.matchLabels;
  return (
    selector !== undefined &&
    Object.entries(selector).every(([key, value]) => labels[key] === value)
  );
}

/** The container's environment as the kubelet builds it: envFrom first, then env over it. */
function effectiveEnv(
  container: Container,
  objects: K8sObject[],
): Map<string, { value?: string; from: 'literal' | 'configmap' | 'secret' }> {
  const env = new Map<string, { value?: string; from: 'literal' | 'configmap' | 'secret' }>();
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const data = find(objects, 'ConfigMap', String(source.configMapRef.name))['data'];
      for (const [key, value] of Object.entries(data as Record<string, string>)) {
        env.set(key, { value, from: 'configmap' });
      }
    }
    if (source.secretRef) {
      const secret = objects.find(
        (o) => o.kind === 'Secret' && o.metadata.name === String(source.secretRef?.name),
      );
      for (const key of Object.keys(secret?.['data'] ?? {})) {
        env.set(key, { from: 'secret' });
      }
    }
  }
  for (const variable of container.env ?? []) {
    if (variable.valueFrom?.secretKeyRef) env.set(variable.name, { from: 'secret' });
    else if (variable.valueFrom?.configMapKeyRef) {
      const ref = variable.valueFrom.configMapKeyRef;
      const data = find(objects, 'ConfigMap', String(ref.name))['data'] as Record<string, string>;
      env.set(variable.name, { value: data[ref.key ?? ''], from: 'configmap' });
    } else env.set(variable.name, { value: variable.value ?? '', from: 'literal' });
  }
  return env;
}

/** A Kubernetes quantity (100m, 1, 256Mi, 1G) as a plain number. */
function quantity(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(text);
  if (!match) throw new Error(`unsupported quantity ${text}`);
  const factor: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(match[1]) * (match[2] ? (factor[match[2]] ?? NaN) : 1);
}
