import { deadLetterTopicOf, DELIVERY_TOPIC_PREFIX, Topics, type TopicSpec } from '@chat/protocol';
import { toYamlStream, type Manifest } from './manifest';

/** The Strimzi cluster (its `Kafka` resource's name) that the Topic Operator manages these topics in. */
export const STRIMZI_CLUSTER = 'chat-kafka';
const REPLICAS = 3;
/** With acks=all (the producers' setting), a write survives one broker down and never lands on one replica only. */
const MIN_INSYNC_REPLICAS = 2;

/**
 * The topics of libs/protocol as Strimzi KafkaTopic resources: every topic of `Topics` and its
 * dead-letter topic, and `chat.deliveries.dlq`, the one dead-letter topic of every delivery topic. Not
 * the per-gateway `chat.delivery.<id>` topics: each gateway creates its own at start, as their names
 * depend on the running pods.
 */
export function kafkaTopicManifests(): Manifest[] {
  const specs: TopicSpec[] = [...Object.values(Topics).flatMap((spec) => [spec, deadLetterTopicOf(spec.name)]), deadLetterTopicOf(DELIVERY_TOPIC_PREFIX)];
  return specs.map((spec) => ({
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaTopic',
    metadata: {
      name: spec.name,
      labels: { 'strimzi.io/cluster': STRIMZI_CLUSTER, 'app.kubernetes.io/part-of': 'chat' },
    },
    spec: {
      topicName: spec.name,
      partitions: spec.partitions,
      replicas: REPLICAS,
      config: {
        'cleanup.policy': spec.compacted ? 'compact' : 'delete',
        ...(spec.retentionMs === undefined ? {} : { 'retention.ms': spec.retentionMs }),
        'min.insync.replicas': MIN_INSYNC_REPLICAS,
      },
    },
  }));
}

export const KAFKA_TOPICS_FILE_HEADER = [
  '# GENERATED from libs/protocol/src/lib/topics.ts by `npx nx run deploy-checks:kafka-topics`; do not edit.',
  '# The deploy checks fail when this file and the protocol disagree.',
  '#',
  '# Every topic of the chat platform and its dead-letter topic, for the Strimzi Topic Operator of the',
  `# Kafka cluster "${STRIMZI_CLUSTER}": ${REPLICAS} replicas, min.insync.replicas ${MIN_INSYNC_REPLICAS}. The services would create missing`,
  '# topics themselves (KAFKA_REPLICATION_FACTOR); declaring them here puts their settings under review',
  '# and lets the operator own them. Per-gateway delivery topics are created by the gateways.',
  '',
].join('\n');

export function kafkaTopicsYaml(): string {
  return `${KAFKA_TOPICS_FILE_HEADER}${toYamlStream(kafkaTopicManifests())}`;
}
