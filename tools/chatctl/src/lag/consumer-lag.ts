import type { Admin } from 'kafkajs';
import { fetchTopicEnds, type PartitionEnd } from '@chat/kafka';
import { table, type Report } from '../cli/output';
import { CommandFailed } from '../kafka/cluster';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** The group's next offset to read; null when it never committed on this partition. */
  committed: number | null;
  /** The partition's high watermark; null if the topic is gone. */
  end: number | null;
  /** Records written and not yet consumed (records retention removed first do not count); null when unknown. */
  lag: number | null;
}

export interface GroupLag {
  group: string;
  /** Stable, Empty (no member: nobody consumes), PreparingRebalance, … */
  state: string;
  members: number;
  /** Sum of the known partition lags. */
  lag: number;
  partitions: PartitionLag[];
}

export interface CommittedOffsets {
  topic: string;
  partitions: Array<{ partition: number; offset: string }>;
}

/** Lag of one group from its committed offsets and the partitions' ends (pure). */
export function groupLag(group: string, state: string, members: number, committed: CommittedOffsets[], ends: readonly PartitionEnd[]): GroupLag {
  const partitions: PartitionLag[] = [];
  for (const { topic, partitions: offsets } of committed) {
    for (const { partition, offset } of offsets) {
      const end = ends.find((candidate) => candidate.topic === topic && candidate.partition === partition);
      const committedOffset = Number(offset) >= 0 ? Number(offset) : null;
      const high = end ? Number(end.high) : null;
      const lag = committedOffset === null || !end ? null : Math.max(0, Number(end.high) - Math.max(committedOffset, Number(end.low)));
      partitions.push({ topic, partition, committed: committedOffset, end: high, lag });
    }
  }
  partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return { group, state, members, lag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0), partitions };
}

/**
 * Every consumer group's lag (or one group's), read with the admin API only: committed offsets
 * (`fetchOffsets`) against the partitions' ends. Groups that commit nothing (the services' in-memory
 * views, chatctl's own reads) show up with no partitions.
 */
export async function readLag(admin: Admin, onlyGroup?: string): Promise<GroupLag[]> {
  const listed = (await admin.listGroups()).groups.map((group) => group.groupId).filter((group) => !group.startsWith('chatctl.read.'));
  if (onlyGroup !== undefined && !listed.includes(onlyGroup)) {
    throw new CommandFailed(`no consumer group ${onlyGroup} (groups: ${listed.length === 0 ? 'none' : listed.sort().slice(0, 20).join(', ')}${listed.length > 20 ? ', …' : ''})`);
  }
  const groups = (onlyGroup === undefined ? listed : [onlyGroup]).sort();
  if (groups.length === 0) return [];
  const described = new Map((await admin.describeGroups(groups)).groups.map((group) => [group.groupId, group]));
  const committed = await Promise.all(groups.map(async (group) => ({ group, offsets: await admin.fetchOffsets({ groupId: group }) })));
  const existing = new Set(await admin.listTopics());
  const topics = [...new Set(committed.flatMap(({ offsets }) => offsets.map((entry) => entry.topic)))].filter((topic) => existing.has(topic));
  const ends = topics.length === 0 ? [] : await fetchTopicEnds(admin, topics);
  return committed.map(({ group, offsets }) => {
    const description = described.get(group);
    return groupLag(group, description?.state ?? 'Unknown', description?.members.length ?? 0, offsets, ends);
  });
}

export function lagReport(groups: GroupLag[]): Report {
  if (groups.length === 0) return { ok: true, text: 'no consumer groups', json: { groups } };
  const totals = table(['group', 'state', 'members', 'lag'], groups.map((group) => [group.group, group.state, group.members, group.lag]));
  const rows = groups.flatMap((group) => group.partitions.map((p) => [group.group, p.topic, p.partition, p.committed, p.end, p.lag]));
  const detail = table(['group', 'topic', 'partition', 'committed', 'end', 'lag'], rows);
  return { ok: true, text: `${totals}\n\n${detail}`, json: { groups } };
}
