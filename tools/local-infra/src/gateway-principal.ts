import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
// build-app.mjs compiles these libs into local-infra's build: their being unbuildable does not matter.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { gatewayAclPlan, gatewayPrincipal } from '@chat/protocol';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { applyAclPlan, kafkaJsSecurity, type KafkaSecurity } from '@chat/kafka';
import { renderClientProperties } from './kafka-config';
import { clientSecurity, type LocalKafkaSecurity, newPassword, scramLogin } from './kafka-security';
import { runToCompletion, sleep } from './process-control';

/*
 * Each gateway instance logs in to the local broker as its own principal, `gateway-<gatewayId>`
 * (libs/protocol gatewayPrincipal), whose ACLs let it read its own delivery topic and no other. Its
 * SCRAM user cannot be made at format time like the shared services' (gateways come and go with new
 * ids), so it is made when the gateway is started: Kafka's own ConfigCommand (kafka-configs.sh) over
 * the admin API (AlterUserScramCredentials, which kafkajs lacks), run from the broker's jars. The
 * password is kept in credentials.json with the others, so a restarted gateway logs in again as itself.
 */

/** How long a new user may take to be usable (the broker applies it from its metadata log). */
const LOGIN_WAIT_MS = 30_000;

/** One read-modify-write of credentials.json at a time in this process (fleets start gateways concurrently). */
let credentialsLock: Promise<unknown> = Promise.resolve();
/** The password being made for a user, so two starts of one gateway at once make one user. */
const making = new Map<string, Promise<string>>();

function serialized<T>(work: () => Promise<T>): Promise<T> {
  const result = credentialsLock.then(work, work);
  credentialsLock = result.catch(() => undefined);
  return result;
}

function readCredentials(file: string): Record<string, string> {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
}

/** Writes the file whole and renames it into place (mode 0600), so no reader sees half of it. */
async function writeCredentials(file: string, credentials: Record<string, string>): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

/** The admin's client properties for Kafka's command-line tools (SASL_SSL, the local CA), beside credentials.json. */
async function adminClientProperties(security: LocalKafkaSecurity): Promise<string> {
  const file = path.join(path.dirname(security.credentialsFile), 'admin-client.properties');
  await writeFile(file, renderClientProperties('admin', security.passwords.admin, security.caFile), { mode: 0o600 });
  return file;
}

/** `kafka-configs.sh --alter --add-config SCRAM-SHA-512=[password=…] --entity-type users --entity-name <user>`. */
async function alterScramUser(brokers: string, security: LocalKafkaSecurity, user: string, password: string): Promise<void> {
  const commandConfig = await adminClientProperties(security);
  const args = [
    '-Xmx128m',
    '-Djava.awt.headless=true',
    '-cp',
    path.join(security.libsDir, '*'),
    'org.apache.kafka.tools.ConfigCommand',
    '--bootstrap-server',
    brokers,
    '--command-config',
    commandConfig,
    '--alter',
    '--add-config',
    `SCRAM-SHA-512=[password=${password}]`,
    '--entity-type',
    'users',
    '--entity-name',
    user,
  ];
  const { code, output } = await runToCompletion('java', args);
  if (code !== 0) throw new Error(`kafka ConfigCommand could not make the SCRAM user ${user} on ${brokers} (exit ${code}):\n${output.split(password).join('<password>').trim()}`);
}

/** Waits until `login` is accepted by the broker (a new SCRAM user is not usable at once everywhere). */
async function waitForLogin(brokers: string, login: KafkaSecurity): Promise<void> {
  const deadline = Date.now() + LOGIN_WAIT_MS;
  for (;;) {
    const admin = new Kafka({ clientId: 'local-infra-login-check', brokers: [brokers], logLevel: logLevel.NOTHING, connectionTimeout: 3_000, retry: { retries: 0 }, ...kafkaJsSecurity(login) }).admin();
    try {
      await admin.connect();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the new SCRAM user ${login.sasl?.username} could not log in to ${brokers} within ${LOGIN_WAIT_MS / 1000} s: ${String(error)}`, { cause: error });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(250);
  }
}

/** The user's password on file, or a user made now with a new password (then put on file). */
function passwordOf(brokers: string, security: LocalKafkaSecurity, user: string): Promise<string> {
  const saved = readCredentials(security.credentialsFile)[user];
  if (saved !== undefined) return Promise.resolve(saved);
  const key = `${security.credentialsFile}|${user}`;
  const pending = making.get(key);
  if (pending) return pending;
  const made = (async () => {
    const password = newPassword();
    // The user first, then the file: a password on file always belongs to a user the broker has.
    await alterScramUser(brokers, security, user, password);
    await serialized(() => writeCredentials(security.credentialsFile, { ...readCredentials(security.credentialsFile), [user]: password }));
    return password;
  })().finally(() => making.delete(key));
  making.set(key, made);
  return made;
}

/**
 * Gives the gateway instance `gatewayId` its own principal on the local secured broker: the SCRAM
 * user `gateway-<gatewayId>` (made once, its password kept in credentials.json and reused after) and
 * its ACLs (gatewayAclPlan, created as admin, idempotent). Returns how that gateway logs in; its
 * KAFKA_* environment is kafkaSecurityEnv of it.
 */
export async function provisionGatewayPrincipal(kafka: { brokers: string; security: LocalKafkaSecurity }, gatewayId: string): Promise<KafkaSecurity> {
  const { brokers, security } = kafka;
  const user = gatewayPrincipal(gatewayId);
  const password = await passwordOf(brokers, security, user);
  const admin = new Kafka({ clientId: 'local-infra-gateway-acls', brokers: [brokers], logLevel: logLevel.NOTHING, ...kafkaJsSecurity(clientSecurity(security, 'admin')) }).admin();
  await admin.connect();
  try {
    await applyAclPlan(admin, gatewayAclPlan(gatewayId));
  } finally {
    await admin.disconnect();
  }
  const login = scramLogin(security, user, password);
  await waitForLogin(brokers, login);
  return login;
}
