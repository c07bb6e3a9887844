import { ProtocolError } from '@chat/wire';
import { deadLetterTopicOf, DELIVERY_DEAD_LETTER_TOPIC, DELIVERY_TOPIC_PREFIX, deliveryTopicFor, DLQ_SUFFIX, isDeliveryTopic, isSharedDeadLetterTopic, Topics } from './topics';

describe('topics', () => {
  it('has unique, Kafka-legal names and sane specs', () => {
    const specs = Object.values(Topics);
    expect(new Set(specs.map((spec) => spec.name)).size).toBe(specs.length);
    for (const spec of specs) {
      expect(spec.name).toMatch(/^[a-z0-9._-]{1,249}$/);
      expect(spec.partitions).toBeGreaterThanOrEqual(1);
      if (spec.compacted) expect(spec).not.toHaveProperty('retentionMs');
    }
    expect(Topics.commands.partitions).toBe(12);
    expect(Topics.events.partitions).toBe(12);
    expect(Topics.presence).toMatchObject({ partitions: 6, compacted: true });
  });

  it('names a gateway delivery topic', () => {
    expect(deliveryTopicFor('gw-0')).toMatchObject({ name: 'chat.delivery.gw-0', partitions: 3, compacted: false });
    expect(deliveryTopicFor('a'.repeat(60)).name).toBe(`chat.delivery.${'a'.repeat(60)}`);
  });

  it.each(['', 'GW-1', 'gw_1', 'gw.1', 'gw/1', '../x', 'a'.repeat(61), 'gw 1', 'gw-1\n'])('rejects gateway id %j', (id) => {
    expect(() => deliveryTopicFor(id)).toThrow(ProtocolError);
  });

  it('names dead-letter topics', () => {
    expect(deadLetterTopicOf(Topics.commands.name).name).toBe('chat.commands.dlq');
  });

  it('dead-letters every delivery topic into one topic outside the chat.delivery. prefix', () => {
    for (const gatewayId of ['gw-0', 'gw-1', 'dlq']) {
      const dlq = deadLetterTopicOf(deliveryTopicFor(gatewayId).name).name;
      expect(dlq).toBe(DELIVERY_DEAD_LETTER_TOPIC);
      expect(dlq.startsWith(DELIVERY_TOPIC_PREFIX)).toBe(false);
      expect(isDeliveryTopic(dlq)).toBe(false);
      expect(dlq.endsWith(DLQ_SUFFIX)).toBe(true);
    }
    expect(isSharedDeadLetterTopic(DELIVERY_DEAD_LETTER_TOPIC)).toBe(true);
    expect(isSharedDeadLetterTopic('chat.commands.dlq')).toBe(false);
  });
});
