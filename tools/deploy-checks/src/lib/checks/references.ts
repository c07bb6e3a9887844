import { get, isObject, objectsAt, stringMap, type Json, type Manifest } from '../manifest';
import { isEmptySelector, podTemplates, resolveContainerPort, selects, type PodTemplate } from '../workloads';
import { problem, type Problem } from './problem';

/**
 * What the schemas cannot see: objects that point at each other by name or by labels. A selector
 * that selects nothing is valid YAML and a valid object, and a silent outage.
 */
export function checkReferences(manifests: Manifest[]): Problem[] {
  const pods = podTemplates(manifests);
  const find = (kind: string, name: unknown) => manifests.find((m) => m.kind === kind && m.metadata.name === name);
  const problems: Problem[] = [];

  for (const pod of pods) {
    const selector = get(pod.workload, 'spec', 'selector');
    if (isEmptySelector(selector)) problems.push(problem('selectors', pod.workload, 'spec.selector is empty'));
    else if (!selects(selector, pod.labels)) problems.push(problem('selectors', pod.workload, 'spec.selector does not match the pod template labels'));
  }

  for (const service of manifests.filter((m) => m.kind === 'Service')) {
    const selector = get(service, 'spec', 'selector');
    const selected = selectedPods(pods, selector, true);
    if (selected.length === 0) {
      problems.push(problem('selectors', service, `spec.selector ${JSON.stringify(selector ?? {})} selects no pod template`));
      continue;
    }
    for (const port of objectsAt(service, 'spec', 'ports')) {
      const target = port['targetPort'] ?? port['port'];
      for (const pod of selected.filter((p) => resolveContainerPort(p, target) === undefined)) {
        problems.push(problem('ports', service, `targetPort ${String(target)} is no container port of ${pod.workload.metadata.name}`));
      }
    }
  }

  for (const set of manifests.filter((m) => m.kind === 'StatefulSet')) {
    const governing = find('Service', get(set, 'spec', 'serviceName'));
    if (!governing || get(governing, 'spec', 'clusterIP') !== 'None') {
      problems.push(problem('references', set, `spec.serviceName must name a headless Service (clusterIP: None) of this kustomization`));
    } else if (!selects(get(governing, 'spec', 'selector'), stringMap(get(set, 'spec', 'template', 'metadata', 'labels')))) {
      problems.push(problem('selectors', governing, `does not select the pods of StatefulSet/${set.metadata.name}`));
    }
  }

  for (const budget of manifests.filter((m) => m.kind === 'PodDisruptionBudget')) {
    if (selectedPods(pods, get(budget, 'spec', 'selector'), false).length === 0) problems.push(problem('selectors', budget, 'spec.selector selects no pod template'));
  }

  const autoscaled = new Set<Manifest>();
  for (const scaler of manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler' || m.kind === 'ScaledObject')) {
    const ref = get(scaler, 'spec', 'scaleTargetRef');
    const kind = get(ref, 'kind') ?? (scaler.kind === 'ScaledObject' ? 'Deployment' : undefined);
    const target = find(String(kind), get(ref, 'name'));
    if (!target) problems.push(problem('references', scaler, `scaleTargetRef ${String(kind)}/${String(get(ref, 'name'))} does not exist`));
    else if (autoscaled.has(target)) problems.push(problem('references', scaler, `${target.kind}/${target.metadata.name} already has an autoscaler; two would fight`));
    else autoscaled.add(target);
  }
  for (const workload of autoscaled) {
    // Each apply would reset the replica count the autoscaler chose.
    if (get(workload, 'spec', 'replicas') !== undefined) problems.push(problem('references', workload, 'sets spec.replicas although an autoscaler owns them'));
  }

  for (const ingress of manifests.filter((m) => m.kind === 'Ingress')) {
    for (const rule of objectsAt(ingress, 'spec', 'rules')) {
      for (const entry of objectsAt(rule, 'http', 'paths')) {
        const backend = get(entry, 'backend', 'service');
        const service = find('Service', get(backend, 'name'));
        const port = get(backend, 'port', 'name') ?? get(backend, 'port', 'number');
        if (!service) problems.push(problem('references', ingress, `path ${String(entry['path'])}: no Service ${String(get(backend, 'name'))}`));
        else if (!objectsAt(service, 'spec', 'ports').some((p) => p['name'] === port || p['port'] === port)) {
          problems.push(problem('ports', ingress, `path ${String(entry['path'])}: Service ${service.metadata.name} has no port ${String(port)}`));
        }
      }
    }
  }

  for (const monitor of manifests.filter((m) => m.kind === 'ServiceMonitor')) {
    const services = manifests.filter((m) => m.kind === 'Service' && selects(get(monitor, 'spec', 'selector'), m.metadata.labels ?? {}));
    if (services.length === 0) problems.push(problem('references', monitor, 'selects no Service'));
    for (const endpoint of objectsAt(monitor, 'spec', 'endpoints')) {
      for (const service of services.filter((s) => !objectsAt(s, 'spec', 'ports').some((p) => p['name'] === endpoint['port']))) {
        problems.push(problem('ports', monitor, `Service ${service.metadata.name} has no port named ${String(endpoint['port'])}`));
      }
    }
    // Two selected Services in front of the same pods: every target scraped twice.
    const scrapedBy = new Map<PodTemplate, string[]>();
    for (const service of services) {
      for (const pod of selectedPods(pods, get(service, 'spec', 'selector'), true)) scrapedBy.set(pod, [...(scrapedBy.get(pod) ?? []), service.metadata.name]);
    }
    for (const [pod, names] of scrapedBy) {
      if (names.length > 1) problems.push(problem('references', monitor, `scrapes ${pod.workload.metadata.name} twice, through ${names.join(' and ')}`));
    }
  }

  return problems;
}

/** The pod templates a selector selects; `plain` for a Service's label map, else a LabelSelector. */
function selectedPods(pods: PodTemplate[], selector: Json | undefined, plain: boolean): PodTemplate[] {
  const labelSelector: Json | undefined = plain ? { matchLabels: selector ?? null } : selector;
  if (!isObject(selector) || isEmptySelector(labelSelector)) return [];
  return pods.filter((pod) => selects(labelSelector, pod.labels));
}
