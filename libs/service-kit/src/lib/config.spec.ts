import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { thrownBy } from '@chat/testing';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BaseConfig, baseConfigSchema, ConfigError, configFrom, databaseUrl, envInt, kafkaSecurityOf, loadConfig } from './config';

const valid = { KAFKA_BROKERS: '127.0.0.1:9092, kafka-2:9092', HTTP_PORT: '3000', INSTANCE_ID: 'Gateway-7' };

function problemsOf(env: NodeJS.ProcessEnv, schema = baseConfigSchema) {
  return thrownBy(() => loadConfig(schema, env), ConfigError).problems;
}

describe('loadConfig with the base schema', () => {
  it('parses a valid environment and fills defaults', () => {
    expect(loadConfig(baseConfigSchema, valid)).toEqual({
      NODE_ENV: 'development',
      KAFKA_BROKERS: ['127.0.0.1:9092', 'kafka-2:9092'],
      KAFKA_REPLICATION_FACTOR: 'auto',
      KAFKA_MIN_INSYNC_REPLICAS: 'auto',
      HTTP_PORT: 3000,
      HTTP_HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      INSTANCE_ID: 'gateway-7',
      SHUTDOWN_TIMEOUT_MS: 25000,
      HEARTBEAT_INTERVAL_MS: 5000,
      METRICS_SAMPLE_INTERVAL_MS: 2000,
    });
  });

  it('names every missing or malformed variable at once', () => {
    expect(problemsOf({ HTTP_PORT: '70000', LOG_LEVEL: 'chatty', SHUTDOWN_TIMEOUT_MS: 'soon' })).toEqual([
      { variable: 'KAFKA_BROKERS', problem: expect.stringContaining('is required') },
      { variable: 'HTTP_PORT', problem: 'must be at most 65535' },
      { variable: 'LOG_LEVEL', problem: expect.stringContaining('fatal') },
      { variable: 'SHUTDOWN_TIMEOUT_MS', problem: 'must be an integer' },
    ]);
  });

  it('rejects brokers without a port and instance ids that cannot name a topic', () => {
    const problems = problemsOf({ ...valid, KAFKA_BROKERS: 'kafka', INSTANCE_ID: 'gate way!' });
    expect(problems.map((p) => p.variable)).toEqual(['KAFKA_BROKERS', 'INSTANCE_ID']);
    expect(problems[0].problem).toBe('each broker must look like host:port');
  });

  it('treats an empty optional variable as unset', () => {
    expect(loadConfig(baseConfigSchema, { ...valid, LOG_LEVEL: '', HEARTBEAT_INTERVAL_MS: ' ' })).toMatchObject({ LOG_LEVEL: 'info', HEARTBEAT_INTERVAL_MS: 5000 });
  });
});

describe('Kafka replication settings', () => {
  it('take auto or a number, and refuse a min.insync.replicas above the replication factor', () => {
    expect(loadConfig(baseConfigSchema, { ...valid, KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' })).toMatchObject({ KAFKA_REPLICATION_FACTOR: 3, KAFKA_MIN_INSYNC_REPLICAS: 2 });
    expect(loadConfig(baseConfigSchema, { ...valid, KAFKA_REPLICATION_FACTOR: 'AUTO', KAFKA_MIN_INSYNC_REPLICAS: '' })).toMatchObject({ KAFKA_REPLICATION_FACTOR: 'auto', KAFKA_MIN_INSYNC_REPLICAS: 'auto' });
    expect(problemsOf({ ...valid, KAFKA_REPLICATION_FACTOR: 'three' })).toEqual([{ variable: 'KAFKA_REPLICATION_FACTOR', problem: 'must be auto or an integer from 1 to 7' }]);
    expect(problemsOf({ ...valid, KAFKA_REPLICATION_FACTOR: '2', KAFKA_MIN_INSYNC_REPLICAS: '3' })).toEqual([
      { variable: 'KAFKA_MIN_INSYNC_REPLICAS', problem: expect.stringContaining('must not exceed KAFKA_REPLICATION_FACTOR (2)') },
    ]);
  });
});

describe('Kafka security settings', () => {
  const caFile = path.join(tmpdir(), `config-spec-ca-${process.pid}.pem`);
  writeFileSync(caFile, 'PEM');

  it('are plaintext by default and SASL_SSL with a principal, a password and a CA when asked', () => {
    expect(kafkaSecurityOf(loadConfig(baseConfigSchema, valid))).toEqual({ protocol: 'PLAINTEXT' });
    const config = loadConfig(baseConfigSchema, { ...valid, KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'router', KAFKA_SASL_PASSWORD: 'pw', KAFKA_SSL_CA_FILE: caFile });
    expect(kafkaSecurityOf(config)).toEqual({ protocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-512', username: 'router', password: 'pw' }, tls: { caFile } });
  });

  it('refuse SASL without credentials and an unreadable CA at start, next to any other bad variable', () => {
    expect(problemsOf({ ...valid, KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'router', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' })).toEqual([
      { variable: 'KAFKA_SASL_PASSWORD', problem: 'is required when KAFKA_SECURITY_PROTOCOL is SASL_SSL' },
      { variable: 'KAFKA_SSL_CA_FILE', problem: expect.stringContaining('cannot read /nonexistent/ca.pem') },
    ]);
    expect(problemsOf({ ...valid, HTTP_PORT: 'x', KAFKA_SECURITY_PROTOCOL: 'SCRAM' }).map((p) => p.variable)).toEqual(['HTTP_PORT', 'KAFKA_SECURITY_PROTOCOL']);
  });
});

describe('databaseUrl', () => {
  const schema = baseConfigSchema.extend({ DATABASE_URL: databaseUrl });

  it('requires a postgres URL with a database name', () => {
    expect(problemsOf(valid, schema)).toEqual([{ variable: 'DATABASE_URL', problem: expect.stringContaining('is required') }]);
    expect(problemsOf({ ...valid, DATABASE_URL: 'mysql://localhost/chat' }, schema)[0].variable).toBe('DATABASE_URL');
    expect(loadConfig(schema, { ...valid, DATABASE_URL: 'postgres://u:p@db:5432/chat_auth' }).DATABASE_URL).toBe('postgres://u:p@db:5432/chat_auth');
  });
});

describe('configFrom', () => {
  class ExampleConfig extends configFrom(baseConfigSchema.extend({ EXAMPLE_LIMIT: envInt({ min: 1, max: 10, default: 3 }) })) {}

  @Injectable()
  class NeedsConfig {
    constructor(readonly config: ExampleConfig) {}
  }

  it('loads the environment into an instance of the class that holds the schema output', () => {
    const config = ExampleConfig.load({ ...valid, EXAMPLE_LIMIT: '7' });
    expect(config).toBeInstanceOf(ExampleConfig);
    expect(config).toMatchObject({ HTTP_PORT: 3000, EXAMPLE_LIMIT: 7, INSTANCE_ID: 'gateway-7' });
    expect(ExampleConfig.load(valid).EXAMPLE_LIMIT).toBe(3);
  });

  it('names every bad variable', () => {
    expect(thrownBy(() => ExampleConfig.load({ HTTP_PORT: '3000', EXAMPLE_LIMIT: '11' }), ConfigError).problems).toEqual([
      { variable: 'KAFKA_BROKERS', problem: expect.stringContaining('is required') },
      { variable: 'EXAMPLE_LIMIT', problem: 'must be at most 10' },
    ]);
  });

  it('is injected by its class, with no token', async () => {
    const config = ExampleConfig.load(valid);
    @Module({ providers: [{ provide: ExampleConfig, useValue: config }, NeedsConfig] })
    class ExampleModule {}
    const moduleRef = await Test.createTestingModule({ imports: [ExampleModule] }).compile();
    expect(moduleRef.get(NeedsConfig).config).toBe(config);
  });

  it('gives the base config its own class for library code', () => {
    expect(BaseConfig.load(valid)).toBeInstanceOf(BaseConfig);
  });
});
