import { get, isObject, objectsAt, type Json, type JsonObject, type Manifest } from '../manifest';
import { containersOf, podTemplates, type PodTemplate } from '../workloads';
import { problem, type Problem } from './problem';

/** The services' health endpoints (libs/service-kit): liveness never looks at Kafka, readiness does. */
const LIVENESS_PATH = '/healthz';
const READINESS_PATH = '/readyz';
/** "node" in the node:20-bookworm-slim image the services run in. */
const NODE_UID = 1000;

/** Every container: probes on the services' own endpoints, requests and limits, a locked-down securityContext. */
export function checkPods(manifests: Manifest[]): Problem[] {
  return podTemplates(manifests).flatMap((pod) => [...podSecurity(pod), ...containersOf(pod).flatMap((container) => containerProblems(pod, container))]);
}

function containerProblems(pod: PodTemplate, container: JsonObject): Problem[] {
  const name = String(container['name']);
  const at = (check: Problem['check'], message: string) => problem(check, pod.workload, `container ${name}: ${message}`);
  const problems: Problem[] = [];

  for (const [probe, path] of [['livenessProbe', LIVENESS_PATH], ['readinessProbe', READINESS_PATH]] as const) {
    const actual = get(container, probe, 'httpGet', 'path');
    if (!isObject(get(container, probe))) problems.push(at('probes', `no ${probe}`));
    else if (actual !== path) problems.push(at('probes', `${probe} must GET ${path} (found ${String(actual ?? 'no httpGet')})`));
  }

  for (const resource of ['cpu', 'memory'] as const) {
    const request = quantity(get(container, 'resources', 'requests', resource));
    const limit = quantity(get(container, 'resources', 'limits', resource));
    if (request === undefined) problems.push(at('resources', `no ${resource} request`));
    if (limit === undefined) problems.push(at('resources', `no ${resource} limit`));
    if (request !== undefined && limit !== undefined && request > limit) problems.push(at('resources', `${resource} request above its limit`));
  }

  const effective = (key: string): Json | undefined => get(container, 'securityContext', key) ?? get(pod.spec, 'securityContext', key);
  if (effective('runAsNonRoot') !== true) problems.push(at('security', 'runAsNonRoot must be true'));
  if (effective('runAsUser') !== NODE_UID) problems.push(at('security', `runAsUser must be ${NODE_UID} (node)`));
  if (get(effective('seccompProfile'), 'type') !== 'RuntimeDefault') problems.push(at('security', 'seccompProfile must be RuntimeDefault'));
  if (get(container, 'securityContext', 'allowPrivilegeEscalation') !== false) problems.push(at('security', 'allowPrivilegeEscalation must be false'));
  if (get(container, 'securityContext', 'privileged') === true) problems.push(at('security', 'must not be privileged'));
  if (get(container, 'securityContext', 'readOnlyRootFilesystem') !== true) problems.push(at('security', 'readOnlyRootFilesystem must be true'));
  const drop = get(container, 'securityContext', 'capabilities', 'drop');
  if (!Array.isArray(drop) || !drop.includes('ALL')) problems.push(at('security', 'capabilities must drop ALL'));
  if (Array.isArray(get(container, 'securityContext', 'capabilities', 'add'))) problems.push(at('security', 'must not add capabilities'));

  // With a read-only root, /tmp must be a volume of its own (Node and libraries write temp files there).
  const tmpMount = objectsAt(container, 'volumeMounts').find((mount) => mount['mountPath'] === '/tmp');
  const tmpVolume = objectsAt(pod.spec, 'volumes').find((volume) => volume['name'] === tmpMount?.['name']);
  if (!tmpMount || !isObject(get(tmpVolume, 'emptyDir'))) problems.push(at('security', 'needs an emptyDir mounted at /tmp (the root filesystem is read-only)'));
  return problems;
}

function podSecurity(pod: PodTemplate): Problem[] {
  // The services never call the Kubernetes API: no token in the pod for an intruder to use.
  if (get(pod.spec, 'automountServiceAccountToken') !== false) return [problem('security', pod.workload, 'automountServiceAccountToken must be false')];
  return [];
}

/** A Kubernetes quantity ("250m", "1", "512Mi", "1Gi") as a number of base units. */
export function quantity(value: Json | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value.trim());
  if (!match) return undefined;
  const factors: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(match[1]) * (match[2] ? factors[match[2]] : 1);
}
