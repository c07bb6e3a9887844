import path from 'node:path';
import { get, isObject, objectsAt, stringMap, type Json, type JsonObject, type Manifest } from './manifest';
import { APPS, type App } from './paths';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'];

export interface PodTemplate {
  workload: Manifest;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: JsonObject;
  /** A name such a pod would get: INSTANCE_ID comes from it (metadata.name through the downward API). */
  examplePodName: string;
}

export function podTemplates(manifests: Manifest[]): PodTemplate[] {
  return manifests
    .filter((m) => WORKLOAD_KINDS.includes(m.kind))
    .map((workload) => {
      const spec = get(workload, 'spec', 'template', 'spec');
      const name = workload.metadata.name;
      return {
        workload,
        labels: stringMap(get(workload, 'spec', 'template', 'metadata', 'labels')),
        annotations: stringMap(get(workload, 'spec', 'template', 'metadata', 'annotations')),
        spec: isObject(spec) ? spec : {},
        // A StatefulSet's pods are <name>-<ordinal>; a Deployment's <name>-<replicaset hash>-<suffix>.
        examplePodName: workload.kind === 'StatefulSet' ? `${name}-0` : `${name}-5d8c7b9f6d-x2k4p`,
      };
    });
}

export function containersOf(pod: PodTemplate): JsonObject[] {
  return objectsAt(pod.spec, 'containers');
}

/** Whether a label selector (matchLabels and matchExpressions, or a plain map as Services use) selects these labels. */
export function selects(selector: Json | undefined, labels: Record<string, string>): boolean {
  if (!isObject(selector)) return false;
  const hasStructure = 'matchLabels' in selector || 'matchExpressions' in selector;
  const matchLabels = stringMap(hasStructure ? selector['matchLabels'] : selector);
  const expressions = hasStructure ? objectsAt(selector, 'matchExpressions') : [];
  return (
    Object.entries(matchLabels).every(([key, value]) => labels[key] === value) &&
    expressions.every((expression) => {
      const key = String(expression['key']);
      const values = Array.isArray(expression['values']) ? expression['values'].map(String) : [];
      switch (expression['operator']) {
        case 'In':
          return key in labels && values.includes(labels[key]);
        case 'NotIn':
          return !(key in labels) || !values.includes(labels[key]);
        case 'Exists':
          return key in labels;
        case 'DoesNotExist':
          return !(key in labels);
        default:
          return false;
      }
    })
  );
}

/** Whether a selector is empty, i.e. selects every pod (`podSelector: {}`). */
export function isEmptySelector(selector: Json | undefined): boolean {
  return isObject(selector) && Object.keys(stringMap(selector['matchLabels'])).length === 0 && objectsAt(selector, 'matchExpressions').length === 0;
}

/** The container port a port reference (a number or a port name) resolves to in this pod, if any. */
export function resolveContainerPort(pod: PodTemplate, reference: Json | undefined): number | undefined {
  const ports = containersOf(pod).flatMap((container) => objectsAt(container, 'ports'));
  const port = ports.find((p) => (typeof reference === 'string' ? p['name'] === reference : p['containerPort'] === reference));
  return typeof port?.['containerPort'] === 'number' ? port['containerPort'] : undefined;
}

/** The service a container runs, from its image (`chat-<app>`, with or without registry and tag). */
export function appOfImage(image: Json | undefined): App | undefined {
  if (typeof image !== 'string') return undefined;
  const repository = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const name = repository.slice(repository.lastIndexOf('/') + 1);
  return APPS.find((app) => name === `chat-${app}`);
}

/** Where one variable of a container gets its value. */
export type EnvSource =
  /** A value written in the manifests: `env[].value` or a key of a ConfigMap (envFrom, configMapKeyRef). */
  | { kind: 'literal'; value: string; origin: string }
  | { kind: 'secret'; secret: string; key: string }
  /** A ConfigMap the operator creates (not in the manifests), e.g. jwt-public-keys. */
  | { kind: 'operator-config-map'; configMap: string; key: string }
  | { kind: 'field'; fieldPath: string };

export interface ContainerEnv {
  sources: Map<string, EnvSource>;
  /** What cannot be resolved, as `[check, message]`. */
  problems: ['config' | 'references', string][];
}

/**
 * Every variable a container gets and where from: its ConfigMaps (envFrom), then `env` (literal
 * values, secretKeyRef, configMapKeyRef, the downward API). The one reader of a container's
 * environment; the config and the credentials checks both use it.
 */
export function containerEnv(manifests: Manifest[], container: JsonObject): ContainerEnv {
  const sources = new Map<string, EnvSource>();
  const problems: ContainerEnv['problems'] = [];
  const configMap = (name: Json | undefined) => manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === name);

  for (const source of objectsAt(container, 'envFrom')) {
    const name = get(source, 'configMapRef', 'name');
    if (get(source, 'secretRef') !== undefined) problems.push(['config', 'envFrom secretRef hides which variables a Secret sets: use env[].valueFrom.secretKeyRef']);
    else if (source['prefix'] !== undefined) problems.push(['config', 'envFrom prefix is not supported by the checks']);
    else if (!configMap(name)) problems.push(['references', `envFrom: no ConfigMap ${String(name)}`]);
    else for (const [key, value] of Object.entries(stringMap(get(configMap(name), 'data')))) sources.set(key, { kind: 'literal', value, origin: `ConfigMap ${String(name)}` });
  }
  for (const variable of objectsAt(container, 'env')) {
    const name = String(variable['name']);
    if (sources.has(name)) problems.push(['config', `${name} is set both in a ConfigMap and in env`]);
    const value = variable['value'];
    const fieldPath = get(variable, 'valueFrom', 'fieldRef', 'fieldPath');
    const secretRef = get(variable, 'valueFrom', 'secretKeyRef');
    const configMapRef = get(variable, 'valueFrom', 'configMapKeyRef');
    if (typeof value === 'string') sources.set(name, { kind: 'literal', value, origin: 'env' });
    else if (typeof fieldPath === 'string') sources.set(name, { kind: 'field', fieldPath });
    else if (typeof get(secretRef, 'name') === 'string' && typeof get(secretRef, 'key') === 'string') {
      sources.set(name, { kind: 'secret', secret: String(get(secretRef, 'name')), key: String(get(secretRef, 'key')) });
    } else if (configMapRef !== undefined) {
      const mapName = String(get(configMapRef, 'name'));
      const key = String(get(configMapRef, 'key'));
      const map = configMap(mapName);
      if (!map) sources.set(name, { kind: 'operator-config-map', configMap: mapName, key });
      else if (key in stringMap(get(map, 'data'))) sources.set(name, { kind: 'literal', value: stringMap(get(map, 'data'))[key], origin: `ConfigMap ${mapName}` });
      else problems.push(['references', `${name}: no key ${key} in ConfigMap ${mapName}`]);
    } else problems.push(['config', `${name}: a value source the checks cannot resolve`]);
  }
  return { sources, problems };
}

/** A file a container sees on a volume: which mount, and which Secret or ConfigMap key it holds. */
export interface MountedFile {
  mountPath: string;
  readOnly: boolean;
  /** The volume's source; `other` for emptyDir and the like (no key behind a file). */
  source: { kind: 'secret' | 'configMap'; name: string } | { kind: 'other' };
  /** The key of the Secret or ConfigMap the file holds; undefined when no key maps to that file. */
  key?: string;
}

/** The volume file at an absolute path of the container, if a volumeMount covers it. */
export function mountedFileAt(pod: PodTemplate, container: JsonObject, file: string): MountedFile | undefined {
  if (!path.posix.isAbsolute(file)) return undefined;
  const target = path.posix.normalize(file);
  for (const mount of objectsAt(container, 'volumeMounts')) {
    const mountPath = path.posix.normalize(String(mount['mountPath']));
    const subPath = typeof mount['subPath'] === 'string' ? mount['subPath'] : undefined;
    const relative = subPath !== undefined ? (target === mountPath ? subPath : undefined) : target.startsWith(`${mountPath.replace(/\/$/, '')}/`) ? target.slice(mountPath.replace(/\/$/, '').length + 1) : undefined;
    if (relative === undefined) continue;
    const volume = objectsAt(pod.spec, 'volumes').find((v) => v['name'] === mount['name']);
    const readOnly = mount['readOnly'] === true;
    const secretName = get(volume, 'secret', 'secretName');
    const configMapName = get(volume, 'configMap', 'name');
    const backing = typeof secretName === 'string' ? get(volume, 'secret') : typeof configMapName === 'string' ? get(volume, 'configMap') : undefined;
    if (backing === undefined) return { mountPath, readOnly, source: { kind: 'other' } };
    const source = typeof secretName === 'string' ? { kind: 'secret' as const, name: secretName } : { kind: 'configMap' as const, name: String(configMapName) };
    const items = objectsAt(backing, 'items');
    // Without items every key is a file of its name; with items, only the listed ones, at their paths.
    const key = items.length === 0 ? (relative.includes('/') ? undefined : relative) : items.find((item) => item['path'] === relative)?.['key'];
    return { mountPath, readOnly, source, ...(typeof key === 'string' && { key }) };
  }
  return undefined;
}
