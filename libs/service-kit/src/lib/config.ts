import { hostname } from 'node:os';
import { z } from 'zod';
import { LOG_LEVELS } from '@chat/logging';
import { KAFKA_SECURITY_VARIABLES, kafkaSecurityFromEnv, parseKafkaSecurity, type KafkaSecurity, type KafkaSecurityEnv } from '@chat/kafka';

/** Thrown when the environment does not describe a runnable service; lists every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; problem: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** An environment variable holding an integer within bounds; empty counts as unset. */
export function envInt(options: { min: number; max: number; default?: number }) {
  const schema = z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(options.min, `must be at least ${options.min}`).max(options.max, `must be at most ${options.max}`));
  return options.default === undefined ? schema : z.preprocess(emptyToUndefined, schema.optional()).transform((v) => v ?? options.default as number);
}

/** Like envInt, or the word `auto` (the default): the value is then derived at run time. */
export function envIntOrAuto(options: { min: number; max: number }) {
  const number = z.string().regex(/^-?\d+$/).transform(Number).pipe(z.number().int().min(options.min).max(options.max));
  return z
    .preprocess(emptyToUndefined, z.string().trim().toLowerCase().optional())
    .transform((value) => value ?? 'auto')
    .pipe(z.union([z.literal('auto'), number], { error: `must be auto or an integer from ${options.min} to ${options.max}` }));
}

/** For `z.preprocess`: an empty or blank environment variable counts as unset. */
export function emptyToUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

/** `host:port[,host:port…]` as in every Kafka client's bootstrap list. */
export const brokerList = z
  .string({ error: 'is required (comma-separated host:port list)' })
  .trim()
  .min(1, 'is required (comma-separated host:port list)')
  .transform((value) => value.split(',').map((b) => b.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, 'each broker must look like host:port')).min(1));

/** Instance ids name per-instance Kafka topics and consumer groups, so they stay DNS-label-like. */
export const instanceId = z
  .preprocess(emptyToUndefined, z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, 'must be 1-60 characters of a-z, 0-9 and -').optional())
  .transform((value) => value ?? hostname().toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 60));

/**
 * TLS and SASL of the Kafka connection (libs/kafka kafka-security.ts: KAFKA_SECURITY_PROTOCOL,
 * KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_FILE,
 * KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE), kept as given; loadConfig checks them together
 * (credentials for SASL, readable PEM files) and `kafkaSecurityOf(config)` reads them.
 */
export const kafkaSecurityVariables = Object.fromEntries(KAFKA_SECURITY_VARIABLES.map((name) => [name, z.string().optional()])) as {
  [K in (typeof KAFKA_SECURITY_VARIABLES)[number]]: z.ZodOptional<z.ZodString>;
};

/** The Kafka security of a loaded config (or environment); loadConfig already refused a bad one. */
export function kafkaSecurityOf(config: KafkaSecurityEnv): KafkaSecurity {
  return kafkaSecurityFromEnv(config);
}

/** What every service reads from its environment. */
export const baseConfigSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  KAFKA_BROKERS: brokerList,
  ...kafkaSecurityVariables,
  /** Copies of each topic the service creates; auto: min(3, brokers in the cluster). */
  KAFKA_REPLICATION_FACTOR: envIntOrAuto({ min: 1, max: 7 }),
  /** Copies that must have a record before it counts as written; auto: the replication factor - 1 (at least 1). */
  KAFKA_MIN_INSYNC_REPLICAS: envIntOrAuto({ min: 1, max: 7 }),
  HTTP_PORT: envInt({ min: 1, max: 65535 }),
  HTTP_HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(LOG_LEVELS).default('info')),
  INSTANCE_ID: instanceId,
  /** After SIGTERM, graceful shutdown gets this long before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: envInt({ min: 1000, max: 600000, default: 25000 }),
  HEARTBEAT_INTERVAL_MS: envInt({ min: 500, max: 600000, default: 5000 }),
  /** How often the instance publishes its figures (MetricsSample) on ops.metrics. */
  METRICS_SAMPLE_INTERVAL_MS: envInt({ min: 200, max: 600000, default: 2000 }),
});

/**
 * An injectable class for a service's validated configuration:
 * `export class GatewayConfig extends configFrom(gatewayConfigSchema) {}`. Its instances hold the
 * schema's output, so providers inject it by type (`constructor(private readonly config: GatewayConfig)`)
 * with no token and no cast; `GatewayConfig.load(env)` validates an environment into one.
 */
export function configFrom<S extends z.ZodType<z.output<typeof baseConfigSchema>>>(schema: S) {
  class Config {
    static readonly schema = schema;
    // Makes the type nominal: a plain object of the same shape is not a config (ServiceKitModule
    // provides a config under its class, so it must be an instance). Type only, nothing at runtime.
    protected declare readonly validatedBySchema: true;
    static load(env: NodeJS.ProcessEnv = process.env) {
      return new this(loadConfig(schema, env));
    }
    constructor(values: z.output<S>) {
      Object.assign(this, values);
    }
  }
  // A class cannot declare its fields from a type; the constructor assigns exactly the schema's output.
  return Config as unknown as ConfigClass<Readonly<z.output<S>> & Config, S>;
}

/** What `runService` needs of a config class: its schema (to list the variables) and `load`. */
export interface ConfigSource<C> {
  readonly schema: z.ZodType;
  /** Validates `env` (default: process.env); throws ConfigError naming every bad variable. */
  load(env?: NodeJS.ProcessEnv): C;
}

/** What `configFrom` makes: a class of the values its schema produced, carrying that schema. */
export interface ConfigClass<C, S extends z.ZodType> extends ConfigSource<C> {
  new (values: z.output<S>): C;
  readonly schema: S;
}

/** What every service reads; injected by library code (heartbeats, samples) in every service. */
export class BaseConfig extends configFrom(baseConfigSchema) {}

/** A PostgreSQL connection string, for the services that own tables. */
export const databaseUrl = z
  .string({ error: 'is required (postgres://user:password@host:port/database)' })
  .trim()
  .regex(/^postgres(ql)?:\/\/.+\/.+/, 'must be a postgres:// URL with a database name');

/** Checks between variables of the base schema (a refinement would stop apps from extending it). */
function crossVariableProblems(values: unknown): { variable: string; problem: string }[] {
  const { KAFKA_REPLICATION_FACTOR: factor, KAFKA_MIN_INSYNC_REPLICAS: minInsync } = (values ?? {}) as Record<string, unknown>;
  const problems: { variable: string; problem: string }[] = [];
  if (typeof factor === 'number' && typeof minInsync === 'number' && minInsync > factor) {
    problems.push({ variable: 'KAFKA_MIN_INSYNC_REPLICAS', problem: `must not exceed KAFKA_REPLICATION_FACTOR (${factor}): no write could ever succeed` });
  }
  return [...problems, ...kafkaSecurityProblems(values)];
}

/** The Kafka security variables checked together, for schemas that read them (the base schema, chatctl's). */
function kafkaSecurityProblems(values: unknown): { variable: string; problem: string }[] {
  return parseKafkaSecurity((values ?? {}) as KafkaSecurityEnv).problems;
}

export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) {
    const problems = crossVariableProblems(result.data);
    if (problems.length > 0) throw new ConfigError(problems);
    return result.data;
  }
  // The variable is the first path segment; deeper segments (an item of a list) stay out of its name.
  const problems = result.error.issues.map((issue) => ({
    variable: issue.path.length > 0 ? String(issue.path[0]) : '(environment)',
    problem: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
  }));
  // Name the Kafka security problems too, so one start lists everything wrong.
  const securityProblems = schemaReadsKafkaSecurity(schema) ? kafkaSecurityProblems(env) : [];
  throw new ConfigError([...problems, ...securityProblems.filter((p) => !problems.some((q) => q.variable === p.variable))]);
}

function schemaReadsKafkaSecurity(schema: z.ZodType): boolean {
  return schema instanceof z.ZodObject && 'KAFKA_SECURITY_PROTOCOL' in schema.shape;
}
