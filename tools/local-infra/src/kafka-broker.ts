import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
// build-app.mjs compiles these libs into local-infra's build: their being unbuildable does not matter.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { kafkaJsSecurity } from '@chat/kafka';
import { getFreePorts } from './free-port';
import { ensureKafkaJars } from './kafka-jars';
import { newClusterId, type PropertyValue, renderLog4j2Yaml, renderServerProperties } from './kafka-config';
import { addScramArgs, clientSecurity, ensureBrokerTls, ensurePasswords, type LocalKafkaSecurity } from './kafka-security';
import { tailFile } from './log-tail';
import { type ExitInfo, hasExited, killOnExit, runToCompletion, sleep, stopChild, trackExit } from './process-control';
import { findWorkspaceRoot } from './workspace';

export interface StartKafkaBrokerOptions {
  /** Holds server.properties, log4j2.yaml, the KRaft log dir and (by default) broker.log. Reused across restarts. */
  dataDir: string;
  /** Client port; default: a free port. */
  port?: number;
  /** KRaft controller port; default: a free port. */
  controllerPort?: number;
  /** JVM max heap in MiB; default 384. */
  heapMb?: number;
  /** Broker stdout/stderr; default `<dataDir>/broker.log` (appended to). */
  logFile?: string;
  /** Directory of Kafka jars; default: ensureKafkaJars(<workspace root>). */
  libsDir?: string;
  /** Extra or replacement server.properties entries. */
  properties?: Record<string, PropertyValue>;
  /** How long start/restart wait for the broker to answer; default 60 s. */
  readyTimeoutMs?: number;
  /**
   * SASL_SSL with SCRAM users and ACLs (see kafka-security.ts): the CA and broker certificate from
   * `<workspace>/.cache/kafka-tls`, the users' passwords in `<dataDir>/credentials.json`. Default false
   * (one PLAINTEXT listener, no authorization).
   */
  secure?: boolean;
  /** Where the CA and broker certificate are cached; default `<workspace>/.cache/kafka-tls`. */
  tlsDir?: string;
  /**
   * Run the JVM in its own process group, so a terminal Ctrl-C reaches only the launcher, which
   * then stops things in order. Default false: Ctrl-C on a test run kills the broker directly.
   */
  detached?: boolean;
}

export interface KafkaBrokerHandle {
  /** bootstrap servers, "127.0.0.1:<port>" */
  readonly brokers: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** TLS files and user passwords of a secured broker (`secure`); undefined for a plaintext one. */
  readonly security: LocalKafkaSecurity | undefined;
  /** pid of the current JVM (changes on restart) */
  readonly pid: number;
  /** SIGTERM (controlled shutdown), SIGKILL after 20 s; resolves when the JVM has exited. */
  stop(): Promise<void>;
  /** SIGKILL, like a crash; resolves when the JVM has exited. */
  kill(): Promise<void>;
  /** Starts the broker again on the same ports and data (stopping it first if it still runs). */
  restart(): Promise<void>;
}

const STOP_GRACE_MS = 20_000;

/** meta.properties is written by `kafka-storage format`; its presence means the log dir is formatted. */
function isFormatted(logDir: string): boolean {
  return existsSync(path.join(logDir, 'meta.properties'));
}

function javaArgs(heapMb: number, log4jFile: string, libsDir: string): string[] {
  return [
    `-Xms${Math.min(256, heapMb)}m`,
    `-Xmx${heapMb}m`,
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
    '-cp',
    // The JVM expands the wildcard itself; no shell involved.
    path.join(libsDir, '*'),
  ];
}

/** Runs a `kafka.tools.StorageTool format` JVM to completion; its output goes into the error if it fails. */
export async function runStorageFormat(args: string[], dataDir: string): Promise<void> {
  const { code, output } = await runToCompletion('java', args);
  if (code !== 0) throw new Error(`kafka StorageTool format of ${dataDir} failed (exit ${code}):\n${output.trim()}`);
}

async function formatStorage(libsDir: string, dataDir: string, propertiesFile: string, security: LocalKafkaSecurity | undefined): Promise<void> {
  const args = [
    ...javaArgs(256, path.join(dataDir, 'log4j2.yaml'), libsDir),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    newClusterId(),
    '-c',
    propertiesFile,
    // SCRAM users live in the cluster metadata; made here, they exist before any client connects.
    ...(security ? addScramArgs(security) : []),
  ];
  await runStorageFormat(args, dataDir);
}

function tcpReachable(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The port accepting connections is not enough: the broker must have joined its KRaft quorum and serve metadata. */
async function answersMetadata(brokers: string, security: LocalKafkaSecurity | undefined): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'local-infra-readiness',
    brokers: [brokers],
    ...kafkaJsSecurity(clientSecurity(security, 'admin')),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * TLS files and passwords of a secured broker. A log dir formatted before without users (a plaintext
 * run) cannot get them now (SCRAM users are created at format time): that is refused, with the fix.
 */
async function brokerSecurity(dataDir: string, logDir: string, tlsDir: string | undefined, libsDir: string): Promise<LocalKafkaSecurity> {
  const passwordsFile = path.join(dataDir, 'credentials.json');
  if (isFormatted(logDir) && !existsSync(passwordsFile)) {
    throw new Error(
      `the Kafka data in ${dataDir} was made by a plaintext broker and has no SCRAM users: delete that directory ` +
        '(its topics are lost) or run with KAFKA_SECURITY_PROTOCOL=PLAINTEXT',
    );
  }
  const tls = await ensureBrokerTls(tlsDir ?? path.join(findWorkspaceRoot(), '.cache', 'kafka-tls'));
  return { ...tls, passwords: await ensurePasswords(passwordsFile), credentialsFile: passwordsFile, libsDir };
}

/** Starts a single-node KRaft Kafka broker from the plain jars (no Docker, no Kafka install). */
export async function startKafkaBroker(options: StartKafkaBrokerOptions): Promise<KafkaBrokerHandle> {
  const dataDir = path.resolve(options.dataDir);
  const logDir = path.join(dataDir, 'kraft-logs');
  const logFile = path.resolve(options.logFile ?? path.join(dataDir, 'broker.log'));
  const heapMb = options.heapMb ?? 384;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const libsDir = options.libsDir ?? (await ensureKafkaJars(findWorkspaceRoot()));

  let { port, controllerPort } = options;
  if (port === undefined || controllerPort === undefined) {
    // Two distinct free ports; a caller-given port is never reused for the other listener.
    const [a, b] = await getFreePorts(2);
    port ??= a === controllerPort ? b : a;
    controllerPort ??= b === port ? a : b;
  }
  const clientPort = port;
  const brokers = `127.0.0.1:${port}`;

  await mkdir(dataDir, { recursive: true });
  await mkdir(path.dirname(logFile), { recursive: true });
  const security = options.secure ? await brokerSecurity(dataDir, logDir, options.tlsDir, libsDir) : undefined;
  const propertiesFile = path.join(dataDir, 'server.properties');
  const log4jFile = path.join(dataDir, 'log4j2.yaml');
  await writeFile(
    propertiesFile,
    renderServerProperties({
      port,
      controllerPort,
      logDir,
      overrides: options.properties,
      security: security && { keystoreFile: security.keystoreFile, caFile: security.caFile, adminPassword: security.passwords.admin, controllerPassword: security.passwords.controller },
    }),
    // It holds the super users' passwords.
    { mode: 0o600 },
  );
  await writeFile(log4jFile, renderLog4j2Yaml());

  let child: ChildProcess | undefined;
  let exited: Promise<ExitInfo> = Promise.resolve({ code: null, signal: null });

  async function launch(): Promise<void> {
    // Format only a fresh log dir: formatting again would mint a new cluster id and lose the data.
    if (!isFormatted(logDir)) await formatStorage(libsDir, dataDir, propertiesFile, security);

    // The JVM writes straight into the log file, so its output never depends on this process reading a pipe.
    const fd = openSync(logFile, 'a');
    try {
      child = spawn('java', [...javaArgs(heapMb, log4jFile, libsDir), 'kafka.Kafka', propertiesFile], {
        cwd: dataDir,
        stdio: ['ignore', fd, fd],
        detached: options.detached ?? false,
      });
    } finally {
      closeSync(fd);
    }
    const current = child;
    exited = trackExit(current);
    killOnExit(current);

    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (hasExited(current)) {
        const info = await exited;
        throw new Error(
          `Kafka broker exited during startup (code ${info.code}, signal ${info.signal}). Last lines of ${logFile}:\n${await tailFile(logFile)}`,
        );
      }
      if ((await tcpReachable(clientPort, 1_000)) && (await answersMetadata(brokers, security))) return;
      await sleep(250);
    }
    await stopChild(current, exited, []);
    throw new Error(
      `Kafka broker on ${brokers} was not ready within ${readyTimeoutMs / 1000} s. Last lines of ${logFile}:\n${await tailFile(logFile)}`,
    );
  }

  async function stop(): Promise<void> {
    if (child) await stopChild(child, exited, [{ signal: 'SIGTERM', graceMs: STOP_GRACE_MS }]);
  }

  await launch();

  return {
    brokers,
    port,
    controllerPort,
    dataDir,
    logFile,
    security,
    get pid() {
      return child?.pid ?? -1;
    },
    stop,
    async kill() {
      if (child) await stopChild(child, exited, []);
    },
    async restart() {
      await stop();
      await launch();
    },
  };
}
