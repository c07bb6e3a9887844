import { gatewayPrincipal, KAFKA_SERVICES, type KafkaService } from '@chat/protocol';
import { gatewayCredentialsSecret } from '../gateways';
import { get, objectsAt, type JsonObject, type Manifest } from '../manifest';
import { appOfImage, containerEnv, containersOf, mountedFileAt, podTemplates, type EnvSource, type PodTemplate } from '../workloads';
import { problem, type Problem } from './problem';

/** The Secret of a service's Kafka principal, with the keys `username` and `password` (docs/deploy.md, "Secrets"). */
export const kafkaCredentialsSecret = (principal: KafkaService) => `kafka-credentials-${principal}`;
/** The Secret holding the CA the brokers' certificates chain to, under the key `ca.crt`. */
export const KAFKA_CA_SECRET = 'kafka-ca';
export const KAFKA_CA_KEY = 'ca.crt';

/** Variables whose values are secrets: only ever from a Secret (secretKeyRef, or a file on a mounted Secret). */
const SECRET_VARIABLE = /(_PASSWORD|^JWT_PRIVATE_KEY|^DATA_ENCRYPTION_KEYS|^DATABASE_URL)$/;

/**
 * Credentials and key material of every service container:
 * - `inline-secret`: a secret variable (`*_PASSWORD`, `JWT_PRIVATE_KEY`, `DATA_ENCRYPTION_KEYS`,
 *   `DATABASE_URL`, which holds a password) written into the manifests, as an env value or in a
 *   ConfigMap, instead of coming from a Secret. A path to a file on a mounted Secret is fine.
 * - `kafka-credentials`: a container that talks to Kafka (it sets KAFKA_BROKERS) must log in over
 *   SASL_SSL as its own service's principal, user name and password from that principal's Secret
 *   (never another service's: the ACLs would then grant it that service's rights), and must trust
 *   the cluster CA from the Secret kafka-ca, mounted read-only, named by KAFKA_SSL_CA_FILE. Each
 *   gateway has a principal of its own, gateway-<INSTANCE_ID>: its workload is a StatefulSet of one
 *   pod whose INSTANCE_ID is written in the manifest and is the StatefulSet's name (gateway-<n>), and
 *   its Secret is kafka-credentials-<INSTANCE_ID>, never the shared kafka-credentials-gateway nor
 *   another gateway's; no autoscaler may give it a second pod (same id, same login). KEDA's
 *   Kafka triggers likewise: TLS, SCRAM, a principal's Secret and the CA (TriggerAuthentication).
 */
export function checkSecrets(manifests: Manifest[]): Problem[] {
  return [
    ...podTemplates(manifests).flatMap((pod) =>
      containersOf(pod).flatMap((container) => {
        const at = (check: Problem['check'], message: string) => problem(check, pod.workload, `container ${String(container['name'])}: ${message}`);
        const { sources } = containerEnv(manifests, container);
        return [...inlineSecrets(pod, container, sources).map((message) => at('inline-secret', message)), ...kafkaCredentials(manifests, pod, container, sources).map((message) => at('kafka-credentials', message))];
      }),
    ),
    ...secretVolumesWithoutItems(manifests),
    ...kafkaScalers(manifests),
  ];
}

/** KEDA's Kafka triggers read consumer lag from the same brokers: TLS, a SCRAM login from a principal's Secret, the CA. */
function kafkaScalers(manifests: Manifest[]): Problem[] {
  const problems: Problem[] = [];
  for (const scaled of manifests.filter((m) => m.kind === 'ScaledObject')) {
    for (const [i, trigger] of objectsAt(scaled, 'spec', 'triggers').entries()) {
      if (trigger['type'] !== 'kafka') continue;
      const at = (message: string) => problems.push(problem('kafka-credentials', scaled, `triggers[${i}] (kafka): ${message}`));
      if (get(trigger, 'metadata', 'tls') !== 'enable') at('needs tls: enable (the brokers take TLS only)');
      if (!/^scram_sha(256|512)$/.test(String(get(trigger, 'metadata', 'sasl')))) at('needs sasl: scram_sha512 (the brokers take SCRAM logins only)');
      const name = get(trigger, 'authenticationRef', 'name');
      const authentication = manifests.find((m) => m.kind === 'TriggerAuthentication' && m.metadata.name === name);
      if (!authentication) {
        at(name === undefined ? 'no authenticationRef: KEDA would connect without a login' : `authenticationRef ${String(name)}: no such TriggerAuthentication`);
        continue;
      }
      const secretOf = (parameter: string) => objectsAt(authentication, 'spec', 'secretTargetRef').find((ref) => ref['parameter'] === parameter);
      for (const [parameter, key] of [['username', 'username'], ['password', 'password']] as const) {
        const ref = secretOf(parameter);
        if (!ref || !KAFKA_SERVICES.some((p) => ref['name'] === kafkaCredentialsSecret(p)) || ref['key'] !== key) {
          at(`TriggerAuthentication ${authentication.metadata.name} must take ${parameter} from key ${key} of a kafka-credentials-<principal> Secret`);
        }
      }
      const ca = secretOf('ca');
      if (ca?.['name'] !== KAFKA_CA_SECRET || ca['key'] !== KAFKA_CA_KEY) at(`TriggerAuthentication ${authentication.metadata.name} must take ca from key ${KAFKA_CA_KEY} of the Secret ${KAFKA_CA_SECRET}`);
    }
  }
  return problems;
}

function inlineSecrets(pod: PodTemplate, container: JsonObject, sources: Map<string, EnvSource>): string[] {
  const messages: string[] = [];
  for (const [name, source] of sources) {
    if (!SECRET_VARIABLE.test(name) || source.kind !== 'literal' || source.value.trim() === '') continue;
    if (mountedFileAt(pod, container, source.value)?.source.kind === 'secret') continue;
    messages.push(`${name} is written into the manifests (${source.origin}): a secret value must come from a Secret (env valueFrom.secretKeyRef, or a file on a mounted Secret)`);
  }
  return messages;
}

function kafkaCredentials(manifests: Manifest[], pod: PodTemplate, container: JsonObject, sources: Map<string, EnvSource>): string[] {
  if (!sources.has('KAFKA_BROKERS')) return [];
  const app = appOfImage(container['image']);
  const principal = KAFKA_SERVICES.find((p) => p === app);
  if (!principal) return [`talks to Kafka but runs ${String(container['image'])}, which is no service with a Kafka principal (${KAFKA_SERVICES.join(', ')})`];
  const messages: string[] = [];
  // A gateway's Secret follows its id; without a sound id, which Secret is its own cannot be told.
  const gateway = principal === 'gateway' ? gatewayIdentity(manifests, pod, sources) : undefined;
  if (typeof gateway === 'object') messages.push(...gateway.problems);
  const ownSecret = typeof gateway === 'string' ? gatewayCredentialsSecret(gateway) : kafkaCredentialsSecret(principal);
  const owner = typeof gateway === 'string' ? `gateway ${gateway}` : principal;

  const protocol = sources.get('KAFKA_SECURITY_PROTOCOL');
  if (protocol?.kind !== 'literal' || protocol.value.trim().toUpperCase() !== 'SASL_SSL') {
    messages.push(`talks to Kafka without KAFKA_SECURITY_PROTOCOL=SASL_SSL (found ${protocol?.kind === 'literal' ? protocol.value : 'none'}): the brokers take TLS with SCRAM logins only`);
  }
  for (const [variable, key] of typeof gateway === 'object' ? [] : ([['KAFKA_SASL_USERNAME', 'username'], ['KAFKA_SASL_PASSWORD', 'password']] as const)) {
    const source = sources.get(variable);
    if (source?.kind !== 'secret') messages.push(`${variable} must come from the Secret ${ownSecret} (key ${key}), ${owner}'s own Kafka principal; found ${describe(source)}`);
    else if (source.secret !== ownSecret) messages.push(`${variable} comes from the Secret ${source.secret}, not ${owner}'s own ${ownSecret}: ${whose(source.secret)} principal would give ${owner} its ACLs`);
    else if (source.key !== key) messages.push(`${variable} comes from key ${source.key} of ${ownSecret}; the key is ${key}`);
  }

  const ca = sources.get('KAFKA_SSL_CA_FILE');
  if (ca?.kind !== 'literal' || ca.value.trim() === '') {
    messages.push(`lacks the Kafka CA: set KAFKA_SSL_CA_FILE to ${KAFKA_CA_KEY} on a read-only mount of the Secret ${KAFKA_CA_SECRET}`);
    return messages;
  }
  const file = mountedFileAt(pod, container, ca.value);
  if (!file) messages.push(`lacks the Kafka CA mount: KAFKA_SSL_CA_FILE ${ca.value} is on no volumeMount (mount the Secret ${KAFKA_CA_SECRET} read-only)`);
  else if (file.source.kind !== 'secret' || file.source.name !== KAFKA_CA_SECRET) {
    messages.push(`KAFKA_SSL_CA_FILE ${ca.value} is on ${file.source.kind === 'other' ? 'a volume that is no Secret' : `the ${file.source.kind} ${file.source.name}`}, not the Secret ${KAFKA_CA_SECRET}`);
  } else {
    if (file.key !== KAFKA_CA_KEY) messages.push(`KAFKA_SSL_CA_FILE ${ca.value} is not key ${KAFKA_CA_KEY} of the Secret ${KAFKA_CA_SECRET}${file.key ? ` (it is ${file.key})` : ''}`);
    if (!file.readOnly) messages.push(`the mount of the Secret ${KAFKA_CA_SECRET} at ${file.mountPath} must be readOnly`);
  }
  return messages;
}

/** Whose principal a kafka-credentials Secret holds, for a message. */
function whose(secret: string): string {
  if (secret === kafkaCredentialsSecret('gateway')) return 'the retired shared gateway';
  return secret.startsWith(`${kafkaCredentialsSecret('gateway')}-`) ? "another gateway's" : "another service's";
}

/**
 * A gateway's id (its INSTANCE_ID, which its Kafka principal and Secret follow), or what keeps its
 * workload from having one: INSTANCE_ID written in the manifest (a pod name would be per pod, and one
 * pod template can name one Secret only), equal to the name of a StatefulSet of one pod, no autoscaler.
 */
function gatewayIdentity(manifests: Manifest[], pod: PodTemplate, sources: Map<string, EnvSource>): string | { problems: string[] } {
  const workload = pod.workload;
  const name = workload.metadata.name;
  const source = sources.get('INSTANCE_ID');
  if (source?.kind !== 'literal') {
    return { problems: [`INSTANCE_ID must be written in the manifest as the gateway's id, ${name} (its Kafka principal gateway-<INSTANCE_ID> and Secret kafka-credentials-<INSTANCE_ID> follow it); found ${describe(source)}`] };
  }
  const problems: string[] = [];
  const id = source.value;
  if (id !== name) problems.push(`INSTANCE_ID ${id} must be the name of its workload, ${name}, so that no two gateways share an id, a delivery topic and a login`);
  try {
    gatewayPrincipal(id);
  } catch (error) {
    problems.push(`INSTANCE_ID: ${error instanceof Error ? error.message : String(error)}`);
  }
  const replicas = get(workload, 'spec', 'replicas') ?? 1;
  if (workload.kind !== 'StatefulSet' || replicas !== 1) {
    problems.push(`a gateway runs as a StatefulSet of one pod (found ${workload.kind} with ${String(replicas)} replicas): every pod of it would log in as gateway-${id}`);
  }
  for (const scaler of manifests.filter((m) => (m.kind === 'HorizontalPodAutoscaler' || m.kind === 'ScaledObject') && get(m, 'spec', 'scaleTargetRef', 'name') === name)) {
    problems.push(`${scaler.kind}/${scaler.metadata.name} scales it: a second pod would log in as gateway-${id} too (add gateways by regenerating them instead)`);
  }
  return problems.length > 0 ? { problems } : id;
}

function describe(source: EnvSource | undefined): string {
  switch (source?.kind) {
    case undefined:
      return 'not set';
    case 'literal':
      return `a value written in ${source.origin}`;
    case 'secret':
      return `the Secret ${source.secret}`;
    case 'operator-config-map':
      return `the ConfigMap ${source.configMap}`;
    case 'field':
      return `the field ${source.fieldPath}`;
  }
}

/** Secret volumes name the keys they mount (items), so that the checks and the docs know them. */
function secretVolumesWithoutItems(manifests: Manifest[]): Problem[] {
  return podTemplates(manifests).flatMap((pod) =>
    objectsAt(pod.spec, 'volumes')
      .filter((volume) => typeof get(volume, 'secret', 'secretName') === 'string' && objectsAt(volume, 'secret', 'items').length === 0)
      .map((volume) => problem('references', pod.workload, `volume ${String(volume['name'])}: list the keys of the Secret ${String(get(volume, 'secret', 'secretName'))} it mounts (items)`)),
  );
}
