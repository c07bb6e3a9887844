import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatProblems, referencedSecrets, runChecks } from './checks';
import { kafkaTopicsYaml } from './kafka-topics';
import { kustomize, kustomizeWithComponents } from './kustomize';
import { get, objectsAt, stringMap, type Manifest } from './manifest';
import { APPS, COMPONENTS, componentDir, KAFKA_TOPICS_DIR, OVERLAYS, overlayDir, WORKSPACE_ROOT, type Overlay } from './paths';
import { BuiltServiceConfig } from './service-config';
import { appOfImage, containersOf, podTemplates } from './workloads';

const services = new BuiltServiceConfig();
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

  it('runs every service once, from its image, in its own namespace', () => {
    const apps = podTemplates(manifests).flatMap((pod) => containersOf(pod).map((c) => appOfImage(c['image'])));
    expect(apps.sort()).toEqual([...APPS].sort());
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

  it('keeps at least two pods of every service, three gateways, through autoscalers where there are some', () => {
    for (const pod of podTemplates(manifests)) {
      const autoscaler = autoscalerOf(manifests, pod.workload);
      const minimum = autoscaler ? get(autoscaler, 'spec', 'minReplicas') : get(pod.workload, 'spec', 'replicas');
      expect([pod.workload.metadata.name, minimum]).toEqual([pod.workload.metadata.name, expect.any(Number)]);
      expect(minimum).toBeGreaterThanOrEqual(pod.workload.metadata.name === 'gateway' ? 3 : 2);
    }
    expect(manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler').map((m) => m.metadata.name).sort()).toEqual(['auth', 'gateway', 'persistence', 'router']);
  });

  it('scales gateways on their connections and CPU', () => {
    const metrics = objectsAt(autoscalerOf(manifests, manifests.find((m) => m.kind === 'StatefulSet') as Manifest), 'spec', 'metrics');
    expect(metrics.map((m) => get(m, 'pods', 'metric', 'name') ?? get(m, 'resource', 'name'))).toEqual(['chat_connections', 'cpu']);
  });

  it('runs in production mode with replicated topics, spread over nodes and zones', () => {
    for (const app of APPS) expect(configOf(manifests, app)).toMatchObject({ NODE_ENV: 'production', KAFKA_REPLICATION_FACTOR: '3' });
    for (const pod of podTemplates(manifests)) {
      expect(objectsAt(pod.spec, 'topologySpreadConstraints').map((c) => c['topologyKey'])).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
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
    expect(manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler').map((m) => m.metadata.name).sort()).toEqual(['auth', 'gateway']);
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
    for (const { secret, key } of secrets) {
      const command = text.split('\n').find((line) => line.includes(`create secret generic ${secret}`));
      expect([secret, command]).toEqual([secret, expect.any(String)]);
      const block = text.slice(text.indexOf(command as string), text.indexOf('\n\n', text.indexOf(command as string)));
      // Each key as a literal or from a file (a PEM: the CA bundles).
      expect([secret, key, block.includes(`--from-literal=${key}=`) || block.includes(`--from-file=${key}=`)]).toEqual([secret, key, true]);
    }
  });
});
