import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { type ExitInfo, describeExit, hasExited, killOnExit, sleep, stopChild, trackExit } from './process-control';
import { tailText } from './log-tail';
import { readyzStatus } from './readyz';
import { jwtEnv, type JwtKeys } from './jwt-keys';
// build-app.mjs compiles these libs into local-infra's build: their being unbuildable does not matter.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { kafkaSecurityEnv, type KafkaSecurity } from '@chat/kafka';
import { clientSecurityEnv, type LocalKafkaSecurity } from './kafka-security';

export const SERVICES = ['gateway', 'auth', 'router', 'persistence', 'metrics'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ServiceSpec {
  /** HTTP port used by `up` (health endpoints; the gateway's public API). */
  httpPort: number;
  /** The service's own PostgreSQL database; services never share tables. */
  database?: string;
  /** Signs (auth: the private key) or verifies (gateway: the public keys) access tokens. */
  usesJwt?: 'signs' | 'verifies';
}

export const SERVICE_SPECS: Readonly<Record<ServiceName, ServiceSpec>> = {
  gateway: { httpPort: 3000, usesJwt: 'verifies' },
  auth: { httpPort: 3001, database: 'chat_auth', usesJwt: 'signs' },
  router: { httpPort: 3002 },
  persistence: { httpPort: 3003, database: 'chat_persistence' },
  metrics: { httpPort: 3004 },
};

/** Every database some service needs, e.g. to pass to startPostgres({ databases }). */
export const SERVICE_DATABASES: readonly string[] = SERVICES.flatMap((name) => SERVICE_SPECS[name].database ?? []);

/**
 * The auth rate limits of every test, load and harness run (the e2e suite, the load generator, the
 * fault harness), never of `up` or production (which keep the service's defaults: 10 registrations
 * and 20 logins per IP per minute). They are this generous because in those runs every user
 * registers and logs in from the same address, 127.0.0.1, within seconds: the load generator signs
 * in tens of thousands of users per run, far beyond any per-IP limit a real client meets. 1,000,000
 * is the highest value auth's config accepts.
 */
export const GENEROUS_AUTH_RATE_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: '1000000',
  RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '1000000',
  RATE_LIMIT_LOGIN_PER_USERNAME_PER_MINUTE: '1000000',
  RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_IP_PER_MINUTE: '1000000',
  RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: '1000000',
  RATE_LIMIT_REFRESH_PER_TOKEN_PER_MINUTE: '1000000',
  RATE_LIMIT_LOGOUT_PER_IP_PER_MINUTE: '1000000',
};

/** The gateway's per-IP limits for the same runs: every test and load client connects from 127.0.0.1. */
export const GENEROUS_GATEWAY_IP_LIMITS: Readonly<Record<string, string>> = {
  WS_MAX_CONNECTIONS_PER_IP: '1000000',
  WS_MAX_HANDSHAKES_PER_IP_PER_SECOND: '1000000',
  WS_HANDSHAKE_BURST_PER_IP: '1000000',
};

export interface ServiceEnvContext {
  kafkaBrokers: string;
  /**
   * The local broker's TLS and users (Infra.servicesKafkaSecurity): each service logs in as its own
   * principal (KAFKA_SASL_USERNAME = its name; a gateway as `gatewayLogin`); `plaintext` sets
   * KAFKA_SECURITY_PROTOCOL=PLAINTEXT and clears any inherited credentials. Without it the KAFKA_*
   * security variables are not set here and the service inherits the parent's (an external broker's settings).
   */
  kafkaSecurity?: LocalKafkaSecurity | 'plaintext';
  /**
   * A gateway's login to the secured local broker, as its own principal (provisionGatewayPrincipal).
   * Without it a gateway's KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are empty (it refuses to
   * start) until the caller sets them: ServiceFleet does when it starts the gateway.
   */
  gatewayLogin?: KafkaSecurity;
  /** Connection URL of a database by name (e.g. PostgresHandle.urlFor); needed for auth and persistence. */
  databaseUrlFor?: (database: string) => string;
  /** Default: the service's default port (SERVICE_SPECS). Tests pass free ports. */
  httpPort?: number;
  logLevel?: string;
  /** Default: `<name>-1`. */
  instanceId?: string;
  /** Access-token keys: auth gets the private key, gateways the public JWKS. */
  jwtKeys?: JwtKeys;
}

/** The service-specific environment; startService adds the parent's environment (PATH etc.) underneath. */
export function serviceEnv(name: ServiceName, context: ServiceEnvContext): Record<string, string> {
  const spec = SERVICE_SPECS[name];
  const env: Record<string, string> = {
    KAFKA_BROKERS: context.kafkaBrokers,
    HTTP_PORT: String(context.httpPort ?? spec.httpPort),
    LOG_LEVEL: context.logLevel ?? 'info',
    INSTANCE_ID: context.instanceId ?? `${name}-1`,
    ...(context.kafkaSecurity !== undefined && serviceKafkaEnv(name, context.kafkaSecurity, context.gatewayLogin)),
  };
  if (spec.usesJwt) {
    if (!context.jwtKeys) throw new Error(`${name} needs access-token keys but no jwtKeys were given`);
    Object.assign(env, jwtEnv(spec.usesJwt, context.jwtKeys));
  }
  if (spec.database) {
    if (!context.databaseUrlFor) throw new Error(`${name} needs PostgreSQL (database ${spec.database}) but no databaseUrlFor was given`);
    env.DATABASE_URL = context.databaseUrlFor(spec.database);
  }
  return env;
}

/** The KAFKA_* security variables of a service on the local broker (see ServiceEnvContext.kafkaSecurity). */
function serviceKafkaEnv(name: ServiceName, security: LocalKafkaSecurity | 'plaintext', gatewayLogin: KafkaSecurity | undefined): Record<string, string> {
  if (security === 'plaintext') return clientSecurityEnv(undefined, 'admin');
  if (name !== 'gateway') return clientSecurityEnv(security, name);
  // Each gateway has a principal of its own, made when it starts: no shared one to fall back on.
  return kafkaSecurityEnv(gatewayLogin ?? { protocol: 'SASL_SSL', tls: { caFile: security.caFile } });
}

export interface StartServiceOptions {
  name: ServiceName;
  /** Service environment (see serviceEnv); laid over the parent's environment. */
  env: Record<string, string>;
  workspaceRoot: string;
  /** Built entry point; default `<workspaceRoot>/dist/apps/<name>/main.js`. */
  entry?: string;
  /** Also append the output to this file. */
  logFile?: string;
  /** Also copy the output to this process' stdout/stderr as is. */
  inheritOutput?: boolean;
  /** Called for every complete output line (e.g. to print it with a prefix). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Own process group (see StartKafkaBrokerOptions.detached). */
  detached?: boolean;
  /**
   * Raise the soft open-file limit to the hard one (`sh -c 'ulimit -n …; exec node …'`; the pid is
   * still node's): a gateway holding tens of thousands of sockets needs more than a default 1,024.
   */
  raiseOpenFileLimit?: boolean;
  /** Options for node itself before the entry, e.g. `--cpu-prof` (which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly pid: number;
  readonly httpPort: number;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<ExitInfo>;
  /** stdout+stderr collected so far (the last 2 MiB). */
  output(): string;
  /** Polls GET /readyz until it answers 200; rejects with the output if the process exits first or time runs out. */
  waitForReady(timeoutMs?: number): Promise<void>;
  /** SIGTERM, SIGKILL after 15 s; resolves when the process has exited. */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL) and resolves when the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const MAX_OUTPUT_CHARS = 2 * 1024 * 1024;

export function distEntry(workspaceRoot: string, name: ServiceName): string {
  return path.join(workspaceRoot, 'dist', 'apps', name, 'main.js');
}

/** Runs one built service with plain `node` (no TypeScript loaders), as in production. */
export function startService(options: StartServiceOptions): ServiceProcess {
  const { name } = options;
  const entry = options.entry ?? distEntry(options.workspaceRoot, name);
  if (!existsSync(entry)) {
    throw new Error(`${name} is not built (${entry} is missing); run \`npx nx run ${name}:build\``);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // A DATABASE_URL meant for someone else must not leak into a service without a database.
  if (!SERVICE_SPECS[name].database && !('DATABASE_URL' in options.env)) delete env.DATABASE_URL;
  env.HTTP_PORT ??= String(SERVICE_SPECS[name].httpPort);
  env.INSTANCE_ID ??= `${name}-1`;
  env.LOG_LEVEL ??= 'info';
  if (!env.KAFKA_BROKERS) throw new Error(`startService(${name}): KAFKA_BROKERS is not set`);
  const httpPort = Number(env.HTTP_PORT);

  // `$0 "$@"` is node and the entry; exec keeps the pid, so signals and /proc reach node itself.
  const nodeArgs = [...(options.nodeArgs ?? []), entry];
  const [command, args]: [string, string[]] = options.raiseOpenFileLimit
    ? ['sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child: ChildProcess = spawn(command, args, {
    cwd: options.workspaceRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const exited = trackExit(child);
  killOnExit(child);

  let collected = '';
  let logStream: WriteStream | undefined;
  if (options.logFile) {
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    logStream = createWriteStream(options.logFile, { flags: 'a' });
  }
  const partial = { stdout: '', stderr: '' };
  const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const text = chunk.toString();
    collected = (collected + text).slice(-MAX_OUTPUT_CHARS);
    logStream?.write(text);
    if (options.inheritOutput) process[stream].write(text);
    if (options.onLine) {
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) options.onLine(line.replace(/\r$/, ''), stream);
    }
  };
  child.stdout?.on('data', onData('stdout'));
  child.stderr?.on('data', onData('stderr'));
  void exited.then(() => {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (partial[stream]) options.onLine?.(partial[stream], stream);
      partial[stream] = '';
    }
    logStream?.end();
  });

  return {
    name,
    pid: child.pid ?? -1,
    httpPort,
    exited,
    output: () => collected,
    async waitForReady(timeoutMs = 60_000) {
      const url = `http://127.0.0.1:${httpPort}/readyz`;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (hasExited(child)) {
          const info = await exited;
          throw new Error(`${name} exited (${describeExit(info)}) before it was ready. Output:\n${tailText(collected, 60)}`);
        }
        if ((await readyzStatus(httpPort, 1_000)) === 200) return;
        if (Date.now() > deadline) {
          throw new Error(`${name}: ${url} did not answer 200 within ${timeoutMs / 1000} s. Output:\n${tailText(collected, 60)}`);
        }
        await sleep(200);
      }
    },
    stop: () => stopChild(child, exited, [{ signal: 'SIGTERM', graceMs: 15_000 }]),
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!hasExited(child)) child.kill(signal);
      await exited;
    },
  };
}
