import { InstanceRegistry } from './instance-registry';

const beat = { service: 'gateway' as const, instanceId: 'gateway-1', startedAt: 1000, intervalMs: 5000, ready: true };

describe('InstanceRegistry', () => {
  it('flags an instance missing once it skipped the allowed number of its intervals', () => {
    const registry = new InstanceRegistry(3);
    registry.record(beat, 10_000);
    expect(registry.list(10_000 + 15_000)).toEqual([expect.objectContaining({ instanceId: 'gateway-1', missing: false })]);
    expect(registry.list(10_000 + 15_001)).toEqual([expect.objectContaining({ instanceId: 'gateway-1', missing: true })]);
  });

  it('keeps the newest heartbeat when an older one arrives late', () => {
    const registry = new InstanceRegistry(3);
    registry.record({ ...beat, ready: true }, 20_000);
    registry.record({ ...beat, ready: false }, 10_000);
    expect(registry.list(20_000)[0]).toMatchObject({ lastHeartbeatAt: 20_000, ready: true });
  });

  it('lists instances sorted by service and id', () => {
    const registry = new InstanceRegistry(3);
    registry.record({ ...beat, service: 'router', instanceId: 'router-1' }, 1);
    registry.record({ ...beat, instanceId: 'gateway-2' }, 1);
    registry.record(beat, 1);
    expect(registry.list(1).map((i) => i.instanceId)).toEqual(['gateway-1', 'gateway-2', 'router-1']);
  });
});
