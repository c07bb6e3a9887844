import type { GroupDescriptions, GroupOverview } from 'kafkajs';
import { readClusterOffsets, type OffsetsAdmin } from './offsets-reader';

type Offsets = Awaited<ReturnType<OffsetsAdmin['fetchOffsets']>>;
type TopicOffsets = Awaited<ReturnType<OffsetsAdmin['fetchTopicOffsets']>>;

/** An in-memory cluster answering the admin calls the reader makes, and recording them. */
class FakeAdmin implements OffsetsAdmin {
  readonly offsetRequests: string[] = [];
  readonly watermarkRequests: string[] = [];

  constructor(
    private readonly groups: Record<string, { state: string; offsets: Offsets }>,
    private readonly topics: Record<string, TopicOffsets>,
  ) {}

  async listGroups(): Promise<{ groups: GroupOverview[] }> {
    return { groups: Object.keys(this.groups).map((groupId) => ({ groupId, protocolType: 'consumer' })) };
  }

  async listTopics(): Promise<string[]> {
    return Object.keys(this.topics);
  }

  async describeGroups(groupIds: string[]): Promise<GroupDescriptions> {
    return { groups: groupIds.map((groupId) => ({ groupId, state: this.groups[groupId].state as 'Stable', members: [], protocol: 'RoundRobinAssigner', protocolType: 'consumer' })) };
  }

  async fetchOffsets({ groupId }: { groupId: string }): Promise<Offsets> {
    this.offsetRequests.push(groupId);
    return this.groups[groupId].offsets;
  }

  async fetchTopicOffsets(topic: string): Promise<TopicOffsets> {
    this.watermarkRequests.push(topic);
    return this.topics[topic];
  }
}

const partition = (p: number, low: number, high: number) => ({ partition: p, offset: String(high), high: String(high), low: String(low) });

describe('readClusterOffsets', () => {
  const admin = new FakeAdmin(
    {
      router: { state: 'Stable', offsets: [{ topic: 'chat.events', partitions: [{ partition: 0, offset: '7', metadata: null }, { partition: 1, offset: '3', metadata: null }] }] },
      'router.views.router-1.1767225600000': { state: 'Stable', offsets: [] },
      'e2e-old-reader': { state: 'Empty', offsets: [{ topic: 'e2e-deleted-topic', partitions: [{ partition: 0, offset: '1', metadata: null }] }] },
    },
    {
      'chat.events': [partition(0, 0, 10), partition(1, 0, 3)],
      'chat.events.dlq': [partition(0, 0, 2)],
      'chat.commands.dlq': [partition(0, 4, 4)],
      'ops.heartbeats': [partition(0, 0, 99)],
    },
  );

  it('reports lag of every group but the per-run ones, and the size of every dead-letter topic', async () => {
    const result = await readClusterOffsets(admin);
    expect(result.groups.map((g) => [g.groupId, g.state, g.lag])).toEqual([
      ['e2e-old-reader', 'Empty', 0],
      ['router', 'Stable', 3],
    ]);
    expect(result.groups[0].partitions[0]).toMatchObject({ topic: 'e2e-deleted-topic', lag: null });
    expect(result.deadLetters).toEqual([
      { topic: 'chat.commands.dlq', records: 0 },
      { topic: 'chat.events.dlq', records: 2 },
    ]);
  });

  it('asks only for watermarks of existing topics that a group reads, and of dead-letter topics', async () => {
    admin.watermarkRequests.length = 0;
    admin.offsetRequests.length = 0;
    await readClusterOffsets(admin);
    expect(admin.offsetRequests.sort()).toEqual(['e2e-old-reader', 'router']);
    expect(admin.watermarkRequests.sort()).toEqual(['chat.commands.dlq', 'chat.events', 'chat.events.dlq']);
  });
});
