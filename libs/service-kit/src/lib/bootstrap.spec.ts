import { z } from 'zod';
import { describeConfigKeys, drainAndExit, type Drain } from './bootstrap';
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

describe('drainAndExit (SIGTERM, SIGINT)', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  /** A drain whose `close` settles when the test says; `steps` records what happened, in order. */
  function drain(timeoutMs = 25_000) {
    const steps: string[] = [];
    let settle!: { resolve: () => void; reject: (error: Error) => void };
    const closing = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const options: Drain = {
      markShuttingDown: () => void steps.push('not ready'),
      close: () => {
        steps.push('close');
        return closing;
      },
      timeoutMs,
      log: { info: () => undefined, error: () => undefined } as unknown as Drain['log'],
      exit: (code) => void steps.push(`exit ${code}`),
    };
    return { steps, options, settle };
  }

  it('reports not ready at once, closes the application, and exits 0 once it is closed', async () => {
    const { steps, options, settle } = drain();
    drainAndExit('SIGTERM', options);
    expect(steps).toEqual(['not ready', 'close']);
    settle.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(steps).toEqual(['not ready', 'close', 'exit 0']);
  });

  it('exits 1 once SHUTDOWN_TIMEOUT_MS is over and the application has not closed', async () => {
    const { steps, options } = drain(25_000);
    drainAndExit('SIGTERM', options);
    await jest.advanceTimersByTimeAsync(24_999);
    expect(steps).toEqual(['not ready', 'close']);
    await jest.advanceTimersByTimeAsync(1);
    expect(steps).toEqual(['not ready', 'close', 'exit 1']);
  });

  it('exits 1 when closing fails', async () => {
    const { steps, options, settle } = drain();
    drainAndExit('SIGINT', options);
    settle.reject(new Error('consumer would not stop'));
    await jest.advanceTimersByTimeAsync(0);
    expect(steps).toEqual(['not ready', 'close', 'exit 1']);
  });
});
