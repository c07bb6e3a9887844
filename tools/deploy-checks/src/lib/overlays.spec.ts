import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatProblems, referencedSecrets, runChecks } from './checks';
import { DEFAULT_GATEWAY_COUNT, GATEWAY_INSTANCE_LABEL, GATEWAY_STATEFULSETS_FILE, GATEWAY_TEMPLATE_FILE, gatewayCountOf, gatewayIds, gatewayStatefulSetsYaml } from './gateways';
import { kafkaTopicsYaml } from './kafka-topics';
import { kustomize, kustomizeWithComponents } from './kustomize';
import { get, objectsAt, stringMap, type Manifest } from './manifest';
import { APPS, COMPONENTS, componentDir, KAFKA_TOPICS_DIR, OVERLAYS, overlayDir, WORKSPACE_ROOT, type Overlay } from './paths';
import { BuiltServiceConfig } from './service-config';
import { appOfImage, containersOf, podTemplates } from './workloads';

const services = new BuiltServiceConfig();
/** The gateways that base/gateway/statefulsets.yaml holds, gateway-0 ... */
const gateways = gatewayIds(gatewayCountOf(readFileSync(GATEWAY_STATEFULSETS_FILE, 'utf8')));
const rendered = Object.fromEntries(OVERLAYS.map((overlay) => [overlay, kustomize(overlayDir(overlay))])) as Record<Overlay, Manifest[]>;

function configOf(manifests: Manifest[], app: string): Record<string, string> {
  return stringMap(get(manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === `${app}-config`), 'data'));
}

function autoscalerOf(manifests: Manifest[], workload: Manifest): Manifest | undefined {
  return manifests.find((m) => m.kind === 'HorizontalPodAutoscaler' && get(m, 'spec', 'scaleTargetRef', 'name') === workload.metadata.name);
}

describe.each(OVERLAYS)('overlays/%s', (overlay) => {
  const manifests = rendered[overlay];

  it('passes every check', async () => {
    expect(formatProblems(await runChecks(manifests, services))).toBe('');
  });

  it('runs every service once (the gateway once per gateway), from its image, in its own namespace', () => {
    const apps = podTemplates(manifests).flatMap((pod) => containersOf(pod).map((c) => appOfImage(c['image'])));
    expect(apps.sort()).toEqual([...APPS.filter((app) => app !== 'gateway'), ...gateways.map(() => 'gateway')].sort());
    expect(new Set(manifests.filter((m) => m.kind !== 'Namespace').map((m) => m.metadata.namespace))).toEqual(new Set([manifests[0].metadata.name]));
    for (const pod of podTemplates(manifests)) {
      for (const container of containersOf(pod)) expect(container['image']).toMatch(/^ghcr\.io\/OWNER\/chat-[a-z]+:(main|TAG)$/);
    }
  });
});

describe('overlays/dev', () => {
  const manifests = rendered.dev;

  it('runs one pod per service with debug logs and single-replica topics, without autoscalers', () => {
    for (const pod of podTemplates(manifests)) expect(get(pod.workload, 'spec', 'replicas')).toBe(1);
    expect(manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    for (const app of APPS) expect(configOf(manifests, app)).toMatchObject({ KAFKA_REPLICATION_FACTOR: '1', LOG_LEVEL: 'debug' });
  });
});

describe('overlays/prod', () => {
  const manifests = rendered.prod;

  it('keeps at least two pods of every other service through autoscalers where there are some, and three gateways', () => {
    for (const pod of podTemplates(manifests).filter((p) => p.labels['app.kubernetes.io/name'] !== 'gateway')) {
      const autoscaler = autoscalerOf(manifests, pod.workload);
      const minimum = autoscaler ? get(autoscaler, 'spec', 'minReplicas') : get(pod.workload, 'spec', 'replicas');
      expect([pod.workload.metadata.name, minimum]).toEqual([pod.workload.metadata.name, expect.any(Number)]);
      expect(minimum).toBeGreaterThanOrEqual(2);
    }
    expect(gateways.length).toBeGreaterThanOrEqual(DEFAULT_GATEWAY_COUNT);
    expect(manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler').map((m) => m.metadata.name).sort()).toEqual(['auth', 'persistence', 'router']);
  });

  it('runs each gateway as a StatefulSet of one pod with its own id and Kafka Secret, selected with the others by the Services, the PDB and the NetworkPolicy', () => {
    const sets = manifests.filter((m) => m.kind === 'StatefulSet');
    expect(sets.map((m) => m.metadata.name)).toEqual(gateways);
    for (const set of sets) {
      const env = objectsAt(set, 'spec', 'template', 'spec', 'containers', 0, 'env');
      const secrets = new Set(env.map((v) => get(v, 'valueFrom', 'secretKeyRef', 'name')).filter((name) => typeof name === 'string' && name.startsWith('kafka-credentials-')));
      expect([get(set, 'spec', 'replicas'), env.find((v) => v['name'] === 'INSTANCE_ID')?.['value'], [...secrets]]).toEqual([1, set.metadata.name, [`kafka-credentials-${set.metadata.name}`]]);
      expect(stringMap(get(set, 'spec', 'selector', 'matchLabels'))).toEqual({ 'app.kubernetes.io/name': 'gateway', [GATEWAY_INSTANCE_LABEL]: set.metadata.name });
      expect(autoscalerOf(manifests, set)).toBeUndefined();
    }
    const selectorOf = (kind: string, name: string) => stringMap(get(manifests.find((m) => m.kind === kind && m.metadata.name === name), 'spec', 'selector'));
    expect(selectorOf('Service', 'gateway')).toEqual({ 'app.kubernetes.io/name': 'gateway' });
    expect(selectorOf('Service', 'gateway-headless')).toEqual({ 'app.kubernetes.io/name': 'gateway' });
    expect(stringMap(get(manifests.find((m) => m.kind === 'PodDisruptionBudget' && m.metadata.name === 'gateway'), 'spec', 'selector', 'matchLabels'))).toEqual({ 'app.kubernetes.io/name': 'gateway' });
    expect(stringMap(get(manifests.find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'gateway'), 'spec', 'podSelector', 'matchLabels'))).toEqual({ 'app.kubernetes.io/name': 'gateway' });
  });

  it('runs in production mode with replicated topics, spread over nodes and zones', () => {
    for (const app of APPS) expect(configOf(manifests, app)).toMatchObject({ NODE_ENV: 'production', KAFKA_REPLICATION_FACTOR: '3' });
    for (const pod of podTemplates(manifests)) {
      const constraints = objectsAt(pod.spec, 'topologySpreadConstraints');
      expect([pod.workload.metadata.name, constraints.map((c) => c['topologyKey'])]).toEqual([pod.workload.metadata.name, ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']]);
      // A gateway spreads against every gateway, not only the pod of its own StatefulSet.
      for (const constraint of constraints) expect(stringMap(get(constraint, 'labelSelector', 'matchLabels'))).toEqual({ 'app.kubernetes.io/name': pod.labels['app.kubernetes.io/name'] });
      expect([pod.workload.metadata.name, get(containersOf(pod)[0], 'resources', 'requests', 'cpu')]).toEqual([pod.workload.metadata.name, pod.workload.metadata.name === 'metrics' ? '200m' : '500m']);
    }
  });
});

describe('optional components on top of overlays/prod', () => {
  it.each(COMPONENTS)('%s passes every check', async (component) => {
    const manifests = kustomizeWithComponents(overlayDir('prod'), [componentDir(component)]);
    expect(formatProblems(await runChecks(manifests, services))).toBe('');
  });

  it('keda-lag-scaling replaces the CPU autoscalers of router and persistence', () => {
    const manifests = kustomizeWithComponents(overlayDir('prod'), [componentDir('keda-lag-scaling')]);
    expect(manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler').map((m) => m.metadata.name).sort()).toEqual(['auth']);
    expect(manifests.filter((m) => m.kind === 'ScaledObject').map((m) => m.metadata.name).sort()).toEqual(['persistence', 'router']);
  });
});

describe('kafka-topics', () => {
  it('is what libs/protocol defines (regenerate: npx nx run deploy-checks:kafka-topics)', () => {
    expect(readFileSync(path.join(KAFKA_TOPICS_DIR, 'topics.yaml'), 'utf8')).toBe(kafkaTopicsYaml());
  });

  it('passes the schema checks, in the Kafka namespace', async () => {
    const manifests = kustomize(KAFKA_TOPICS_DIR);
    expect(formatProblems(await runChecks(manifests, services))).toBe('');
    expect(new Set(manifests.map((m) => m.metadata.namespace))).toEqual(new Set(['kafka']));
  });
});

describe('gateways', () => {
  it('statefulsets.yaml is what its template generates (regenerate: npx nx run deploy-checks:gateways -- --count N)', () => {
    expect(gateways.length).toBeGreaterThan(0);
    expect(readFileSync(GATEWAY_STATEFULSETS_FILE, 'utf8')).toBe(gatewayStatefulSetsYaml(gateways.length));
  });

  it('generates any count, gateway-0 ... gateway-(N-1), each with its own id, Secret and selector', () => {
    const generated = gatewayStatefulSetsYaml(5);
    expect(gatewayCountOf(generated)).toBe(5);
    for (const [n, id] of gatewayIds(5).entries()) {
      expect(id).toBe(`gateway-${n}`);
      expect(generated).toContain(`  name: ${id}\n`);
      expect(generated).toContain(`              value: ${id}\n`);
      expect(generated).toContain(`                  name: kafka-credentials-${id}\n`);
    }
    expect(generated).not.toContain('gateway-N');
  });

  it('refuses a count that is no whole number from 1 to 100, naming it', () => {
    for (const count of [0, -1, 1.5, 101, Number.NaN]) expect(() => gatewayStatefulSetsYaml(count)).toThrow(`gateway count: ${count} is not a whole number from 1 to 100`);
  });

  it('refuses a template that does not put the id where it belongs, naming what is wrong', () => {
    const template = readFileSync(GATEWAY_TEMPLATE_FILE, 'utf8');
    expect(() => gatewayStatefulSetsYaml(1, template.replace('name: kafka-credentials-gateway-N', 'name: kafka-credentials-gateway'))).toThrow(/KAFKA_SASL_USERNAME's Secret must be kafka-credentials-gateway-0 \(found kafka-credentials-gateway\)/);
    expect(() => gatewayStatefulSetsYaml(1, template.replace('  replicas: 1', '  replicas: 3'))).toThrow(/spec.replicas must be 1 \(found 3\)/);
    expect(() => gatewayStatefulSetsYaml(1, template.replace(/value: gateway-N/, 'valueFrom: { fieldRef: { fieldPath: metadata.name } }'))).toThrow(/INSTANCE_ID must be gateway-0 \(found undefined\)/);
  });
});

describe('docs/deploy.md', () => {
  const docs = () => readFileSync(path.join(WORKSPACE_ROOT, 'docs', 'deploy.md'), 'utf8');

  it('lists every variable each service reads in its environment table', async () => {
    const text = docs();
    const start = text.indexOf('### Environment variables');
    expect(start).toBeGreaterThan(-1);
    const section = text.slice(start, text.indexOf('\n### ', start + 1));
    const documented = new Set([...section.matchAll(/^\|([^|]*)\|/gm)].flatMap(([, cell]) => [...cell.matchAll(/`([A-Z0-9_]+)`/g)].map(([, name]) => name)));
    for (const app of APPS) {
      const { variables } = await services.keys(app);
      expect([app, variables.map((v) => v.name).filter((name) => !documented.has(name))]).toEqual([app, []]);
    }
  });

  it('tells how to create every Secret the manifests reference, with every key', () => {
    const text = docs();
    const secrets = referencedSecrets(rendered.prod);
    expect(secrets.length).toBeGreaterThan(0);
    for (const { secret: referenced, key } of secrets) {
      // The gateways' Secrets follow one pattern: the commands for gateway-0 stand for any count.
      const secret = referenced.replace(/^kafka-credentials-gateway-\d+$/, 'kafka-credentials-gateway-0');
      const command = text.split('\n').find((line) => line.includes(`create secret generic ${secret}`));
      expect([secret, command]).toEqual([secret, expect.any(String)]);
      const block = text.slice(text.indexOf(command as string), text.indexOf('\n\n', text.indexOf(command as string)));
      // Each key as a literal or from a file (a PEM: the CA bundles).
      expect([secret, key, block.includes(`--from-literal=${key}=`) || block.includes(`--from-file=${key}=`)]).toEqual([secret, key, true]);
    }
  });
});
