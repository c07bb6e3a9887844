import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ClientFrame, ServerFrame } from '@chat/protocol';
import type { GatewayConfig } from '../config';
import { ReadQuota, type ReadingConnection, UserBuckets } from './read-quota';
import { readQuotaEnvShape } from './read-quota.config';

class FakeConnection implements ReadingConnection {
  readonly id = randomUUID();
  readonly sent: ServerFrame[] = [];
  constructor(readonly userId: string) {}
  sendFrame(frame: ServerFrame): boolean {
    this.sent.push(frame);
    return true;
  }
}

const conversationId = randomUUID();
const history = (id: string): ClientFrame => ({ type: 'history', id, conversationId, limit: 50 });

describe('UserBuckets', () => {
  it('lets a burst through, then one per 1/rate second, and says when the next one is allowed', () => {
    const buckets = new UserBuckets(4, 2);
    expect([buckets.take('u', 1000), buckets.take('u', 1000)]).toEqual([0, 0]);
    expect(buckets.take('u', 1000)).toBe(250);
    expect(buckets.take('u', 1100)).toBe(150);
    expect(buckets.take('u', 1250)).toBe(0);
    // Another user has a bucket of their own.
    expect(buckets.take('v', 1250)).toBe(0);
  });

  it('refills nothing when the clock goes backwards', () => {
    const buckets = new UserBuckets(1, 1);
    expect(buckets.take('u', 5000)).toBe(0);
    expect(buckets.take('u', 4000)).toBe(1000);
  });

  it('forgets users whose bucket is full again once many are tracked', () => {
    const buckets = new UserBuckets(1000, 1);
    for (let i = 0; i < 10_000; i += 1) buckets.take(`u${i}`, 0);
    expect(buckets.size).toBe(10_000);
    buckets.take('late', 10);
    expect(buckets.size).toBe(1);
  });
});

describe('ReadQuota', () => {
  const config = { READS_PER_USER_PER_SECOND: 2, READS_PER_USER_BURST: 3 } as GatewayConfig;

  it('counts every socket of a user together and answers reads over the quota with rate_limited naming the limit', () => {
    const quota = new ReadQuota(config);
    const [a, b] = [new FakeConnection('alice'), new FakeConnection('alice')];
    expect([quota.admit(a, history('1'), 0), quota.admit(b, history('2'), 0), quota.admit(a, { type: 'list_conversations', id: '3', limit: 100 }, 0)]).toEqual([true, true, true]);
    expect(quota.admit(b, { type: 'sync', id: '4', conversations: [{ conversationId, afterSeq: 0 }] }, 0)).toBe(false);
    expect(b.sent).toEqual([{ type: 'error', replyTo: '4', code: 'rate_limited', message: expect.stringMatching(/READS_PER_USER_PER_SECOND.*sync dropped, retry in 500 ms/) }]);
    // Another user is not affected.
    expect(quota.admit(new FakeConnection('bob'), history('5'), 0)).toBe(true);
  });

  it('never counts writes', () => {
    const quota = new ReadQuota(config);
    const a = new FakeConnection('alice');
    for (let i = 0; i < 10; i += 1) {
      expect(quota.admit(a, { type: 'send', id: `s${i}`, conversationId, clientMsgId: `m${i}`, body: 'hi', kind: 'text' }, 0)).toBe(true);
    }
    expect(a.sent).toEqual([]);
  });
});

describe('read quota settings', () => {
  it('default to what docs/protocol.md says', () => {
    const defaults = z.object(readQuotaEnvShape).parse({});
    const doc = readFileSync(path.resolve(__dirname, '../../../../docs/protocol.md'), 'utf8');
    expect(doc).toContain(`\`READS_PER_USER_PER_SECOND\` (default ${defaults.READS_PER_USER_PER_SECOND})`);
    expect(doc).toContain(`\`READS_PER_USER_BURST\` (default ${defaults.READS_PER_USER_BURST})`);
  });
});
