import { ReadinessRegistry } from './readiness';

describe('ReadinessRegistry', () => {
  it('is ready only when every check is ok', async () => {
    const registry = new ReadinessRegistry();
    registry.register('kafka', async () => ({ ok: true }));
    registry.register('database', async () => ({ ok: false, error: 'connection refused' }));
    expect(await registry.evaluate()).toEqual({
      ready: false,
      checks: { kafka: { ok: true }, database: { ok: false, error: 'connection refused' } },
    });
  });

  it('reports a check that throws as failed, with its message', async () => {
    const registry = new ReadinessRegistry();
    registry.register('kafka', async () => {
      throw new Error('describeCluster timed out');
    });
    expect(await registry.evaluate()).toEqual({ ready: false, checks: { kafka: { ok: false, error: 'describeCluster timed out' } } });
  });

  it('turns not ready for good once shutdown began', async () => {
    const registry = new ReadinessRegistry();
    registry.register('kafka', async () => ({ ok: true }));
    expect((await registry.evaluate()).ready).toBe(true);
    registry.markShuttingDown();
    expect(await registry.evaluate()).toEqual({ ready: false, checks: { kafka: { ok: true }, shutdown: { ok: false, reason: 'shutting down' } } });
  });
});
