import { type Admin, Kafka, logLevel } from 'kafkajs';
import { kafkaJsSecurity, type KafkaSecurity } from '@chat/kafka';
import { deliveryTopicFor, Topics } from '@chat/protocol';

/**
 * Consumer lag of the groups on the path of a message, read straight from the broker (committed
 * offsets against high watermarks), so a growing backlog shows whichever stage it is in:
 * gateway → chat.commands → persistence → chat.delivery.<gw> → gateway; and the router's
 * chat.events (typing), which a message no longer passes through.
 */
export interface LagReading {
  at: number;
  total: number;
  byGroup: Record<string, number>;
}

export class ConsumerLagReader {
  private readonly admin: Admin;
  private connected: Promise<void> | undefined;

  constructor(
    brokers: string,
    private readonly gatewayIds: string[],
    security?: KafkaSecurity,
  ) {
    const kafka = new Kafka({ clientId: 'loadgen-lag', brokers: brokers.split(','), logLevel: logLevel.NOTHING, ...kafkaJsSecurity(security) });
    this.admin = kafka.admin();
  }

  private groups(): Array<{ groupId: string; topic: string }> {
    return [
      { groupId: 'persistence.commands', topic: Topics.commands.name },
      { groupId: 'persistence.queries', topic: Topics.queries.name },
      { groupId: 'router', topic: Topics.events.name },
      ...this.gatewayIds.map((id) => ({ groupId: `gateway.${id}`, topic: deliveryTopicFor(id).name })),
    ];
  }

  async read(): Promise<LagReading> {
    this.connected ??= this.admin.connect();
    await this.connected;
    const byGroup: Record<string, number> = {};
    const ends = new Map<string, Map<number, number>>();
    for (const { groupId, topic } of this.groups()) {
      let end = ends.get(topic);
      if (!end) {
        end = new Map((await this.admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
        ends.set(topic, end);
      }
      const committed = await this.admin.fetchOffsets({ groupId, topics: [topic] });
      let lag = 0;
      for (const { partitions } of committed) {
        for (const p of partitions) {
          const high = end.get(p.partition) ?? 0;
          const offset = Number(p.offset);
          // No commit yet (-1): the group starts at the end for new groups; count nothing rather than the whole topic.
          if (offset >= 0) lag += Math.max(0, high - offset);
        }
      }
      byGroup[groupId] = lag;
    }
    return { at: Date.now(), total: Object.values(byGroup).reduce((a, b) => a + b, 0), byGroup };
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect().catch(() => undefined);
  }
}
