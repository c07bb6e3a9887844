import { z } from 'zod';
import { describeConfigKeys } from './bootstrap';
import { baseConfigSchema, databaseUrl, envInt } from './config';

describe('describeConfigKeys', () => {
  const schema = baseConfigSchema.extend({ DATABASE_URL: databaseUrl, BATCH_SIZE: envInt({ min: 1, max: 10, default: 5 }) });

  it('lists every variable of the schema, required when unset is rejected', () => {
    const keys = describeConfigKeys('persistence', schema);
    const required = keys.variables.filter((v) => v.required).map((v) => v.name);
    expect(keys.service).toBe('persistence');
    expect(keys.variables.map((v) => v.name)).toEqual([...Object.keys(baseConfigSchema.shape), 'DATABASE_URL', 'BATCH_SIZE']);
    expect(required.sort()).toEqual(['DATABASE_URL', 'HTTP_PORT', 'KAFKA_BROKERS']);
  });

  it('sees through refinements and transforms of the object', () => {
    const refined = schema.superRefine(() => undefined).transform((config) => ({ ...config, extra: true }));
    expect(describeConfigKeys('router', refined).variables.map((v) => v.name)).toContain('BATCH_SIZE');
  });

  it('refuses a schema that is not an object', () => {
    expect(() => describeConfigKeys('router', z.string())).toThrow(/z\.object/);
  });
});
