import { Logger } from '@nestjs/common';
import type { Admin, ITopicConfig } from 'kafkajs';
import type { TopicSpec } from '@chat/protocol';
import { provisionTopics, resolveReplication } from './topic-provisioner';

/** The admin calls provisioning makes, against an in-memory cluster of `brokers` brokers. */
class FakeAdmin {
  readonly created: ITopicConfig[] = [];
  constructor(
    private readonly brokers: number,
    private readonly existing: string[] = [],
    /** Partitions of each existing topic (default 1). */
    private readonly partitionsOf: Record<string, number> = {},
  ) {}

  async listTopics(): Promise<string[]> {
    return [...this.existing, ...this.created.map((topic) => topic.topic)];
  }

  async describeCluster() {
    return { brokers: Array.from({ length: this.brokers }, (_, nodeId) => ({ nodeId, host: '127.0.0.1', port: 9092 + nodeId })), controller: 0, clusterId: 'fake' };
  }

  async createTopics({ topics }: { topics: ITopicConfig[] }): Promise<boolean> {
    this.created.push(...topics);
    return true;
  }

  async fetchTopicMetadata({ topics }: { topics: string[] }) {
    const partitions = (name: string) => Array.from({ length: this.partitionsOf[name] ?? 1 }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0] }));
    return { topics: topics.map((name) => ({ name, partitions: partitions(name) })) };
  }
}

const spec = (name: string, extra: Partial<TopicSpec> = {}): TopicSpec => ({ name, key: 'k', partitions: 6, compacted: false, ...extra });
const configOf = (topic: ITopicConfig) => Object.fromEntries((topic.configEntries ?? []).map(({ name, value }) => [name, value]));

describe('resolveReplication', () => {
  it('auto: min(3, brokers) copies, all but one of them in sync (one copy: itself)', () => {
    expect([1, 2, 3, 5].map((brokers) => resolveReplication('auto', brokers))).toEqual([
      { replicationFactor: 1, minInsyncReplicas: 1 },
      { replicationFactor: 2, minInsyncReplicas: 1 },
      { replicationFactor: 3, minInsyncReplicas: 2 },
      { replicationFactor: 3, minInsyncReplicas: 2 },
    ]);
  });

  it('takes configured numbers, and refuses what no cluster of that size could serve', () => {
    expect(resolveReplication({ replicationFactor: 3, minInsyncReplicas: 3 }, 3)).toEqual({ replicationFactor: 3, minInsyncReplicas: 3 });
    expect(resolveReplication(3)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(() => resolveReplication({ replicationFactor: 3 }, 1)).toThrow('replication factor 3 needs at least 3 brokers, the cluster has 1 (KAFKA_REPLICATION_FACTOR)');
    expect(() => resolveReplication({ replicationFactor: 2, minInsyncReplicas: 3 }, 3)).toThrow(/min.insync.replicas must be between 1 and the replication factor 2.*KAFKA_MIN_INSYNC_REPLICAS/);
    expect(() => resolveReplication({ replicationFactor: 'auto', minInsyncReplicas: 3 }, 2)).toThrow(/replication factor 2/);
  });
});

describe('provisionTopics', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('creates missing topics with the replication and min.insync.replicas the cluster supports', async () => {
    const admin = new FakeAdmin(3, ['chat.present']);
    const created = await provisionTopics(admin as unknown as Admin, [spec('chat.present'), spec('chat.commands', { retentionMs: 1000 }), spec('chat.views', { compacted: true })], 'auto');
    expect(created).toEqual(['chat.commands', 'chat.views']);
    expect(admin.created.map((topic) => [topic.topic, topic.numPartitions, topic.replicationFactor, configOf(topic)])).toEqual([
      ['chat.commands', 6, 3, { 'cleanup.policy': 'delete', 'min.insync.replicas': '2', 'retention.ms': '1000' }],
      ['chat.views', 6, 3, { 'cleanup.policy': 'compact', 'min.insync.replicas': '2' }],
    ]);
  });

  it('one broker: one copy, which alone is in sync', async () => {
    const admin = new FakeAdmin(1);
    await provisionTopics(admin as unknown as Admin, [spec('chat.commands')], { replicationFactor: 'auto', minInsyncReplicas: 'auto' });
    expect(admin.created.map((topic) => [topic.replicationFactor, configOf(topic)['min.insync.replicas']])).toEqual([[1, '1']]);
  });

  it('leaves an existing topic whose partition count differs from the spec alone, and logs the difference', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const admin = new FakeAdmin(1, ['chat.fewer', 'chat.same'], { 'chat.fewer': 3, 'chat.same': 6 });
      const created = await provisionTopics(admin as unknown as Admin, [spec('chat.fewer'), spec('chat.same')], 1);
      expect(created).toEqual([]);
      expect(admin.created).toEqual([]);
      expect(warn.mock.calls).toEqual([[{ msg: 'topic partition count differs from spec', topic: 'chat.fewer', actual: 3, spec: 6 }]]);
    } finally {
      warn.mockRestore();
    }
  });

  it('fails, creating nothing, when the configured replication cannot be met', async () => {
    const admin = new FakeAdmin(2);
    await expect(provisionTopics(admin as unknown as Admin, [spec('chat.commands')], { replicationFactor: 2, minInsyncReplicas: 3 })).rejects.toThrow(/KAFKA_MIN_INSYNC_REPLICAS/);
    expect(admin.created).toEqual([]);
  });
});
