import { Kafka, logLevel } from 'kafkajs';
// build-app.mjs compiles these libs into local-infra's build: their being unbuildable does not matter.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { kafkaAclPlan } from '@chat/protocol';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { applyAclPlan, kafkaJsSecurity } from '@chat/kafka';
import { ensureKafkaJars } from './kafka-jars';
import { clientSecurity, clientSecurityEnv, type LocalKafkaSecurity, type LocalKafkaUser } from './kafka-security';
import { type KafkaBrokerHandle, type StartKafkaBrokerOptions, startKafkaBroker } from './kafka-broker';
import { type PostgresHandle, type StartPostgresOptions, startPostgres } from './postgres';
import { SERVICE_DATABASES } from './suite';

/*
 * The infrastructure half of the launcher: one Kafka broker and one PostgreSQL (with every service's
 * database), each either started here or an external one given by address. `up`, the e2e global
 * setup, the load generator and the fault harness all start theirs through startInfra.
 */

/** With `secure`: SASL_SSL, a SCRAM user per service, and the ACL plan applied before anything connects. */
export type OwnKafkaOptions = Omit<StartKafkaBrokerOptions, 'libsDir'>;
export type OwnPostgresOptions = Omit<StartPostgresOptions, 'databases'>;

export interface StartInfraOptions {
  workspaceRoot: string;
  /** `{ external: 'host:port,…' }` uses that broker; `{ start: … }` starts one (jars fetched when missing). */
  kafka: { external: string } | { start: OwnKafkaOptions };
  /** `{ external: urlFor }` uses that server; `{ start: … }` starts one and creates SERVICE_DATABASES. */
  postgres: { external: (database: string) => string } | { start: OwnPostgresOptions };
  /** Start the broker and PostgreSQL at the same time (default) or the broker first. */
  concurrently?: boolean;
  /**
   * Attempts for a broker or PostgreSQL on ports picked here (no port given): a free port can be
   * taken by someone else before it is bound. Attempt n ≥ 2 uses `<dataDir>-<n>`. Default 1.
   */
  portAttempts?: number;
  onProgress?: (event: InfraEvent) => void;
}

export type InfraComponent = 'kafka' | 'postgres';

export type InfraEvent =
  | { component: InfraComponent; phase: 'external' }
  | { component: InfraComponent; phase: 'starting'; dataDir: string }
  | { component: InfraComponent; phase: 'ready'; elapsedMs: number };

export interface Infra {
  readonly kafkaBrokers: string;
  /**
   * TLS files and user passwords of the broker started here with SASL_SSL; undefined for a plaintext
   * or an external one (whose clients take KAFKA_SECURITY_PROTOCOL etc. from the environment).
   */
  readonly kafkaSecurity: LocalKafkaSecurity | undefined;
  /**
   * What a ServiceFleet on this infra takes as `kafkaSecurity`: the users of a secured own broker,
   * `plaintext` for a plaintext own one, undefined for an external one (the parent's variables apply).
   */
  readonly servicesKafkaSecurity: LocalKafkaSecurity | 'plaintext' | undefined;
  /** The KAFKA_* environment of a client logging in as `user` (PLAINTEXT for a plaintext own broker; empty for an external one). */
  kafkaClientEnv(user: LocalKafkaUser): Record<string, string>;
  /** Connection URL of one service database (of the own PostgreSQL, or the external `urlFor`). */
  databaseUrlFor(database: string): string;
  /** The broker started here; undefined for an external one. */
  readonly broker: KafkaBrokerHandle | undefined;
  /** The PostgreSQL started here (a new handle after restartPostgres); undefined for an external one. */
  readonly postgres: PostgresHandle | undefined;
  /** Pids of what was started here, e.g. for CPU sampling. */
  pids(): Array<{ name: InfraComponent; pid: number }>;
  /** SIGKILL of the broker's JVM (a crash), then a start on the same ports and data. */
  crashAndRestartBroker(): Promise<void>;
  /** A fast shutdown of PostgreSQL, then a start on the same data dir and port. */
  restartPostgres(): Promise<void>;
  /** The broker, then PostgreSQL (stop the services first: they still flush to both while stopping). */
  stop(): Promise<void>;
}

function isPortClash(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /address already in use|could not bind/i.test(message);
}

async function withAttempts<T>(attempts: number, start: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start(attempt);
    } catch (error) {
      if (attempt >= attempts || !isPortClash(error)) throw error;
    }
  }
}

const dataDirFor = (dataDir: string, attempt: number) => (attempt === 1 ? dataDir : `${dataDir}-${attempt}`);

/**
 * Starts (or connects to) Kafka and PostgreSQL. When either fails, whatever did start is stopped
 * again before the error is thrown.
 */
export async function startInfra(options: StartInfraOptions): Promise<Infra> {
  const { kafka, postgres } = options;
  const progress = options.onProgress ?? (() => undefined);
  let broker: KafkaBrokerHandle | undefined;
  let database: PostgresHandle | undefined;

  /** Starts one component of our own (progress reported, port clashes retried), or reports it external. */
  const startOwn = async <O extends { dataDir: string; port?: number }, H>(
    component: InfraComponent,
    own: O | undefined,
    start: (own: O, dataDir: string) => Promise<H>,
  ): Promise<H | undefined> => {
    if (!own) {
      progress({ component, phase: 'external' });
      return undefined;
    }
    progress({ component, phase: 'starting', dataDir: own.dataDir });
    const started = Date.now();
    const attempts = own.port === undefined ? (options.portAttempts ?? 1) : 1;
    const handle = await withAttempts(attempts, (attempt) => start(own, dataDirFor(own.dataDir, attempt)));
    progress({ component, phase: 'ready', elapsedMs: Date.now() - started });
    return handle;
  };
  const startKafka = async (): Promise<void> => {
    broker = await startOwn('kafka', 'external' in kafka ? undefined : kafka.start, async (own, dataDir) => {
      const started = await startKafkaBroker({ ...own, secure: own.secure ?? false, dataDir, libsDir: await ensureKafkaJars(options.workspaceRoot) });
      try {
        if (started.security) await applyLocalAcls(started.brokers, started.security);
      } catch (error) {
        await started.stop();
        throw error;
      }
      return started;
    });
  };
  const startDatabase = async (): Promise<void> => {
    database = await startOwn('postgres', 'external' in postgres ? undefined : postgres.start, (own, dataDir) =>
      startPostgres({ ...own, dataDir, databases: [...SERVICE_DATABASES] }),
    );
  };

  const settled =
    options.concurrently === false
      ? [await startKafka().then(ok, fail), await startDatabase().then(ok, fail)]
      : await Promise.all([startKafka().then(ok, fail), startDatabase().then(ok, fail)]);
  const errors = settled.flatMap((result) => (result.ok ? [] : [result.error]));
  if (errors.length > 0) {
    await Promise.allSettled([broker?.stop(), database?.stop()]);
    throw errors.length === 1 ? errors[0] : new Error(errors.map(String).join('\n\n'));
  }

  const kafkaBrokers = 'external' in kafka ? kafka.external : (broker as KafkaBrokerHandle).brokers;
  const kafkaSecurity = broker?.security;
  return {
    kafkaBrokers,
    kafkaSecurity,
    servicesKafkaSecurity: broker ? (kafkaSecurity ?? 'plaintext') : undefined,
    kafkaClientEnv: (user) => (broker ? clientSecurityEnv(kafkaSecurity, user) : {}),
    databaseUrlFor(name: string) {
      if ('external' in postgres) return postgres.external(name);
      if (!database) throw new Error('PostgreSQL is not running');
      return database.urlFor(name);
    },
    broker,
    get postgres() {
      return database;
    },
    pids() {
      return [...(broker ? [{ name: 'kafka' as const, pid: broker.pid }] : []), ...(database ? [{ name: 'postgres' as const, pid: database.pid }] : [])];
    },
    async crashAndRestartBroker() {
      if (!broker) throw new Error('the broker is external: it cannot be restarted from here');
      await broker.kill();
      await broker.restart();
    },
    async restartPostgres() {
      if (!database || 'external' in postgres) throw new Error('PostgreSQL is external: it cannot be restarted from here');
      const { dataDir, port } = database;
      await database.stop();
      database = await startPostgres({ ...postgres.start, dataDir, port, databases: [...SERVICE_DATABASES] });
    },
    async stop() {
      await broker?.stop();
      await database?.stop();
    },
  };
}

type Settled = { ok: true } | { ok: false; error: unknown };
const ok = (): Settled => ({ ok: true });
const fail = (error: unknown): Settled => ({ ok: false, error });

/** The services' ACLs (libs/protocol kafka-acls), created as the admin before any service starts. */
async function applyLocalAcls(brokers: string, security: LocalKafkaSecurity): Promise<void> {
  const admin = new Kafka({ clientId: 'local-infra-acls', brokers: [brokers], logLevel: logLevel.NOTHING, ...kafkaJsSecurity(clientSecurity(security, 'admin')) }).admin();
  await admin.connect();
  try {
    await applyAclPlan(admin, kafkaAclPlan());
  } finally {
    await admin.disconnect();
  }
}
