import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { get, objectsAt, type Json, type JsonObject, type Manifest } from '../manifest';
import type { App } from '../paths';
import type { ConfigOracle } from '../service-config';
import { appOfImage, containerEnv, containersOf, mountedFileAt, podTemplates, resolveContainerPort, type PodTemplate } from '../workloads';
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
  // kafka-credentials-<principal>: the SCRAM login of one service.
  username: 'sample-principal',
  password: 'hL3vQ9sT2mZ8wR6yK1pN4bX7',
};

/** A mounted CA bundle (ca.crt) in the samples: the services only check at start that it is readable. */
const SAMPLE_CA_PEM = '-----BEGIN CERTIFICATE-----\nc2FtcGxlIENBIGZvciB0aGUgZGVwbG95IGNoZWNrcw==\n-----END CERTIFICATE-----\n';

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
  const { sources, problems: unresolved } = containerEnv(manifests, container);
  for (const [check, message] of unresolved) at(check, message);
  for (const [name, source] of sources) {
    switch (source.kind) {
      case 'literal': {
        // A path on a mounted Secret or ConfigMap: the service reads that file, so it gets a sample file.
        const file = mountedFileAt(pod, container, source.value);
        if (file === undefined || file.source.kind === 'other') values[name] = source.value;
        else if (file.key === undefined) at('references', `${name}: ${source.value} is no key of the ${file.source.kind} ${file.source.name} mounted at ${file.mountPath}`);
        else if (sampleFileContent(file.key) === undefined) at('config', `${name}: no sample value for ${file.source.kind} key ${file.key} (SAMPLE_SECRET_VALUES in tools/deploy-checks)`);
        else values[name] = sampleFile(file.source.name, file.key);
        break;
      }
      case 'field':
        if (source.fieldPath === 'metadata.name') values[name] = pod.examplePodName;
        else if (source.fieldPath === 'metadata.namespace') values[name] = 'chat';
        else at('config', `${name}: a value source the checks cannot resolve`);
        break;
      case 'secret':
        if (SAMPLE_SECRET_VALUES[source.key] !== undefined) values[name] = SAMPLE_SECRET_VALUES[source.key];
        else at('config', `${name}: no sample value for secret key ${source.key} (SAMPLE_SECRET_VALUES in tools/deploy-checks)`);
        break;
      case 'operator-config-map': {
        const data = SAMPLE_OPERATOR_CONFIG_MAPS[source.configMap] ?? {};
        if (source.key in data) values[name] = data[source.key];
        else at('references', `${name}: no key ${source.key} in ConfigMap ${source.configMap}`);
        break;
      }
    }
  }
  return { values, problems };
}

/** What a mounted Secret or ConfigMap file holds in the samples: a PEM for CA bundles, else the key's sample value. */
function sampleFileContent(key: string): string | undefined {
  return key.endsWith('.crt') || key.endsWith('.pem') ? SAMPLE_CA_PEM : SAMPLE_SECRET_VALUES[key];
}

let sampleFilesDir: string | undefined;
/** A real file with the sample content of a mounted key, for `--check-config` to read; removed at exit. */
function sampleFile(source: string, key: string): string {
  if (sampleFilesDir === undefined) {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-checks-files-'));
    sampleFilesDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const file = path.join(sampleFilesDir, source, key);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, sampleFileContent(key) ?? '');
  }
  return file;
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

/** The Secrets and keys the manifests reference (secretKeyRef and Secret volumes): what an operator must create before applying. */
export function referencedSecrets(manifests: Manifest[]): { secret: string; key: string }[] {
  const found = podTemplates(manifests).flatMap((pod) => [
    ...containersOf(pod).flatMap((container) =>
      [...containerEnv(manifests, container).sources.values()].flatMap((source) => (source.kind === 'secret' ? [{ secret: source.secret, key: source.key }] : [])),
    ),
    ...objectsAt(pod.spec, 'volumes').flatMap((volume) => {
      const secret = get(volume, 'secret', 'secretName');
      if (typeof secret !== 'string') return [];
      return objectsAt(volume, 'secret', 'items').map((item) => ({ secret, key: String(item['key']) }));
    }),
  ]);
  return [...new Map(found.map((s) => [`${s.secret}/${s.key}`, s])).values()];
}
