import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { z } from 'zod';
import { KafkaClient, KafkaConsumerFactory, KafkaTransport, type KafkaTransportOptions } from '@chat/kafka';
import { createRootLogger, PinoNestLogger } from '@chat/logging';
import type { ServiceName } from '@chat/protocol';
import { telemetry } from '@chat/telemetry';
import { ConfigError, type BaseConfig, type ConfigSource } from './config';
import { ReadinessRegistry } from './readiness';
import type { ServiceIdentity } from './service-identity';

/** Exit status for a configuration the service cannot run with (sysexits' EX_CONFIG). */
export const EXIT_INVALID_CONFIG = 78;

/** `main.js --config-keys`: print the variables the service reads (ConfigKeys as JSON) and exit 0. */
export const CONFIG_KEYS_ARG = '--config-keys';
/** `main.js --check-config`: validate the environment, exit 0 or EXIT_INVALID_CONFIG, start nothing. */
export const CHECK_CONFIG_ARG = '--check-config';

/**
 * The environment variables a service's config schema knows, for deployment checks (the Kubernetes
 * manifests are tested against this, so the schema stays the one source of truth).
 */
export interface ConfigKeys {
  service: ServiceName;
  /** required: the service refuses to start without it (no default, and unset is not accepted). */
  variables: { name: string; required: boolean }[];
}

export interface ServiceDefinition<C extends BaseConfig> {
  service: ServiceName;
  /** The service's config class (`configFrom(schema)`): validated from the environment at start. */
  config: ConfigSource<C>;
  rootModule: (config: C, identity: ServiceIdentity) => DynamicModule;
  /**
   * Application-level settings (WebSocket adapter, Express options, API docs), applied to the one
   * application of the process after its module graph is created and before it initialises and listens.
   */
  configure?: (app: NestExpressApplication, config: C) => void | Promise<void>;
  /** Consumer options from the configuration, by group id, over those its `@KafkaEventPattern` declares. */
  consumerOptions?: (config: C) => KafkaTransportOptions['groupOptions'];
}

/**
 * Starts a service: validated config (or a clear message and exit 78), JSON logs, HTTP with health
 * and metrics endpoints, and graceful shutdown on SIGTERM/SIGINT bounded by SHUTDOWN_TIMEOUT_MS.
 */
export async function runService<C extends BaseConfig>(definition: ServiceDefinition<C>): Promise<NestExpressApplication> {
  if (process.argv.includes(CONFIG_KEYS_ARG)) {
    return exitAfterWriting(`${JSON.stringify(describeConfigKeys(definition.service, definition.config.schema))}\n`);
  }
  const config = loadConfigOrExit(definition.service, definition.config);
  if (process.argv.includes(CHECK_CONFIG_ARG)) {
    return exitAfterWriting(`${definition.service}: configuration valid\n`);
  }
  const identity: ServiceIdentity = { service: definition.service, instanceId: config.INSTANCE_ID, startedAt: Date.now() };
  const root = createRootLogger({ service: definition.service, instanceId: identity.instanceId, level: config.LOG_LEVEL });
  const logger = new PinoNestLogger(root);
  telemetry.configure({ service: definition.service, instanceId: identity.instanceId });

  process.on('unhandledRejection', (reason) => {
    root.fatal({ err: reason }, 'unhandled promise rejection; exiting');
    process.exitCode = 1;
    process.kill(process.pid, 'SIGTERM');
  });

  const app = await NestFactory.create<NestExpressApplication>(definition.rootModule(config, identity), { logger, abortOnError: false });
  await definition.configure?.(app, config);
  connectKafkaTransport(app, identity, definition.consumerOptions?.(config));
  const readiness = app.get(ReadinessRegistry);
  // Our own signal handling instead of enableShutdownHooks: Nest would re-raise the signal after
  // closing, and a drained, cleanly stopped service should exit 0.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () =>
      drainAndExit(signal, {
        markShuttingDown: () => readiness.markShuttingDown(),
        close: () => app.close(),
        timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
        log: root,
        exit: (code) => process.exit(code),
      }),
    );
  }
  // Lifecycle hooks first (Kafka connected, views started), then the @KafkaEventPattern consumers, then HTTP.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  root.info({ port: config.HTTP_PORT, host: config.HTTP_HOST }, `${definition.service} listening`);
  return app;
}

/** What draining a service takes (runService passes the real ones; the spec, stand-ins). */
export interface Drain {
  markShuttingDown(): void;
  close(): Promise<void>;
  /** SHUTDOWN_TIMEOUT_MS: the process exits 1 once this is over, drained or not. */
  timeoutMs: number;
  log: Pick<ReturnType<typeof createRootLogger>, 'info' | 'error'>;
  exit(code: number | string): void;
}

/**
 * On a shutdown signal: readiness 503 at once, then the application closes (consumers, producer,
 * HTTP); exit 0 (or the exit code already set) once it has, 1 if closing fails or takes longer than
 * `timeoutMs`.
 */
export function drainAndExit(signal: string, { markShuttingDown, close, timeoutMs, log, exit }: Drain): void {
  log.info({ signal }, 'shutdown requested: draining');
  markShuttingDown();
  setTimeout(() => {
    log.error({ timeoutMs }, 'graceful shutdown timed out; exiting');
    exit(1);
  }, timeoutMs).unref();
  close().then(
    () => {
      log.info('shutdown complete');
      exit(process.exitCode ?? 0);
    },
    (error: unknown) => {
      log.error({ err: error }, 'shutdown failed');
      exit(1);
    },
  );
}

/**
 * Nest's microservice side of the one application: every `@KafkaEventPattern` handler in its
 * controllers gets a consumer of `@chat/kafka` (KafkaTransport). Handler errors reach the consumer
 * as thrown, so it retries or dead-letters by their class.
 */
function connectKafkaTransport(app: NestExpressApplication, identity: ServiceIdentity, groupOptions: KafkaTransportOptions['groupOptions']): void {
  const client = app.get(KafkaClient, { strict: false });
  const transport = new KafkaTransport({
    consumers: app.get(KafkaConsumerFactory, { strict: false }),
    instanceId: identity.instanceId,
    resolve: (token) => app.get(token, { strict: false }),
    stopping: () => client.abortSignal.aborted,
    groupOptions,
  });
  // @KafkaEventPattern puts RethrowToConsumerFilter on each handler: a global filter misses them in a hybrid app.
  app.connectMicroservice({ strategy: transport });
}

export function describeConfigKeys(service: ServiceName, schema: z.ZodType): ConfigKeys {
  const shape = objectShapeOf(schema);
  return {
    service,
    variables: Object.entries(shape).map(([name, field]) => ({ name, required: !z.safeParse(field, undefined).success })),
  };
}

/** The z.object under a schema; refinements keep the object type in zod 4, a transform wraps it in a pipe. */
function objectShapeOf(schema: z.core.$ZodType): z.core.$ZodShape {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodPipe) return objectShapeOf(schema.in);
  throw new Error('a service config schema must be a z.object (refined or transformed at most)');
}

/** Exits once the text is flushed: stdout may be a pipe, and process.exit would not wait for it. */
function exitAfterWriting(text: string): Promise<never> {
  return new Promise<never>(() => {
    process.stdout.write(text, () => process.exit(0));
  });
}

function loadConfigOrExit<C>(service: ServiceName, config: ConfigSource<C>): C {
  try {
    return config.load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Written directly: the logger needs the config that just failed.
    const lines = error.problems.map((p) => `  ${p.variable}: ${p.problem}`).join('\n');
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', service, msg: 'invalid configuration', problems: error.problems })}\n` +
        `${service}: invalid configuration, not starting:\n${lines}\n`,
    );
    process.exit(EXIT_INVALID_CONFIG);
  }
}
