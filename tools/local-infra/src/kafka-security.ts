import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
// build-app.mjs compiles these libs into local-infra's build: their being unbuildable does not matter.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ADMIN_PRINCIPAL, SHARED_SERVICE_PRINCIPALS } from '@chat/protocol';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { kafkaJsSecurity, kafkaSecurityEnv, type KafkaSecurity } from '@chat/kafka';

/*
 * The local broker's TLS and SASL: a CA and a broker certificate made with openssl (cached under
 * .cache/kafka-tls, reused by every run), and one SCRAM-SHA-512 user per shared service principal
 * plus `admin`, created when the broker's storage is formatted (`kafka-storage format --add-scram`).
 * Each gateway's user, `gateway-<id>`, is made when that gateway is started (gateway-principal.ts).
 * Their passwords are random, kept next to the broker's data (mode 0600), so a restart finds the same users.
 */

const execFileAsync = promisify(execFile);

/** The principal of the broker's own controller connection (SASL/PLAIN on the loopback controller listener). */
export const CONTROLLER_PRINCIPAL = 'controller';
/** Every SCRAM user the local broker is formatted with (the gateways' come later, one per gateway). */
export const LOCAL_KAFKA_USERS = [ADMIN_PRINCIPAL, ...SHARED_SERVICE_PRINCIPALS] as const;
export type LocalKafkaUser = (typeof LOCAL_KAFKA_USERS)[number];

export interface BrokerTls {
  /** PEM: the CA certificate clients trust (KAFKA_SSL_CA_FILE). */
  caFile: string;
  /** PEM: the broker's private key (PKCS#8) and certificate chain (ssl.keystore.type=PEM). */
  keystoreFile: string;
}

/** What the local broker runs with when it is secured: SASL_SSL for clients, users and their passwords. */
export interface LocalKafkaSecurity extends BrokerTls {
  /** Passwords of the SCRAM users, and of the controller's PLAIN user. */
  passwords: Readonly<Record<LocalKafkaUser | typeof CONTROLLER_PRINCIPAL, string>>;
  /** `<dataDir>/credentials.json`: where the passwords are kept, the gateways' too (provisionGatewayPrincipal). */
  credentialsFile: string;
  /** The broker's jars, whose Kafka tools make the gateways' users (provisionGatewayPrincipal). */
  libsDir: string;
}

/** How a client logs in as `user` to a broker secured with `security` (or plaintext without one). */
export function clientSecurity(security: LocalKafkaSecurity | undefined, user: LocalKafkaUser): KafkaSecurity {
  if (!security) return { protocol: 'PLAINTEXT' };
  return scramLogin(security, user, security.passwords[user]);
}

/** SASL_SSL with SCRAM-SHA-512 as `username`, trusting the local broker's CA. */
export function scramLogin(security: BrokerTls, username: string, password: string): KafkaSecurity {
  return { protocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-512', username, password }, tls: { caFile: security.caFile } };
}

/** The kafkajs `ssl` and `sasl` options of a client that logs in as `user` (none for a plaintext broker). */
export function kafkaJsClientSecurity(security: LocalKafkaSecurity | undefined, user: LocalKafkaUser): ReturnType<typeof kafkaJsSecurity> {
  return kafkaJsSecurity(clientSecurity(security, user));
}

/** The KAFKA_* environment of a process that logs in as `user`. */
export function clientSecurityEnv(security: LocalKafkaSecurity | undefined, user: LocalKafkaUser): Record<string, string> {
  return kafkaSecurityEnv(clientSecurity(security, user));
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'openssl is not installed: the local Kafka broker needs it to make its TLS certificate (apt-get install openssl), or run with KAFKA_SECURITY_PROTOCOL=PLAINTEXT'
        : `openssl ${args[0]} failed: ${stderr.trim() || String(error)}`,
      { cause: error },
    );
  }
}

/**
 * A CA and a broker certificate for 127.0.0.1 and localhost (valid 10 years; local use only), made
 * once into `dir` (default `<workspace>/.cache/kafka-tls`). Made in a temp dir and renamed into place,
 * so two runs starting at once never see half-written files.
 */
export async function ensureBrokerTls(dir: string): Promise<BrokerTls> {
  const files = { caFile: path.join(dir, 'ca.pem'), keystoreFile: path.join(dir, 'broker-keystore.pem') };
  if (existsSync(files.caFile) && existsSync(files.keystoreFile)) return files;
  await mkdir(path.dirname(dir), { recursive: true });
  const work = await mkdtemp(`${dir}.tmp-`);
  try {
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=chat local Kafka CA'], work);
    await writeFile(path.join(work, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
    // -nodes: an unencrypted PKCS#8 key, which Kafka's PEM keystore reads without ssl.key.password.
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker-key.pem', '-out', 'broker.csr', '-subj', '/CN=localhost'], work);
    await openssl(['x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'broker.pem', '-days', '3650', '-extfile', 'san.ext'], work);
    const keystore = (await readFile(path.join(work, 'broker-key.pem'), 'utf8')) + (await readFile(path.join(work, 'broker.pem'), 'utf8')) + (await readFile(path.join(work, 'ca.pem'), 'utf8'));
    await writeFile(path.join(work, 'broker-keystore.pem'), keystore, { mode: 0o600 });
    await rm(path.join(work, 'ca-key.pem'));
    await chmod(work, 0o700);
    try {
      await rename(work, dir);
    } catch (error) {
      // Another run made them first: use those.
      if (!existsSync(files.caFile)) throw error;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return files;
}

/** A random password: base64url, so no character needs quoting in a JAAS line or a --add-scram argument. */
export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Passwords of the local users, read from `file` or made (random) and written there with mode 0600. */
export async function ensurePasswords(file: string): Promise<LocalKafkaSecurity['passwords']> {
  const users = [...LOCAL_KAFKA_USERS, CONTROLLER_PRINCIPAL];
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    const missing = users.filter((user) => typeof saved[user] !== 'string');
    if (missing.length > 0) throw new Error(`${file} has no password for ${missing.join(', ')}: delete the broker's data dir (${path.dirname(file)}) to start afresh`);
    return saved as LocalKafkaSecurity['passwords'];
  }
  const passwords = Object.fromEntries(users.map((user) => [user, newPassword()]));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  return passwords as LocalKafkaSecurity['passwords'];
}

/** `--add-scram` arguments of `kafka-storage format`: every SCRAM user, created with the cluster's metadata. */
export function addScramArgs(security: LocalKafkaSecurity): string[] {
  return LOCAL_KAFKA_USERS.flatMap((user) => ['--add-scram', `SCRAM-SHA-512=[name=${user},password=${security.passwords[user]}]`]);
}
