import { generateKeyPairSync } from 'node:crypto';
import { get, objectsAt, stringMap, type Json, type JsonObject, type Manifest } from '../manifest';
import type { App } from '../paths';
import type { ConfigOracle } from '../service-config';
import { appOfImage, containersOf, podTemplates, resolveContainerPort, type PodTemplate } from '../workloads';
import { problem, type Problem } from './problem';

/** A sample ES256 key pair, made per run: auth's sample JWT_PRIVATE_KEY and the JWKS of its public key. */
const sampleJwtKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const SAMPLE_JWT_KEY_ID = 'sample-2026';

/**
 * ConfigMaps the operator creates (they carry deployment-specific values, like the Secrets), with
 * stand-ins for their keys.
 */
const SAMPLE_OPERATOR_CONFIG_MAPS: Record<string, Record<string, string>> = {
  'jwt-public-keys': { JWT_PUBLIC_KEYS: JSON.stringify({ keys: [{ ...sampleJwtKey.publicKey.export({ format: 'jwk' }), kid: SAMPLE_JWT_KEY_ID, alg: 'ES256', use: 'sig' }] }) },
};

/**
 * Stand-ins for the Secrets' values (never in the repository), well-formed enough for the services'
 * own validation. A secret key without a sample is reported, so a new secret gets one here.
 */
const SAMPLE_SECRET_VALUES: Record<string, string> = {
  // Random-looking on purpose: in production the services refuse secrets that look like placeholders.
  JWT_PRIVATE_KEY: sampleJwtKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  JWT_KEY_ID: SAMPLE_JWT_KEY_ID,
  DATABASE_URL: 'postgres://chat:sample@postgres.example:5432/chat_sample',
  DATA_ENCRYPTION_KEYS: 'sample-2026:c2FtcGxlIGtleSwgbm90IGEgcmVhbCBvbmUhISEhISE=',
  DATA_ENCRYPTION_KEY_ID: 'sample-2026',
};

/** Settings that must be equal in every service that sets them. */
const SHARED_SETTINGS = ['KAFKA_BROKERS', 'KAFKA_REPLICATION_FACTOR', 'JWT_ISSUER', 'JWT_AUDIENCE'];

interface ContainerEnv {
  pod: PodTemplate;
  container: JsonObject;
  app: App;
  /** Every variable the manifests set for the container, with the value it would get. */
  values: Record<string, string>;
}

/**
 * The environment of every service container against the service's own config schema: only known
 * variables, every required one, values the service accepts (it validates them itself, through
 * `--check-config`); and what depends on the values: HTTP_PORT against the ports and probes,
 * SHUTDOWN_TIMEOUT_MS against the grace period.
 */
export async function checkConfig(manifests: Manifest[], oracle: ConfigOracle): Promise<Problem[]> {
  const problems: Problem[] = [];
  const environments: ContainerEnv[] = [];
  for (const pod of podTemplates(manifests)) {
    for (const container of containersOf(pod)) {
      const app = appOfImage(container['image']);
      if (!app) {
        problems.push(problem('config', pod.workload, `container ${String(container['name'])}: image ${String(container['image'])} is none of the services (chat-<app>)`));
        continue;
      }
      const { values, problems: envProblems } = resolveEnv(manifests, pod, container);
      problems.push(...envProblems);
      environments.push({ pod, container, app, values });
    }
  }
  const perContainer = await Promise.all(environments.map((env) => checkContainer(env, oracle)));
  return [...problems, ...perContainer.flat(), ...sharedSettings(environments)];
}

async function checkContainer({ pod, container, app, values }: ContainerEnv, oracle: ConfigOracle): Promise<Problem[]> {
  const at = (check: Problem['check'], message: string) => problem(check, pod.workload, `container ${String(container['name'])}: ${message}`);
  const problems: Problem[] = [];
  const { variables } = await oracle.keys(app);
  const known = new Set(variables.map((v) => v.name));
  for (const name of Object.keys(values).filter((n) => !known.has(n))) problems.push(at('config', `${name} is not a variable of ${app} (apps/${app}/src/config.ts)`));
  for (const { name } of variables.filter((v) => v.required && !(v.name in values))) problems.push(at('config', `${app} requires ${name}, which is not set`));
  const verdict = await oracle.check(app, values);
  if (!verdict.valid) problems.push(at('config', `${app} rejects this environment: ${verdict.output}`));

  const httpPort = Number(values['HTTP_PORT']);
  if (!Number.isInteger(httpPort)) return problems;
  if (resolveContainerPort(pod, 'http') !== httpPort) problems.push(at('ports', `the container port named http must be HTTP_PORT (${httpPort})`));
  for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
    const port = get(container, probe, 'httpGet', 'port');
    if (port !== undefined && resolveContainerPort(pod, port) !== httpPort) problems.push(at('ports', `${probe} port ${String(port)} is not HTTP_PORT (${httpPort})`));
  }
  const scrapePort = pod.annotations['prometheus.io/port'];
  if (scrapePort !== undefined && Number(scrapePort) !== httpPort) problems.push(at('ports', `prometheus.io/port ${scrapePort} is not HTTP_PORT (${httpPort})`));

  problems.push(...shutdownTiming(pod, container, values).map((message) => at('shutdown', message)));
  return problems;
}

/** SIGTERM arrives after preStop; the service then drains for up to SHUTDOWN_TIMEOUT_MS; the kubelet kills at the grace period. */
function shutdownTiming(pod: PodTemplate, container: JsonObject, values: Record<string, string>): string[] {
  if (values['SHUTDOWN_TIMEOUT_MS'] === undefined) return ['set SHUTDOWN_TIMEOUT_MS explicitly, so that the grace period can be checked against it'];
  const drainSeconds = Number(values['SHUTDOWN_TIMEOUT_MS']) / 1000;
  const preStopSeconds = preStopSleepSeconds(get(container, 'lifecycle', 'preStop'));
  if (preStopSeconds === undefined) return ['needs a preStop sleep (endpoints are removed asynchronously: keep serving a few seconds)'];
  const grace = get(pod.spec, 'terminationGracePeriodSeconds') ?? 30;
  if (typeof grace !== 'number' || grace <= drainSeconds + preStopSeconds) {
    return [`terminationGracePeriodSeconds ${String(grace)} must exceed preStop ${preStopSeconds} s + SHUTDOWN_TIMEOUT_MS ${drainSeconds} s`];
  }
  return [];
}

function preStopSleepSeconds(preStop: Json | undefined): number | undefined {
  const sleepAction = get(preStop, 'sleep', 'seconds');
  if (typeof sleepAction === 'number') return sleepAction;
  const command = get(preStop, 'exec', 'command');
  const text = Array.isArray(command) ? command.map(String).join(' ') : '';
  const match = /(?:^|\s)sleep\s+(\d+(?:\.\d+)?)\s*$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

function resolveEnv(manifests: Manifest[], pod: PodTemplate, container: JsonObject): { values: Record<string, string>; problems: Problem[] } {
  const values: Record<string, string> = {};
  const problems: Problem[] = [];
  const at = (check: Problem['check'], message: string) => problems.push(problem(check, pod.workload, `container ${String(container['name'])}: ${message}`));
  const configMap = (name: Json | undefined) => manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === name);

  for (const source of objectsAt(container, 'envFrom')) {
    const name = get(source, 'configMapRef', 'name');
    if (get(source, 'secretRef') !== undefined) at('config', 'envFrom secretRef hides which variables a Secret sets: use env[].valueFrom.secretKeyRef');
    else if (source['prefix'] !== undefined) at('config', 'envFrom prefix is not supported by the checks');
    else if (!configMap(name)) at('references', `envFrom: no ConfigMap ${String(name)}`);
    else Object.assign(values, stringMap(get(configMap(name), 'data')));
  }
  for (const variable of objectsAt(container, 'env')) {
    const name = String(variable['name']);
    if (name in values) at('config', `${name} is set both in a ConfigMap and in env`);
    const value = variable['value'];
    const fieldPath = get(variable, 'valueFrom', 'fieldRef', 'fieldPath');
    const secretKey = get(variable, 'valueFrom', 'secretKeyRef', 'key');
    const configMapKey = get(variable, 'valueFrom', 'configMapKeyRef');
    if (typeof value === 'string') values[name] = value;
    else if (fieldPath === 'metadata.name') values[name] = pod.examplePodName;
    else if (fieldPath === 'metadata.namespace') values[name] = 'chat';
    else if (typeof secretKey === 'string' && SAMPLE_SECRET_VALUES[secretKey] !== undefined) values[name] = SAMPLE_SECRET_VALUES[secretKey];
    else if (typeof secretKey === 'string') at('config', `${name}: no sample value for secret key ${secretKey} (SAMPLE_SECRET_VALUES in tools/deploy-checks)`);
    else if (configMapKey !== undefined) {
      const mapName = String(get(configMapKey, 'name'));
      const data = configMap(mapName) ? stringMap(get(configMap(mapName), 'data')) : (SAMPLE_OPERATOR_CONFIG_MAPS[mapName] ?? {});
      const key = String(get(configMapKey, 'key'));
      if (key in data) values[name] = data[key];
      else at('references', `${name}: no key ${key} in ConfigMap ${String(get(configMapKey, 'name'))}`);
    } else at('config', `${name}: a value source the checks cannot resolve`);
  }
  return { values, problems };
}

function sharedSettings(environments: ContainerEnv[]): Problem[] {
  return SHARED_SETTINGS.flatMap((name) => {
    const setters = environments.filter((env) => name in env.values);
    const distinct = [...new Set(setters.map((env) => env.values[name]))];
    if (distinct.length <= 1) return [];
    const detail = setters.map((env) => `${env.app}=${env.values[name]}`).join(', ');
    return setters.map((env) => problem('config', env.pod.workload, `${name} differs between the services (${detail})`));
  });
}

/** The Secrets and keys the manifests reference: what an operator must create before applying. */
export function referencedSecrets(manifests: Manifest[]): { secret: string; key: string }[] {
  const found = podTemplates(manifests).flatMap((pod) =>
    containersOf(pod).flatMap((container) =>
      objectsAt(container, 'env').flatMap((variable) => {
        const ref = get(variable, 'valueFrom', 'secretKeyRef');
        return typeof get(ref, 'name') === 'string' && typeof get(ref, 'key') === 'string' ? [{ secret: String(get(ref, 'name')), key: String(get(ref, 'key')) }] : [];
      }),
    ),
  );
  return [...new Map(found.map((s) => [`${s.secret}/${s.key}`, s])).values()];
}
