import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deadLetterTopicOf, DELIVERY_DEAD_LETTER_TOPIC, deliveryTopicFor, type TopicSpec, Topics } from './topics';

/*
 * The topic tables of docs/architecture.md ("Topics") and docs/kafka.md ("Operators' topics") state
 * each topic's partitions and retention: they must be those of topics.ts, which provisioning uses.
 */
const docs = ['architecture.md', 'kafka.md'].map((name) => readFileSync(path.resolve(__dirname, '../../../../docs', name), 'utf8'));

function retentionText(spec: TopicSpec): string {
  if (spec.compacted) return 'compacted';
  const hours = (spec.retentionMs ?? 0) / 3_600_000;
  if (hours % 24 === 0) return `delete, ${hours / 24} ${hours === 24 ? 'day' : 'days'}`;
  return `delete, ${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

describe('the topic tables of the docs', () => {
  // Rows like "| `chat.commands` | key | 12 | producer | consumer groups | delete, 3 days |".
  const rows = docs.flatMap((doc) => [...doc.matchAll(/^\| `([A-Za-z.<>-]+)` \| [^|]+ \| (\d+) \|.*\| ([^|]+) \|$/gm)].map(([, name, partitions, retention]) => ({ name, partitions: Number(partitions), retention: retention.trim() })));

  it('give every topic of topics.ts, with its partitions and retention', () => {
    const specs: TopicSpec[] = [...Object.values(Topics), { ...deliveryTopicFor('x'), name: 'chat.delivery.<gatewayId>' }, { ...deadLetterTopicOf('x'), name: '<topic>.dlq' }, deadLetterTopicOf(deliveryTopicFor('x').name)];
    const documented = new Map(rows.map((row) => [row.name, row]));
    const differing = specs
      .map((spec) => ({ name: spec.name, expected: { partitions: spec.partitions, retention: retentionText(spec) }, documented: documented.get(spec.name) }))
      .filter(({ expected, documented }) => documented?.partitions !== expected.partitions || documented?.retention !== expected.retention);
    expect(differing).toEqual([]);
  });

  it('name no topic that topics.ts lacks', () => {
    const known = new Set([...Object.values(Topics).map(({ name }) => name), 'chat.delivery.<gatewayId>', '<topic>.dlq', DELIVERY_DEAD_LETTER_TOPIC]);
    expect(rows.map(({ name }) => name).filter((name) => !known.has(name))).toEqual([]);
  });
});
