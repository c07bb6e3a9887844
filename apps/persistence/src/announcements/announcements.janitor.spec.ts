import type { KafkaProducer } from '@chat/kafka';
import type { DataSource } from 'typeorm';
import { AnnouncementsJanitor } from './announcements.janitor';

/*
 * The janitor's cadence against a fake clock; what a round does (tombstones, SKIP LOCKED, the rows
 * marked) is in announcements.integration-spec.ts against PostgreSQL.
 */
describe('AnnouncementsJanitor schedule', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('runs a round at start, then one every minute until the service stops, and goes on after a failed round', async () => {
    const janitor = new AnnouncementsJanitor({} as DataSource, {} as KafkaProducer);
    let rounds = 0;
    jest.spyOn(janitor, 'tombstoneExpired').mockImplementation(async () => {
      rounds += 1;
      if (rounds === 2) throw new Error('database away');
      return 0;
    });
    jest.spyOn(janitor['logger'], 'warn').mockImplementation(() => undefined);

    janitor.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(rounds).toBe(1);
    await jest.advanceTimersByTimeAsync(59_999);
    expect(rounds).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(rounds).toBe(2);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(rounds).toBe(3);

    await janitor.onApplicationShutdown();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(rounds).toBe(3);
  });
});
