import { get, objectsAt, type JsonObject, type Manifest } from '../manifest';
import { containersOf, isEmptySelector, podTemplates, resolveContainerPort, selects, type PodTemplate } from '../workloads';
import { problem, type Problem } from './problem';

const DNS_PORT = 53;
/** Kafka's TLS listener (SASL_SSL): the only one the services use (KAFKA_BROKERS). */
const KAFKA_PORT = 9093;
const POSTGRES_PORT = 5432;

/**
 * NetworkPolicies: a default deny, every policy selecting pods that exist, ports that exist on them,
 * no rule open to every port, and for every pod the egress it cannot work without (DNS, Kafka, and
 * PostgreSQL for the services with a DATABASE_URL).
 */
export function checkNetworkPolicies(manifests: Manifest[]): Problem[] {
  const pods = podTemplates(manifests);
  const policies = manifests.filter((m) => m.kind === 'NetworkPolicy');
  const problems: Problem[] = [];

  const defaultDeny = policies.some((policy) => {
    const types = get(policy, 'spec', 'policyTypes');
    return (
      isEmptySelector(get(policy, 'spec', 'podSelector')) &&
      Array.isArray(types) &&
      types.includes('Ingress') &&
      types.includes('Egress') &&
      objectsAt(policy, 'spec', 'ingress').length === 0 &&
      objectsAt(policy, 'spec', 'egress').length === 0
    );
  });
  if (pods.length > 0 && !defaultDeny) problems.push(problem('network-policy', 'NetworkPolicy/*', 'no default-deny policy (empty podSelector, Ingress and Egress, no rules)'));

  for (const policy of policies) {
    const selector = get(policy, 'spec', 'podSelector');
    if (isEmptySelector(selector)) continue;
    const selected = pods.filter((pod) => selects(selector, pod.labels));
    if (selected.length === 0) {
      problems.push(problem('network-policy', policy, 'spec.podSelector selects no pod template'));
      continue;
    }
    for (const direction of ['ingress', 'egress'] as const) {
      for (const [index, rule] of objectsAt(policy, 'spec', direction).entries()) {
        const ports = objectsAt(rule, 'ports');
        if (ports.length === 0) problems.push(problem('network-policy', policy, `${direction}[${index}] allows every port: name them`));
        for (const peer of objectsAt(rule, direction === 'ingress' ? 'from' : 'to')) {
          // A pod selector without a namespace selector means pods of this namespace: they must exist.
          if (get(peer, 'podSelector') !== undefined && get(peer, 'namespaceSelector') === undefined && !pods.some((pod) => selects(get(peer, 'podSelector'), pod.labels))) {
            problems.push(problem('network-policy', policy, `${direction}[${index}]: podSelector selects no pod of this namespace`));
          }
        }
        if (direction !== 'ingress') continue;
        for (const port of ports) {
          for (const pod of selected.filter((p) => resolveContainerPort(p, port['port'] ?? null) === undefined)) {
            problems.push(problem('network-policy', policy, `ingress[${index}] port ${String(port['port'])} is no container port of ${pod.workload.metadata.name}`));
          }
        }
      }
    }
  }

  for (const pod of pods) {
    const own = policies.filter((policy) => !isEmptySelector(get(policy, 'spec', 'podSelector')) && selects(get(policy, 'spec', 'podSelector'), pod.labels));
    const needs = [DNS_PORT, KAFKA_PORT, ...(setsVariable(pod, 'DATABASE_URL') ? [POSTGRES_PORT] : [])];
    for (const port of needs.filter((p) => !own.some((policy) => allowsEgressTo(policy, p)))) {
      problems.push(problem('network-policy', pod.workload, `no NetworkPolicy allows its egress to port ${port}`));
    }
  }
  return problems;
}

function allowsEgressTo(policy: Manifest, port: number): boolean {
  return objectsAt(policy, 'spec', 'egress').some((rule: JsonObject) => objectsAt(rule, 'ports').some((p) => p['port'] === port));
}

function setsVariable(pod: PodTemplate, name: string): boolean {
  return containersOf(pod).some((container) => objectsAt(container, 'env').some((variable) => variable['name'] === name));
}
