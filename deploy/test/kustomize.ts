// A small, offline Kustomize renderer for the subset deploy/k8s uses, so the manifests can be
// validated without kubectl or network. It implements exactly what `kustomize build` does for
// these fields and refuses every other field rather than guess: resources (files and
// directories), namespace, labels (includeTemplates; not includeSelectors), images,
// configMapGenerator and secretGenerator (envs, literals; behavior create|merge|replace), the
// generators' content-hash name suffix and the rewriting of references to generated names.
// kustomize.spec.ts compares its output with `kubectl kustomize` wherever kubectl is present.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  labels?: LabelsEntry[];
  images?: ImageEntry[];
  configMapGenerator?: GeneratorArgs[];
  secretGenerator?: GeneratorArgs[];
}

interface LabelsEntry {
  pairs: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
}

interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface GeneratorArgs {
  name: string;
  namespace?: string;
  behavior?: 'create' | 'merge' | 'replace';
  envs?: string[];
  literals?: string[];
  type?: string;
}

/** A resource and, for a generated ConfigMap or Secret, the name before its hash suffix. */
interface Item {
  object: K8sObject;
  generatedName?: string;
}

const SUPPORTED_FIELDS = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'labels',
  'images',
  'configMapGenerator',
  'secretGenerator',
]);

// Kinds this renderer knows; anything else is refused, since its scope and its name
// references would need rules this file does not have.
const CLUSTER_SCOPED = new Set(['Namespace']);
const NAMESPACED = new Set([
  'ConfigMap',
  'Secret',
  'Service',
  'ServiceAccount',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'NetworkPolicy',
  'Ingress',
]);
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

/** Renders the kustomization in `dir` as `kustomize build dir` would (order aside). */
export function renderKustomization(dir: string): K8sObject[] {
  const items = build(resolve(dir));
  return finalize(items);
}

function build(dir: string): Item[] {
  const file = join(dir, 'kustomization.yaml');
  const kustomization = parseYamlDocuments(readFileSync(file, 'utf8'), file)[0] as
    Kustomization | undefined;
  if (!kustomization) throw new Error(`${file}: empty kustomization`);
  for (const field of Object.keys(kustomization)) {
    if (!SUPPORTED_FIELDS.has(field)) {
      throw new Error(`${file}: field '${field}' is not supported by this renderer`);
    }
  }
  if (kustomization.apiVersion !== 'kustomize.config.k8s.io/v1beta1') {
    throw new Error(`${file}: apiVersion must be kustomize.config.k8s.io/v1beta1`);
  }
  if (kustomization.kind !== 'Kustomization')
    throw new Error(`${file}: kind must be Kustomization`);

  const items: Item[] = [];
  for (const entry of kustomization.resources ?? []) {
    const path = resolve(dir, entry);
    if (statSync(path).isDirectory()) {
      items.push(...build(path));
    } else {
      for (const object of parseYamlDocuments(readFileSync(path, 'utf8'), path)) {
        items.push({ object: checkObject(object, path) });
      }
    }
  }
  for (const args of kustomization.configMapGenerator ?? [])
    generate(items, 'ConfigMap', args, dir);
  for (const args of kustomization.secretGenerator ?? []) generate(items, 'Secret', args, dir);

  // kustomize's builtin transformer order: namespace, labels, ..., images.
  for (const { object } of items) checkKind(object);
  if (kustomization.namespace !== undefined) {
    for (const { object } of items) {
      if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = kustomization.namespace;
    }
  }
  for (const entry of kustomization.labels ?? []) applyLabels(items, entry, file);
  for (const entry of kustomization.images ?? []) applyImage(items, entry);
  return items;
}

function generate(items: Item[], kind: 'ConfigMap' | 'Secret', args: GeneratorArgs, dir: string) {
  const known = new Set(['name', 'namespace', 'behavior', 'envs', 'literals', 'type']);
  for (const field of Object.keys(args)) {
    if (!known.has(field) || (field === 'type' && kind !== 'Secret')) {
      throw new Error(`${kind} generator ${args.name}: field '${field}' is not supported`);
    }
  }
  const data: Record<string, string> = {};
  for (const envFile of args.envs ?? []) {
    Object.assign(data, parseEnvFile(readFileSync(resolve(dir, envFile), 'utf8'), envFile));
  }
  for (const literal of args.literals ?? []) {
    const [key, value] = splitPair(literal, `literal ${literal}`);
    data[key] = stripQuotes(value);
  }

  const behavior = args.behavior ?? 'create';
  const existing = items.find(
    (item) => item.object.kind === kind && item.generatedName === args.name,
  );
  if (behavior === 'create') {
    if (existing) throw new Error(`${kind} ${args.name} is generated twice`);
    const metadata: ObjectMeta = { name: args.name };
    if (args.namespace !== undefined) metadata.namespace = args.namespace;
    const object: K8sObject =
      kind === 'ConfigMap'
        ? { apiVersion: 'v1', kind, metadata, data }
        : { apiVersion: 'v1', kind, metadata, type: args.type ?? 'Opaque', data: base64(data) };
    items.push({ object, generatedName: args.name });
    return;
  }
  if (!existing) throw new Error(`${kind} ${args.name}: behavior ${behavior} needs a base`);
  const previous = (existing.object['data'] ?? {}) as Record<string, string>;
  const encoded = kind === 'Secret' ? base64(data) : data;
  existing.object['data'] = behavior === 'merge' ? { ...previous, ...encoded } : encoded;
  if (kind === 'Secret' && args.type !== undefined) existing.object['type'] = args.type;
}

function applyLabels(items: Item[], entry: LabelsEntry, file: string): void {
  if (entry.includeSelectors) {
    throw new Error(`${file}: labels with includeSelectors are not supported by this renderer`);
  }
  for (const { object } of items) {
    object.metadata.labels = { ...object.metadata.labels, ...entry.pairs };
    if (entry.includeTemplates) {
      const template = podTemplate(object);
      if (template) {
        template.metadata = template.metadata ?? {};
        template.metadata.labels = { ...template.metadata.labels, ...entry.pairs };
      }
    }
  }
}

function applyImage(items: Item[], entry: ImageEntry): void {
  for (const { object } of items) {
    for (const container of containersOf(object)) {
      if (typeof container.image !== 'string') continue;
      const image = parseImage(container.image);
      if (image.name !== entry.name) continue;
      const name = entry.newName ?? image.name;
      if (entry.digest !== undefined) container.image = `${name}@${entry.digest}`;
      else if (entry.newTag !== undefined) container.image = `${name}:${entry.newTag}`;
      else
        container.image = `${name}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
    }
  }
}

/** Appends the content hash to generated names and rewrites every reference to them. */
function finalize(items: Item[]): K8sObject[] {
  const renamed = new Map<string, string>(); // `${kind}/${name}` → hashed name
  for (const item of items) {
    if (item.generatedName === undefined) continue;
    const hashed = `${item.generatedName}-${kustomizeHash(item.object)}`;
    renamed.set(`${item.object.kind}/${item.generatedName}`, hashed);
    item.object.metadata.name = hashed;
  }
  const rename = (kind: string, name: unknown): unknown =>
    typeof name === 'string' ? (renamed.get(`${kind}/${name}`) ?? name) : name;
  for (const { object } of items) {
    const spec = podTemplate(object)?.spec;
    if (!spec) continue;
    for (const container of containersOf(object)) {
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef)
          source.configMapRef.name = rename('ConfigMap', source.configMapRef.name);
        if (source.secretRef) source.secretRef.name = rename('Secret', source.secretRef.name);
      }
      for (const variable of container.env ?? []) {
        const from = variable.valueFrom;
        if (from?.configMapKeyRef) {
          from.configMapKeyRef.name = rename('ConfigMap', from.configMapKeyRef.name);
        }
        if (from?.secretKeyRef) from.secretKeyRef.name = rename('Secret', from.secretKeyRef.name);
      }
    }
    for (const volume of spec.volumes ?? []) {
      if (volume.configMap) volume.configMap.name = rename('ConfigMap', volume.configMap.name);
      if (volume.secret) volume.secret.secretName = rename('Secret', volume.secret.secretName);
      for (const source of volume.projected?.sources ?? []) {
        if (source.configMap) source.configMap.name = rename('ConfigMap', source.configMap.name);
        if (source.secret) source.secret.name = rename('Secret', source.secret.name);
      }
    }
    for (const pullSecret of spec.imagePullSecrets ?? []) {
      pullSecret.name = rename('Secret', pullSecret.name);
    }
  }
  return items.map((item) => item.object);
}

/**
 * kustomize's name suffix (api/hasher): sha256 of Go's JSON encoding of the kind, the data
 * (and a Secret's type), the first 10 hex digits with 0,1,3,a,e swapped for g,h,k,m,t. The
 * encoded "name" is always empty: kustomize looks the name up as the single key
 * "metadata/name", which finds nothing; the vectors in kustomize.spec.ts pin this.
 */
export function kustomizeHash(object: K8sObject): string {
  const encoded: Record<string, unknown> = { kind: object.kind, name: '' };
  encoded['data'] = object['data'] ?? '';
  if (object.kind === 'ConfigMap') {
    if (isRecord(object['binaryData'])) encoded['binaryData'] = object['binaryData'];
  } else if (object.kind === 'Secret') {
    encoded['type'] = object['type'] ?? '';
    if (isRecord(object['stringData'])) encoded['stringData'] = object['stringData'];
  } else {
    throw new Error(`no hash rule for kind ${object.kind}`);
  }
  const hex = createHash('sha256').update(goJson(encoded)).digest('hex');
  const swap: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return hex.slice(0, 10).replace(/[013ae]/g, (c) => swap[c] ?? c);
}

/** JSON as Go's encoding/json writes it: map keys sorted, <, >, &, U+2028/9 escaped. */
export function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${goString(key)}:${goJson(value[key])}`).join(',')}}`;
  }
  if (typeof value === 'string') return goString(value);
  return JSON.stringify(value);
}

function goString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** kustomize's env file rules: KEY=VALUE lines, value verbatim; blank and # lines skipped. */
export function parseEnvFile(text: string, name: string): Record<string, string> {
  const data: Record<string, string> = {};
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.replace(/^\s+/, '');
      if (line === '' || line.startsWith('#')) return;
      const [key, value] = splitPair(line.replace(/\r$/, ''), `${name}:${index + 1}`);
      data[key] = value;
    });
  return data;
}

function splitPair(text: string, where: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new Error(`${where}: expected KEY=VALUE`);
  const key = text.slice(0, at);
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) throw new Error(`${where}: invalid key ${key}`);
  return [key, text.slice(at + 1)];
}

function stripQuotes(value: string): string {
  const quoted = /^(["'])(.*)\1$/s.exec(value);
  return quoted ? (quoted[2] ?? '') : value;
}

function base64(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, wrapped(value)]));
}

/**
 * kyaml's encodeBase64: standard base64 cut into lines of 70 characters, each line ended by
 * a newline once there are two lines or more (the API server's decoder skips newlines).
 */
function wrapped(value: string): string {
  const encoded = Buffer.from(value).toString('base64');
  if (encoded.length < 70) return encoded;
  return (encoded.match(/.{1,70}/g) ?? []).map((line) => `${line}\n`).join('');
}

export function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest = '', digest] = image.split('@', 2);
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const result: { name: string; tag?: string; digest?: string } =
    colon > slash
      ? { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) }
      : { name: withoutDigest };
  if (digest !== undefined) result.digest = digest;
  return result;
}

export function parseYamlDocuments(text: string, where: string): unknown[] {
  const documents = Array.from(parseAllDocuments(text, { merge: true }));
  const values: unknown[] = [];
  for (const document of documents) {
    const [error] = document.errors;
    if (error) throw new Error(`${where}: ${error.message}`);
    const value: unknown = document.toJSON();
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

function checkObject(value: unknown, where: string): K8sObject {
  if (
    !isRecord(value) ||
    typeof value['apiVersion'] !== 'string' ||
    typeof value['kind'] !== 'string' ||
    !isRecord(value['metadata']) ||
    typeof value['metadata']['name'] !== 'string'
  ) {
    throw new Error(`${where}: every document needs apiVersion, kind and metadata.name`);
  }
  return value as K8sObject;
}

function checkKind(object: K8sObject): void {
  if (!CLUSTER_SCOPED.has(object.kind) && !NAMESPACED.has(object.kind)) {
    throw new Error(`kind ${object.kind} is not known to this renderer`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// --- the pod-spec shapes this file reads and rewrites -------------------------------------

export interface KeyRef {
  name?: unknown;
  key?: string;
}

export interface Container {
  name: string;
  image?: unknown;
  envFrom?: { configMapRef?: KeyRef; secretRef?: KeyRef }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef };
  }[];
  [field: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: {
    name: string;
    configMap?: KeyRef;
    secret?: { secretName?: unknown };
    emptyDir?: Record<string, unknown>;
    projected?: { sources?: { configMap?: KeyRef; secret?: KeyRef }[] };
  }[];
  imagePullSecrets?: { name?: unknown }[];
  [field: string]: unknown;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export function podTemplate(object: K8sObject): PodTemplate | undefined {
  const spec = object['spec'] as Record<string, unknown> | undefined;
  if (POD_TEMPLATE_KINDS.has(object.kind)) return spec?.['template'] as PodTemplate | undefined;
  if (object.kind === 'CronJob') {
    const jobTemplate = spec?.['jobTemplate'] as { spec?: { template?: PodTemplate } } | undefined;
    return jobTemplate?.spec?.template;
  }
  return undefined;
}

export function containersOf(object: K8sObject): Container[] {
  const spec = podTemplate(object)?.spec;
  return spec ? [...(spec.initContainers ?? []), ...spec.containers] : [];
}
