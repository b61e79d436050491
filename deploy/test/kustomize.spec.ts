// The offline renderer (./kustomize.ts) against kustomize itself: its hash against the test
// vectors of kustomize's api/hasher, and its whole output against `kubectl kustomize` (which
// embeds kustomize and works offline) wherever kubectl is installed.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import {
  type K8sObject,
  goJson,
  kustomizeHash,
  parseEnvFile,
  parseImage,
  parseYamlDocuments,
  renderKustomization,
} from './kustomize';

const ROOT = resolve(__dirname, '../..');
const KUSTOMIZATIONS = ['deploy/k8s/base', 'deploy/k8s/overlays/example'];

describe('kustomize name hash', () => {
  // Vectors from kustomize's api/hasher/hasher_test.go, and ones measured with kustomize 5.5.
  it.each([
    [{ kind: 'ConfigMap' }, '6ct58987ht'],
    [{ kind: 'ConfigMap', data: { one: '' } }, '9g67k2htb6'],
    [{ kind: 'ConfigMap', binaryData: { one: '' } }, '6mtk2m274t'],
    [{ kind: 'ConfigMap', data: { one: '' }, binaryData: { two: '' } }, '698h7c7t9m'],
    [{ kind: 'Secret', type: 'my-type' }, '5gmgkf8578'],
    [{ kind: 'Secret', type: 'my-type', data: { one: '' } }, '74bd68bm66'],
    [{ kind: 'ConfigMap', metadata: { name: 'x' }, data: { A: '1' } }, '89g4tffbfk'],
    [{ kind: 'ConfigMap', metadata: { name: 'x' }, data: { A: '1&b<c' } }, '644t4bfbc9'],
  ])('%j → %s', (object, hash) => {
    const resource: K8sObject = { apiVersion: 'v1', metadata: { name: '' }, ...object };
    expect(kustomizeHash(resource)).toBe(hash);
  });

  it('encodes JSON as Go does: sorted keys, HTML characters escaped', () => {
    expect(goJson({ b: 1, a: ['<&>'] })).toBe('{"a":["\\u003c\\u0026\\u003e"],"b":1}');
  });
});

describe('kustomize inputs', () => {
  it('reads env files as kustomize does: values verbatim, comments and blank lines skipped', () => {
    expect(parseEnvFile('\uFEFF# c\n\n  A=1=2\nB="q" \nC=\n', 'f')).toEqual({
      A: '1=2',
      B: '"q" ',
      C: '',
    });
    expect(() => parseEnvFile('JUST_A_NAME\n', 'f')).toThrow(/expected KEY=VALUE/);
  });

  it('splits image references into name, tag and digest', () => {
    expect(parseImage('registry:5000/a/b:1.2@sha256:ff')).toEqual({
      name: 'registry:5000/a/b',
      tag: '1.2',
      digest: 'sha256:ff',
    });
    expect(parseImage('registry:5000/a/b')).toEqual({ name: 'registry:5000/a/b' });
  });
});

const kubectl = process.env['KUBECTL'] ?? 'kubectl';
const probe = spawnSync(kubectl, ['version', '--client'], { encoding: 'utf8' });
const hasKubectl = probe.status === 0;
if (!hasKubectl) {
  console.warn(
    `\n${'!'.repeat(100)}\nComparison with kubectl kustomize SKIPPED: '${kubectl}' is not installed ` +
      `(${probe.error?.message ?? probe.stderr}). The renderer is still checked by its unit tests.\n` +
      `${'!'.repeat(100)}\n`,
  );
}

(hasKubectl ? describe : describe.skip)('the renderer matches kubectl kustomize', () => {
  it.each(KUSTOMIZATIONS)('%s', (dir) => {
    const run = spawnSync(kubectl, ['kustomize', join(ROOT, dir)], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const byId = (objects: unknown[]) =>
      new Map(
        (objects as K8sObject[]).map((o) => [
          `${o.kind} ${o.metadata.namespace ?? ''} ${o.metadata.name}`,
          o,
        ]),
      );
    const expected = byId(parseYamlDocuments(run.stdout, `kubectl kustomize ${dir}`));
    const actual = byId(renderKustomization(join(ROOT, dir)));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, object] of actual) {
      expect({ id, object }).toEqual({ id, object: expected.get(id) });
    }
  });
});
