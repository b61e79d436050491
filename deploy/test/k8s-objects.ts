// The shapes of the Kubernetes objects the deployment checks read, and the YAML parsing.
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

const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

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

/** `registry:5000/a/b:1.2@sha256:…` → name, tag and digest. */
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

/** Every non-empty document of a YAML stream; a syntax error names `where`. */
export function parseYamlDocuments(text: string, where: string): unknown[] {
  const values: unknown[] = [];
  for (const document of Array.from(parseAllDocuments(text, { merge: true }))) {
    const [error] = document.errors;
    if (error) throw new Error(`${where}: ${error.message}`);
    const value: unknown = document.toJSON();
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}
