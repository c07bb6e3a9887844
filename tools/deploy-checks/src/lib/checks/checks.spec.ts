import { kustomize, kustomizeWithComponents } from '../kustomize';
import { clone, get, isObject, type Json, type JsonObject, type Manifest } from '../manifest';
import { componentDir, KAFKA_TOPICS_DIR, overlayDir } from '../paths';
import { BuiltServiceConfig } from '../service-config';
import { runChecks, type CheckName, type Problem } from '.';

// Every check must catch what it exists for: each case breaks one thing in a correct rendering
// (overlays/prod, which passes every check: overlays.spec.ts) and expects that check to report it.
const services = new BuiltServiceConfig();
const prod = kustomize(overlayDir('prod'));
const topics = kustomize(KAFKA_TOPICS_DIR);
const withKeda = kustomizeWithComponents(overlayDir('prod'), [componentDir('keda-lag-scaling')]);

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
/** The entry of a list of a workload's first container (env, volumeMounts) that has this name. */
function namedEntry(manifests: Manifest[], kind: string, name: string, list: string, entryName: string): JsonObject {
  const found = (container(manifests, kind, name)[list] as Json[]).find((entry) => isObject(entry) && entry['name'] === entryName);
  if (!isObject(found)) throw new Error(`${kind}/${name} has no ${list} entry ${entryName}`);
  return found;
}
const envVar = (manifests: Manifest[], kind: string, name: string, variable: string) => namedEntry(manifests, kind, name, 'env', variable);
/** Removes the entries of a workload's first container's list (env, volumeMounts) that have this name. */
function removeNamed(manifests: Manifest[], kind: string, name: string, list: string, entryName: string): void {
  const target = container(manifests, kind, name);
  target[list] = (target[list] as Json[]).filter((entry) => !(isObject(entry) && entry['name'] === entryName));
}

interface BrokenCase {
  breaks: string;
  mutate: (manifests: Manifest[]) => void;
  check: CheckName;
  object: string;
  /** What the problem must say, where the check and the object alone would not tell the cases apart. */
  message?: RegExp;
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
    object: 'StatefulSet/gateway-0',
  },
  {
    breaks: 'a scrape annotation on another port',
    mutate: (m) => (objectAt(find(m, 'Deployment', 'metrics'), 'spec', 'template', 'metadata', 'annotations')['prometheus.io/port'] = '9090'),
    check: 'ports',
    object: 'Deployment/metrics',
  },
  {
    breaks: 'a missing readiness probe',
    mutate: (m) => delete container(m, 'StatefulSet', 'gateway-0')['readinessProbe'],
    check: 'probes',
    object: 'StatefulSet/gateway-0',
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
    object: 'StatefulSet/gateway-0',
  },
  {
    breaks: 'a secret key the checks cannot stand in for',
    mutate: (m) => (objectAt(envVar(m, 'Deployment', 'persistence', 'DATABASE_URL'), 'valueFrom', 'secretKeyRef')['key'] = 'DB_URL'),
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
    breaks: "a service logging in to Kafka with another service's credentials",
    mutate: (m) => (objectAt(envVar(m, 'StatefulSet', 'gateway-0', 'KAFKA_SASL_PASSWORD'), 'valueFrom', 'secretKeyRef')['name'] = 'kafka-credentials-persistence'),
    check: 'kafka-credentials',
    object: 'StatefulSet/gateway-0',
    message: /KAFKA_SASL_PASSWORD comes from the Secret kafka-credentials-persistence, not gateway gateway-0's own kafka-credentials-gateway-0: another service's/,
  },
  {
    breaks: 'a gateway logging in with the shared gateway Secret',
    mutate: (m) => (objectAt(envVar(m, 'StatefulSet', 'gateway-1', 'KAFKA_SASL_USERNAME'), 'valueFrom', 'secretKeyRef')['name'] = 'kafka-credentials-gateway'),
    check: 'kafka-credentials',
    object: 'StatefulSet/gateway-1',
    message: /KAFKA_SASL_USERNAME comes from the Secret kafka-credentials-gateway, not gateway gateway-1's own kafka-credentials-gateway-1: the retired shared gateway principal/,
  },
  {
    breaks: "a gateway logging in with another gateway's Secret",
    mutate: (m) => (objectAt(envVar(m, 'StatefulSet', 'gateway-2', 'KAFKA_SASL_PASSWORD'), 'valueFrom', 'secretKeyRef')['name'] = 'kafka-credentials-gateway-0'),
    check: 'kafka-credentials',
    object: 'StatefulSet/gateway-2',
    message: /KAFKA_SASL_PASSWORD comes from the Secret kafka-credentials-gateway-0, not gateway gateway-2's own kafka-credentials-gateway-2: another gateway's/,
  },
  {
    breaks: 'a gateway whose INSTANCE_ID is the pod name (one Secret for every pod)',
    mutate: (m) => {
      const variable = envVar(m, 'StatefulSet', 'gateway-0', 'INSTANCE_ID');
      delete variable['value'];
      variable['valueFrom'] = { fieldRef: { fieldPath: 'metadata.name' } };
    },
    check: 'kafka-credentials',
    object: 'StatefulSet/gateway-0',
    message: /INSTANCE_ID must be written in the manifest as the gateway's id, gateway-0 .*found the field metadata.name/,
  },
  {
    breaks: "a gateway with another gateway's INSTANCE_ID (and its Secret)",
    mutate: (m) => {
      envVar(m, 'StatefulSet', 'gateway-1', 'INSTANCE_ID')['value'] = 'gateway-0';
      for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) objectAt(envVar(m, 'StatefulSet', 'gateway-1', variable), 'valueFrom', 'secretKeyRef')['name'] = 'kafka-credentials-gateway-0';
    },
    check: 'kafka-credentials',
    object: 'StatefulSet/gateway-1',
    message: /INSTANCE_ID gateway-0 must be the name of its workload, gateway-1/,
  },
  {
    breaks: 'a gateway StatefulSet of two pods (one id and login for both)',
    mutate: (m) => (objectAt(find(m, 'StatefulSet', 'gateway-0'), 'spec')['replicas'] = 2),
    check: 'kafka-credentials',
    object: 'StatefulSet/gateway-0',
    message: /a gateway runs as a StatefulSet of one pod \(found StatefulSet with 2 replicas\)/,
  },
  {
    breaks: 'an autoscaler on a gateway',
    mutate: (m) => {
      const hpa = clone(find(m, 'HorizontalPodAutoscaler', 'auth'));
      hpa.metadata.name = 'gateway-2';
      objectAt(hpa, 'spec', 'scaleTargetRef')['kind'] = 'StatefulSet';
      objectAt(hpa, 'spec', 'scaleTargetRef')['name'] = 'gateway-2';
      m.push(hpa);
    },
    check: 'kafka-credentials',
    object: 'StatefulSet/gateway-2',
    message: /HorizontalPodAutoscaler\/gateway-2 scales it/,
  },
  {
    breaks: 'a service talking to Kafka without a SASL user name',
    mutate: (m) => removeNamed(m, 'Deployment', 'metrics', 'env', 'KAFKA_SASL_USERNAME'),
    check: 'kafka-credentials',
    object: 'Deployment/metrics',
    message: /KAFKA_SASL_USERNAME must come from the Secret kafka-credentials-metrics \(key username\).*found not set/,
  },
  {
    breaks: 'a service talking to Kafka without SASL_SSL',
    mutate: (m) => (configData(m, 'router')['KAFKA_SECURITY_PROTOCOL'] = 'SSL'),
    check: 'kafka-credentials',
    object: 'Deployment/router',
    message: /without KAFKA_SECURITY_PROTOCOL=SASL_SSL \(found SSL\)/,
  },
  {
    breaks: 'a service talking to Kafka without the CA mount',
    mutate: (m) => removeNamed(m, 'Deployment', 'router', 'volumeMounts', 'kafka-ca'),
    check: 'kafka-credentials',
    object: 'Deployment/router',
    message: /lacks the Kafka CA mount: KAFKA_SSL_CA_FILE \/etc\/kafka-ca\/ca.crt is on no volumeMount/,
  },
  {
    breaks: 'a writable CA mount',
    mutate: (m) => delete namedEntry(m, 'Deployment', 'auth', 'volumeMounts', 'kafka-ca')['readOnly'],
    check: 'kafka-credentials',
    object: 'Deployment/auth',
    message: /the mount of the Secret kafka-ca at \/etc\/kafka-ca must be readOnly/,
  },
  {
    breaks: 'a service without KAFKA_SSL_CA_FILE',
    mutate: (m) => delete configData(m, 'persistence')['KAFKA_SSL_CA_FILE'],
    check: 'kafka-credentials',
    object: 'Deployment/persistence',
    message: /lacks the Kafka CA: set KAFKA_SSL_CA_FILE/,
  },
  {
    breaks: 'a Kafka password written into the env',
    mutate: (m) => {
      const variable = envVar(m, 'Deployment', 'auth', 'KAFKA_SASL_PASSWORD');
      delete variable['valueFrom'];
      variable['value'] = 'hunter2-but-longer';
    },
    check: 'inline-secret',
    object: 'Deployment/auth',
    message: /KAFKA_SASL_PASSWORD is written into the manifests \(env\)/,
  },
  {
    breaks: 'a signing key in a ConfigMap',
    mutate: (m) => {
      removeNamed(m, 'Deployment', 'auth', 'env', 'JWT_PRIVATE_KEY');
      configData(m, 'auth')['JWT_PRIVATE_KEY'] = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----';
    },
    check: 'inline-secret',
    object: 'Deployment/auth',
    message: /JWT_PRIVATE_KEY is written into the manifests \(ConfigMap auth-config\)/,
  },
  {
    breaks: 'data keys written into the env',
    mutate: (m) => (container(m, 'Deployment', 'persistence')['env'] as Json[]).push({ name: 'DATA_ENCRYPTION_KEYS', value: 'k1:c2FtcGxlIGtleSwgbm90IGEgcmVhbCBvbmUhISEhISE=' }),
    check: 'inline-secret',
    object: 'Deployment/persistence',
    message: /DATA_ENCRYPTION_KEYS is written into the manifests \(env\)/,
  },
  {
    breaks: 'a KEDA Kafka trigger without a login',
    base: withKeda,
    mutate: (m) => delete objectAt(find(m, 'ScaledObject', 'router'), 'spec', 'triggers', 0)['authenticationRef'],
    check: 'kafka-credentials',
    object: 'ScaledObject/router',
    message: /no authenticationRef/,
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
    mutate: (m) => (podSpec(m, 'StatefulSet', 'gateway-0')['livenessProbe'] = { httpGet: { path: '/healthz', port: 'http' } }),
    check: 'schema',
    object: 'StatefulSet/gateway-0',
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
  it.each(cases)('reports $breaks ($check)', async ({ mutate, check, object, message, base = prod }) => {
    const broken = base.map((manifest) => clone(manifest));
    mutate(broken);
    const problems: Problem[] = await runChecks(broken, services);
    expect(problems).toContainEqual(expect.objectContaining({ check, object, ...(message && { message: expect.stringMatching(message) }) }));
  });

  it('leaves the original rendering intact (the cases work on copies)', async () => {
    expect(await runChecks(prod, services)).toEqual([]);
  });
});
