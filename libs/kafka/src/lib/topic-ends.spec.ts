import type { Admin } from 'kafkajs';
import { KafkaJSProtocolError } from 'kafkajs';
import { fetchTopicEnds } from './topic-ends';

/** kafkajs' own error for a partition whose leader is not there (yet), by its protocol code. */
const protocolError = (type: string, code: number, message: string) => new KafkaJSProtocolError(Object.assign(new Error(message), { type, code }));
const notLeader = () => protocolError('NOT_LEADER_OR_FOLLOWER', 6, 'This server is not the leader for that topic-partition');

function adminFailing(times: number, error: () => Error): { admin: Admin; calls: () => number } {
  let calls = 0;
  const admin = {
    fetchTopicOffsets: async () => {
      calls += 1;
      if (calls <= times) throw error();
      return [{ partition: 0, offset: '7', high: '7', low: '0' }];
    },
  } as unknown as Admin;
  return { admin, calls: () => calls };
}

describe('fetchTopicEnds', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('asks again while a just-created partition elects its leader', async () => {
    const { admin, calls } = adminFailing(3, notLeader);
    const ends = fetchTopicEnds(admin, ['chat.delivery.chatctl']);
    await jest.runAllTimersAsync();
    await expect(ends).resolves.toEqual([{ topic: 'chat.delivery.chatctl', partition: 0, high: '7', low: '0' }]);
    expect(calls()).toBe(4);
  });

  it('gives up after its attempts with the broker’s error', async () => {
    const { admin, calls } = adminFailing(100, notLeader);
    const ends = fetchTopicEnds(admin, ['t']);
    const settled = expect(ends).rejects.toThrow('not the leader');
    await jest.runAllTimersAsync();
    await settled;
    expect(calls()).toBe(8);
  });

  it('does not retry other errors', async () => {
    const { admin, calls } = adminFailing(1, () => protocolError('TOPIC_AUTHORIZATION_FAILED', 29, 'Not authorized to access topics'));
    await expect(fetchTopicEnds(admin, ['t'])).rejects.toThrow('Not authorized');
    expect(calls()).toBe(1);
  });
});
