import { kustomize } from '../kustomize';
import { clone, get, isObject, type Json, type JsonObject, type Manifest } from '../manifest';
import { KAFKA_TOPICS_DIR, overlayDir } from '../paths';
import { BuiltServiceConfig } from '../service-config';
import { runChecks, type CheckName, type Problem } from '.';

// Every check must catch what it exists for: each case breaks one thing in a correct rendering
// (overlays/prod, which passes every check: overlays.spec.ts) and expects that check to report it.
const services = new BuiltServiceConfig();
const prod = kustomize(overlayDir('prod'));
const topics = kustomize(KAFKA_TOPICS_DIR);

function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

/** The object at a path, for a mutation to change in place. */
function objectAt(value: Json, ...path: (string | number)[]): JsonObject {
  const found = get(value, ...path);
  if (!isObject(found)) throw new Error(`nothing at ${path.join('.')}`);
  return found;
}

const container = (manifests: Manifest[], kind: string, name: string) => objectAt(find(manifests, kind, name), 'spec', 'template', 'spec', 'containers', 0);
const podSpec = (manifests: Manifest[], kind: string, name: string) => objectAt(find(manifests, kind, name), 'spec', 'template', 'spec');
const configData = (manifests: Manifest[], app: string) => objectAt(find(manifests, 'ConfigMap', `${app}-config`), 'data');

interface BrokenCase {
  breaks: string;
  mutate: (manifests: Manifest[]) => void;
  check: CheckName;
  object: string;
  base?: Manifest[];
}

const cases: BrokenCase[] = [
  {
    breaks: 'a workload selector that misses its pod labels',
    mutate: (m) => (objectAt(find(m, 'Deployment', 'router'), 'spec', 'selector', 'matchLabels')['app.kubernetes.io/name'] = 'routr'),
    check: 'selectors',
    object: 'Deployment/router',
  },
  {
    breaks: 'a Service selecting no pod',
    mutate: (m) => (objectAt(find(m, 'Service', 'auth'), 'spec', 'selector')['app.kubernetes.io/name'] = 'oauth'),
    check: 'selectors',
    object: 'Service/auth',
  },
  {
    breaks: 'a PodDisruptionBudget selecting no pod',
    mutate: (m) => (objectAt(find(m, 'PodDisruptionBudget', 'persistence'), 'spec', 'selector', 'matchLabels')['app.kubernetes.io/name'] = 'db'),
    check: 'selectors',
    object: 'PodDisruptionBudget/persistence',
  },
  {
    breaks: 'an autoscaler of a workload that does not exist',
    mutate: (m) => (objectAt(find(m, 'HorizontalPodAutoscaler', 'router'), 'spec', 'scaleTargetRef')['name'] = 'ruoter'),
    check: 'references',
    object: 'HorizontalPodAutoscaler/router',
  },
  {
    breaks: 'a replica count on an autoscaled workload',
    mutate: (m) => (objectAt(find(m, 'Deployment', 'auth'), 'spec')['replicas'] = 2),
    check: 'references',
    object: 'Deployment/auth',
  },
  {
    breaks: 'an Ingress path to a port the Service lacks',
    mutate: (m) => (objectAt(find(m, 'Ingress', 'chat'), 'spec', 'rules', 0, 'http', 'paths', 1, 'backend', 'service', 'port')['name'] = 'ws'),
    check: 'ports',
    object: 'Ingress/chat',
  },
  {
    breaks: 'a Service targetPort that no container has',
    mutate: (m) => (objectAt(find(m, 'Service', 'gateway'), 'spec', 'ports', 0)['targetPort'] = 'web'),
    check: 'ports',
    object: 'Service/gateway',
  },
  {
    breaks: 'HTTP_PORT different from the container port',
    mutate: (m) => (configData(m, 'gateway')['HTTP_PORT'] = '4000'),
    check: 'ports',
    object: 'StatefulSet/gateway',
  },
  {
    breaks: 'a scrape annotation on another port',
    mutate: (m) => (objectAt(find(m, 'Deployment', 'metrics'), 'spec', 'template', 'metadata', 'annotations')['prometheus.io/port'] = '9090'),
    check: 'ports',
    object: 'Deployment/metrics',
  },
  {
    breaks: 'a missing readiness probe',
    mutate: (m) => delete container(m, 'StatefulSet', 'gateway')['readinessProbe'],
    check: 'probes',
    object: 'StatefulSet/gateway',
  },
  {
    breaks: 'a liveness probe on the readiness endpoint',
    mutate: (m) => (objectAt(container(m, 'Deployment', 'auth'), 'livenessProbe', 'httpGet')['path'] = '/readyz'),
    check: 'probes',
    object: 'Deployment/auth',
  },
  {
    breaks: 'a missing memory limit',
    mutate: (m) => delete objectAt(container(m, 'Deployment', 'persistence'), 'resources', 'limits')['memory'],
    check: 'resources',
    object: 'Deployment/persistence',
  },
  {
    breaks: 'a writable root filesystem',
    mutate: (m) => (objectAt(container(m, 'Deployment', 'metrics'), 'securityContext')['readOnlyRootFilesystem'] = false),
    check: 'security',
    object: 'Deployment/metrics',
  },
  {
    breaks: 'a pod running as root',
    mutate: (m) => (objectAt(podSpec(m, 'Deployment', 'router'), 'securityContext')['runAsUser'] = 0),
    check: 'security',
    object: 'Deployment/router',
  },
  {
    breaks: 'a variable the service does not know (a typo)',
    mutate: (m) => (configData(m, 'router')['ROUTER_CONCURENT_PARTITIONS'] = '8'),
    check: 'config',
    object: 'Deployment/router',
  },
  {
    breaks: 'a required variable left out',
    mutate: (m) => delete configData(m, 'auth')['KAFKA_BROKERS'],
    check: 'config',
    object: 'Deployment/auth',
  },
  {
    breaks: 'a value the service rejects',
    mutate: (m) => (configData(m, 'metrics')['LOG_LEVEL'] = 'loud'),
    check: 'config',
    object: 'Deployment/metrics',
  },
  {
    breaks: 'token settings that differ between auth and gateway',
    mutate: (m) => (configData(m, 'auth')['JWT_ISSUER'] = 'someone-else'),
    check: 'config',
    object: 'StatefulSet/gateway',
  },
  {
    breaks: 'a secret key the checks cannot stand in for',
    mutate: (m) => (objectAt(container(m, 'Deployment', 'persistence'), 'env', 1, 'valueFrom', 'secretKeyRef')['key'] = 'DB_URL'),
    check: 'config',
    object: 'Deployment/persistence',
  },
  {
    breaks: 'a grace period shorter than preStop plus the drain',
    mutate: (m) => (podSpec(m, 'Deployment', 'persistence')['terminationGracePeriodSeconds'] = 30),
    check: 'shutdown',
    object: 'Deployment/persistence',
  },
  {
    breaks: 'no preStop sleep',
    mutate: (m) => delete container(m, 'Deployment', 'auth')['lifecycle'],
    check: 'shutdown',
    object: 'Deployment/auth',
  },
  {
    breaks: 'a NetworkPolicy selecting no pod',
    mutate: (m) => (objectAt(find(m, 'NetworkPolicy', 'auth'), 'spec', 'podSelector', 'matchLabels')['app.kubernetes.io/name'] = 'authn'),
    check: 'network-policy',
    object: 'NetworkPolicy/auth',
  },
  {
    breaks: 'no DNS egress',
    mutate: (m) => {
      const spec = objectAt(find(m, 'NetworkPolicy', 'router'), 'spec');
      spec['egress'] = (spec['egress'] as Json[]).filter((rule) => !JSON.stringify(rule).includes('kube-dns'));
    },
    check: 'network-policy',
    object: 'Deployment/router',
  },
  {
    breaks: 'no default deny',
    mutate: (m) => m.splice(m.indexOf(find(m, 'NetworkPolicy', 'default-deny')), 1),
    check: 'network-policy',
    object: 'NetworkPolicy/*',
  },
  {
    breaks: 'a field of the wrong type',
    mutate: (m) => (objectAt(container(m, 'Deployment', 'router'), 'ports', 0)['containerPort'] = '3002'),
    check: 'schema',
    object: 'Deployment/router',
  },
  {
    breaks: 'a misspelt field',
    mutate: (m) => {
      const target = container(m, 'Deployment', 'router');
      target['readinesProbe'] = target['readinessProbe'];
    },
    check: 'schema',
    object: 'Deployment/router',
  },
  {
    breaks: 'a field at the wrong level',
    mutate: (m) => (podSpec(m, 'StatefulSet', 'gateway')['livenessProbe'] = { httpGet: { path: '/healthz', port: 'http' } }),
    check: 'schema',
    object: 'StatefulSet/gateway',
  },
  {
    breaks: 'a kind without a schema',
    mutate: (m) => m.push({ apiVersion: 'v1', kind: 'Podd', metadata: { name: 'x' } }),
    check: 'schema',
    object: 'Podd/x',
  },
  {
    breaks: 'a KafkaTopic with partitions as a string',
    base: topics,
    mutate: (m) => (objectAt(find(m, 'KafkaTopic', 'chat.events'), 'spec')['partitions'] = '12'),
    check: 'schema',
    object: 'KafkaTopic/chat.events',
  },
];

describe('each check on a broken manifest', () => {
  it.each(cases)('reports $breaks ($check)', async ({ mutate, check, object, base = prod }) => {
    const broken = base.map((manifest) => clone(manifest));
    mutate(broken);
    const problems: Problem[] = await runChecks(broken, services);
    expect(problems).toContainEqual(expect.objectContaining({ check, object }));
  });

  it('leaves the original rendering intact (the cases work on copies)', async () => {
    expect(await runChecks(prod, services)).toEqual([]);
  });
});
