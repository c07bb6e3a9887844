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
