import { KafkaClient } from './kafka-client';

/*
 * Readiness of the broker (docs/kafka.md "Connection"): one describeCluster round trip, bounded by
 * 2 s and cached for 1 s, against a stand-in admin and a fake clock.
 */

describe('KafkaClient.isReachable', () => {
  let client: KafkaClient;
  let answers: Array<'ok' | 'hang' | Error>;
  let roundTrips: number;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_700_000_000_000, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    // No connection is made: the client only builds its kafkajs objects here.
    client = new KafkaClient({ clientId: 'readiness-test', brokers: ['127.0.0.1:9'], topics: [], replicationFactor: 1 });
    answers = [];
    roundTrips = 0;
    jest.spyOn(client.admin, 'describeCluster').mockImplementation(() => {
      roundTrips += 1;
      const answer = answers.shift() ?? 'ok';
      if (answer === 'hang') return new Promise(() => undefined);
      if (answer instanceof Error) return Promise.reject(answer);
      return Promise.resolve({ brokers: [{ nodeId: 0, host: '127.0.0.1', port: 9 }], controller: 0, clusterId: 'c' });
    });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  /** What readiness reports of the broker (without the time of the round trip). */
  async function reachable(): Promise<{ ok: boolean; error?: string }> {
    const { ok, error } = await client.isReachable();
    return { ok, error };
  }

  it('asks the cluster once and answers from that for 1 s, then asks again', async () => {
    answers = ['ok', new Error('Connection refused')];
    expect(await reachable()).toEqual({ ok: true });
    await jest.advanceTimersByTimeAsync(999);
    expect(await reachable()).toEqual({ ok: true });
    expect(roundTrips).toBe(1);

    await jest.advanceTimersByTimeAsync(1);
    expect(await reachable()).toEqual({ ok: false, error: 'Error: Connection refused' });
    expect(roundTrips).toBe(2);
  });

  it('gives up on a round trip after 2 s and reports the broker unreachable', async () => {
    answers = ['hang'];
    let settled: { ok: boolean; error?: string } | undefined;
    void reachable().then((result) => (settled = result));
    await jest.advanceTimersByTimeAsync(1999);
    expect(settled).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(settled).toEqual({ ok: false, error: 'Error: describeCluster timed out' });

    // The failure is cached too; a second later the broker is asked again and answers.
    expect(await reachable()).toEqual({ ok: false, error: 'Error: describeCluster timed out' });
    expect(roundTrips).toBe(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(await reachable()).toEqual({ ok: true });
    expect(roundTrips).toBe(2);
  });
});
