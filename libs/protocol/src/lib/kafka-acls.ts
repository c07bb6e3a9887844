import { deadLetterTopicOf, DELIVERY_TOPIC_PREFIX, Topics } from './topics';

/*
 * Who may do what on Kafka: one principal per service, and the ACLs (KRaft's StandardAuthorizer,
 * `allow.everyone.if.no.acl.found=false`) that allow exactly what each service does, derived from
 * what each one produces and consumes. The local broker, the e2e suite and `chatctl acls apply` all
 * create these; docs/deploy.md prints them as kafka-acls commands. Operators and tools use the
 * `admin` principal, a super user of the broker (`super.users=User:admin`), which needs no ACL.
 */

/** The Kafka principals of the services (SCRAM user names); one per service, shared by its instances. */
export const SERVICE_PRINCIPALS = ['gateway', 'auth', 'router', 'persistence', 'metrics'] as const;
export type ServicePrincipal = (typeof SERVICE_PRINCIPALS)[number];
/** The operator's principal (chatctl, tools, the local infra): a super user of the broker. */
export const ADMIN_PRINCIPAL = 'admin';

export type AclResourceType = 'topic' | 'group' | 'cluster';
export type AclPatternType = 'literal' | 'prefixed';
export type AclOperation = 'read' | 'write' | 'create' | 'describe' | 'describe_configs';

/** One allow rule: `User:<principal>` may `operation` on the resource, from any host. */
export interface AclEntry {
  principal: ServicePrincipal;
  resourceType: AclResourceType;
  patternType: AclPatternType;
  /** A name, a prefix (patternType prefixed), or `*` (every resource of the type) */
  resourceName: string;
  operation: AclOperation;
}

/** A topic by name, or every topic whose name starts with `prefix`. */
type TopicRef = { name: string } | { prefix: string };

interface ServiceAccess {
  /** Topics it produces to. */
  produces: TopicRef[];
  /** Topics it consumes (and dead-letters into their dead-letter topics, deadLetterTopicOf). */
  consumes: TopicRef[];
  /** Prefix of every consumer group it joins. */
  groupPrefix: string;
  /** Read-only metadata of every topic and group (consumer lag of the whole cluster). */
  describesEverything?: boolean;
}

/** What every instance publishes: heartbeats and metrics samples (libs/service-kit). */
const EVERY_SERVICE_PRODUCES: TopicRef[] = [Topics.heartbeats, Topics.metrics];
const deliveryTopics: TopicRef = { prefix: DELIVERY_TOPIC_PREFIX };

/**
 * What each service does on Kafka (the producers and consumers named in topics.ts). A gateway
 * produces commands, reads (queries), typing, presence and its lease, and reads its delivery topic and revoked
 * sessions: it cannot write stored facts (`chat.events`, `chat.memberships`), read commands, or write
 * any delivery topic (its dead letters go to `chat.deliveries.dlq`, outside the prefix).
 */
export const SERVICE_KAFKA_ACCESS: Readonly<Record<ServicePrincipal, ServiceAccess>> = {
  gateway: {
    produces: [Topics.commands, Topics.queries, Topics.typing, Topics.presence, Topics.gateways],
    // All gateways share one principal, so each can read every delivery topic (instances of one
    // service are one trust level, docs/deploy.md); none can write one: only router and persistence do.
    consumes: [Topics.sessions, deliveryTopics],
    groupPrefix: 'gateway.',
  },
  auth: {
    produces: [Topics.users, Topics.sessions, Topics.userAdminResults],
    consumes: [Topics.userAdmin],
    groupPrefix: 'auth.',
  },
  router: {
    produces: [deliveryTopics],
    consumes: [Topics.events, Topics.typing, Topics.memberships, Topics.presence, Topics.gateways, Topics.announcements],
    // `router` itself (chat.events) and `router.<…>`.
    groupPrefix: 'router',
  },
  persistence: {
    produces: [Topics.events, Topics.memberships, Topics.announcements, deliveryTopics],
    // presence and gateways: its views, to deliver answers to the right gateway.
    consumes: [Topics.users, Topics.commands, Topics.queries, Topics.presence, Topics.gateways],
    groupPrefix: 'persistence.',
  },
  metrics: {
    produces: [],
    consumes: [Topics.metrics, Topics.heartbeats],
    groupPrefix: 'metrics.',
    describesEverything: true,
  },
};

function topicRule(principal: ServicePrincipal, topic: TopicRef, operations: AclOperation[]): AclEntry[] {
  const resource = 'name' in topic ? { patternType: 'literal' as const, resourceName: topic.name } : { patternType: 'prefixed' as const, resourceName: topic.prefix };
  return operations.map((operation) => ({ principal, resourceType: 'topic', ...resource, operation }));
}

/**
 * The dead-letter topic of a consumed topic (deadLetterTopicOf). ACLs match names by prefix, never by
 * suffix, so the topics of a prefix must share one dead-letter topic outside it (the delivery topics'
 * `chat.deliveries.dlq`): WRITE on `<prefix><id>.dlq` could only be granted as WRITE on the prefix.
 */
function deadLettersOf(topic: TopicRef): TopicRef {
  if ('name' in topic) return { name: deadLetterTopicOf(topic.name).name };
  const shared = deadLetterTopicOf(`${topic.prefix}x`).name;
  if (shared.startsWith(topic.prefix) || deadLetterTopicOf(`${topic.prefix}y`).name !== shared) {
    throw new Error(`the topics of prefix ${topic.prefix} have no shared dead-letter topic outside the prefix (topics.ts deadLetterTopicOf)`);
  }
  return { name: shared };
}

/**
 * The ACLs of one service. Services create the topics they use when missing (as without ACLs), so
 * each may CREATE exactly those and read their configs; WRITE and READ imply DESCRIBE.
 */
export function aclsOf(principal: ServicePrincipal): AclEntry[] {
  const access = SERVICE_KAFKA_ACCESS[principal];
  const entries: AclEntry[] = [];
  for (const topic of [...access.produces, ...EVERY_SERVICE_PRODUCES]) entries.push(...topicRule(principal, topic, ['write', 'create', 'describe_configs']));
  for (const topic of access.consumes) {
    entries.push(...topicRule(principal, topic, ['read', 'create', 'describe_configs']));
    const deadLetters = deadLettersOf(topic);
    entries.push(...topicRule(principal, deadLetters, ['write', 'create', 'describe_configs']));
  }
  entries.push({ principal, resourceType: 'group', patternType: 'prefixed', resourceName: access.groupPrefix, operation: 'read' });
  if (access.describesEverything) {
    entries.push({ principal, resourceType: 'topic', patternType: 'literal', resourceName: '*', operation: 'describe' });
    entries.push({ principal, resourceType: 'group', patternType: 'literal', resourceName: '*', operation: 'describe' });
  }
  return dedupe(entries);
}

/** Every service's ACLs, the whole plan for a cluster. */
export function kafkaAclPlan(): AclEntry[] {
  return SERVICE_PRINCIPALS.flatMap(aclsOf);
}

function dedupe(entries: AclEntry[]): AclEntry[] {
  const seen = new Map<string, AclEntry>();
  for (const entry of entries) seen.set(aclKey(entry), entry);
  return [...seen.values()];
}

export function aclKey(entry: AclEntry): string {
  return `${entry.principal} ${entry.resourceType} ${entry.patternType} ${entry.resourceName} ${entry.operation}`;
}

/**
 * Whether the plan allows `principal` to `operation` on a topic or group: the same matching the
 * broker does (literal name, `*`, or prefix; READ and WRITE imply DESCRIBE). For tests and docs.
 */
export function aclAllows(plan: readonly AclEntry[], principal: ServicePrincipal, resourceType: AclResourceType, name: string, operation: AclOperation): boolean {
  const implied: AclOperation[] = operation === 'describe' ? ['describe', 'read', 'write'] : [operation];
  return plan.some(
    (entry) =>
      entry.principal === principal &&
      entry.resourceType === resourceType &&
      implied.includes(entry.operation) &&
      (entry.patternType === 'prefixed' ? name.startsWith(entry.resourceName) : entry.resourceName === '*' || entry.resourceName === name),
  );
}

/** The plan as `kafka-acls.sh` commands (Kafka's own tool), for an operator without chatctl. */
export function kafkaAclsCommands(plan: readonly AclEntry[], bootstrap = '<broker:9093>', commandConfig = 'admin.properties'): string[] {
  const grouped = new Map<string, AclEntry[]>();
  for (const entry of plan) {
    const key = `${entry.principal}|${entry.resourceType}|${entry.patternType}|${entry.resourceName}`;
    grouped.set(key, [...(grouped.get(key) ?? []), entry]);
  }
  return [...grouped.values()].map((entries) => {
    const { principal, resourceType, patternType, resourceName } = entries[0];
    const resource = resourceType === 'cluster' ? '--cluster' : `--${resourceType} '${resourceName}'`;
    const operations = entries.map((entry) => `--operation ${kafkaOperationName(entry.operation)}`).join(' ');
    return `kafka-acls.sh --bootstrap-server ${bootstrap} --command-config ${commandConfig} --add --allow-principal User:${principal} ${operations} ${resource} --resource-pattern-type ${patternType.toUpperCase()}`;
  });
}

function kafkaOperationName(operation: AclOperation): string {
  return operation === 'describe_configs' ? 'DescribeConfigs' : operation[0].toUpperCase() + operation.slice(1);
}
