import { deadLetterTopicOf, deliveryTopicFor, DELIVERY_TOPIC_PREFIX, Topics } from './topics';

/*
 * Who may do what on Kafka: one principal per service (per instance for the gateway), and the ACLs (KRaft's StandardAuthorizer,
 * `allow.everyone.if.no.acl.found=false`) that allow exactly what each service does, derived from
 * what each one produces and consumes. The local broker, the e2e suite and `chatctl acls apply` all
 * create these; docs/deploy.md prints them as kafka-acls commands. Operators and tools use the
 * `admin` principal, a super user of the broker (`super.users=User:admin`), which needs no ACL.
 *
 * Each gateway instance has a principal of its own, `gateway-<gatewayId>` (gatewayPrincipal), since
 * each reads only its own delivery topic `chat.delivery.<gatewayId>`: with one principal for all
 * gateways, one gateway's credentials would read every user's deliveries. The instances of the
 * other services are one trust level and share their service's principal.
 */

/** The services that log in to Kafka. Each but the gateway logs in as the principal of its name. */
export const KAFKA_SERVICES = ['gateway', 'auth', 'router', 'persistence', 'metrics'] as const;
export type KafkaService = (typeof KAFKA_SERVICES)[number];
/** The principals (SCRAM user names) shared by all instances of their service. */
export const SHARED_SERVICE_PRINCIPALS = ['auth', 'router', 'persistence', 'metrics'] as const;
export type SharedServicePrincipal = (typeof SHARED_SERVICE_PRINCIPALS)[number];
/** The principal of one gateway instance. */
export type GatewayPrincipal = `gateway-${string}`;
/** A principal of the plan: a shared service principal, or one gateway's. */
export type ServicePrincipal = SharedServicePrincipal | GatewayPrincipal;
/**
 * The principal all gateways shared before each had its own: in no plan any more. `chatctl acls
 * apply --prune` deletes its ACLs (isServicePrincipal).
 */
export const RETIRED_SHARED_GATEWAY_PRINCIPAL = 'gateway';

const GATEWAY_PRINCIPAL_PREFIX = 'gateway-';

/** The principal of the gateway instance `gatewayId` (its INSTANCE_ID): `gateway-<gatewayId>`. */
export function gatewayPrincipal(gatewayId: string): GatewayPrincipal {
  // The same rule as the delivery topic's name (a-z, 0-9 and -, up to 60): it throws, naming the id.
  deliveryTopicFor(gatewayId);
  return `${GATEWAY_PRINCIPAL_PREFIX}${gatewayId}`;
}

/** The gateway id of a gateway principal; undefined for any other name. */
export function gatewayIdOf(principal: string): string | undefined {
  return principal.startsWith(GATEWAY_PRINCIPAL_PREFIX) ? principal.slice(GATEWAY_PRINCIPAL_PREFIX.length) : undefined;
}

/**
 * Whether a principal belongs to the services (a shared service principal, any gateway's, or the
 * retired shared `gateway`): the ACLs whose principals `acls apply --prune` manages.
 */
export function isServicePrincipal(principal: string): boolean {
  return (SHARED_SERVICE_PRINCIPALS as readonly string[]).includes(principal) || principal === RETIRED_SHARED_GATEWAY_PRINCIPAL || gatewayIdOf(principal) !== undefined;
}
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
/** A consumer group by name, or every group whose name starts with `prefix`. */
type GroupRef = { name: string } | { prefix: string };

interface ServiceAccess {
  /** Topics it produces to. */
  produces: TopicRef[];
  /** Topics it consumes (and dead-letters into their dead-letter topics, deadLetterTopicOf). */
  consumes: TopicRef[];
  /** Every consumer group it joins: by name, or by prefix. */
  groups: GroupRef[];
  /** Read-only metadata of every topic and group (consumer lag of the whole cluster). */
  describesEverything?: boolean;
}

/** What every instance publishes: heartbeats and metrics samples (libs/service-kit). */
const EVERY_SERVICE_PRODUCES: TopicRef[] = [Topics.heartbeats, Topics.metrics];
const deliveryTopics: TopicRef = { prefix: DELIVERY_TOPIC_PREFIX };

/**
 * What one gateway instance does on Kafka (the producers and consumers named in topics.ts): it
 * produces commands, queries, typing, presence and its lease, and reads revoked sessions and its
 * own delivery topic, `chat.delivery.<gatewayId>`, in its own groups (the delivery consumer's
 * `gateway.<gatewayId>`, the sessions reader's `gateway.sessions.<gatewayId>.<startedAt>`). It cannot
 * write stored facts (`chat.events`, `chat.memberships`), read commands, read another gateway's
 * delivery topic, or write any delivery topic (its dead letters go to the shared
 * `chat.deliveries.dlq`, which it may only write).
 */
export function gatewayKafkaAccess(gatewayId: string): ServiceAccess {
  return {
    produces: [Topics.commands, Topics.queries, Topics.typing, Topics.presence, Topics.gateways],
    consumes: [Topics.sessions, { name: deliveryTopicFor(gatewayId).name }],
    // apps/gateway: DELIVERY_GROUP `gateway.{instanceId}`, and RevokedSessions' per-start group.
    groups: [{ name: `gateway.${gatewayId}` }, { prefix: `gateway.sessions.${gatewayId}.` }],
  };
}

/** What each service whose instances share a principal does on Kafka (the producers and consumers named in topics.ts). */
export const SERVICE_KAFKA_ACCESS: Readonly<Record<SharedServicePrincipal, ServiceAccess>> = {
  auth: {
    produces: [Topics.users, Topics.sessions, Topics.userAdminResults],
    consumes: [Topics.userAdmin],
    groups: [{ prefix: 'auth.' }],
  },
  router: {
    produces: [deliveryTopics],
    consumes: [Topics.events, Topics.typing, Topics.memberships, Topics.presence, Topics.gateways, Topics.announcements],
    // `router` itself (chat.events) and `router.<…>`.
    groups: [{ prefix: 'router' }],
  },
  persistence: {
    produces: [Topics.events, Topics.memberships, Topics.announcements, deliveryTopics],
    // presence and gateways: its views, to deliver answers to the right gateway.
    consumes: [Topics.users, Topics.commands, Topics.queries, Topics.presence, Topics.gateways],
    groups: [{ prefix: 'persistence.' }],
  },
  metrics: {
    produces: [],
    consumes: [Topics.metrics, Topics.heartbeats],
    groups: [{ prefix: 'metrics.' }],
    describesEverything: true,
  },
};

function resourceOf(ref: TopicRef | GroupRef): { patternType: AclPatternType; resourceName: string } {
  return 'name' in ref ? { patternType: 'literal', resourceName: ref.name } : { patternType: 'prefixed', resourceName: ref.prefix };
}

function topicRule(principal: ServicePrincipal, topic: TopicRef, operations: AclOperation[]): AclEntry[] {
  return operations.map((operation) => ({ principal, resourceType: 'topic', ...resourceOf(topic), operation }));
}

/** What `principal` does: its shared service's access, or (`gateway-<id>`) that gateway's. */
function accessOf(principal: ServicePrincipal): ServiceAccess {
  const gatewayId = gatewayIdOf(principal);
  if (gatewayId !== undefined) return gatewayKafkaAccess(gatewayId);
  const access = (SERVICE_KAFKA_ACCESS as Record<string, ServiceAccess | undefined>)[principal];
  if (!access) throw new Error(`no service logs in to Kafka as "${principal}": expected one of ${SHARED_SERVICE_PRINCIPALS.join(', ')} or gateway-<gatewayId>`);
  return access;
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
  const access = accessOf(principal);
  const entries: AclEntry[] = [];
  for (const topic of [...access.produces, ...EVERY_SERVICE_PRODUCES]) entries.push(...topicRule(principal, topic, ['write', 'create', 'describe_configs']));
  for (const topic of access.consumes) {
    entries.push(...topicRule(principal, topic, ['read', 'create', 'describe_configs']));
    const deadLetters = deadLettersOf(topic);
    entries.push(...topicRule(principal, deadLetters, ['write', 'create', 'describe_configs']));
  }
  for (const group of access.groups) entries.push({ principal, resourceType: 'group', ...resourceOf(group), operation: 'read' });
  if (access.describesEverything) {
    entries.push({ principal, resourceType: 'topic', patternType: 'literal', resourceName: '*', operation: 'describe' });
    entries.push({ principal, resourceType: 'group', patternType: 'literal', resourceName: '*', operation: 'describe' });
  }
  return dedupe(entries);
}

/** The ACLs of the gateway instance `gatewayId` (its principal gatewayPrincipal(gatewayId)). */
export function gatewayAclPlan(gatewayId: string): AclEntry[] {
  return aclsOf(gatewayPrincipal(gatewayId));
}

export interface KafkaAclPlanOptions {
  /** The gateway instances (their INSTANCE_IDs) that get a principal's ACLs; default none. */
  gatewayIds?: readonly string[];
}

/** The whole plan for a cluster: every shared service principal's ACLs, and each listed gateway's. */
export function kafkaAclPlan(options: KafkaAclPlanOptions = {}): AclEntry[] {
  const gatewayIds = [...new Set(options.gatewayIds ?? [])];
  return [...SHARED_SERVICE_PRINCIPALS.flatMap((principal) => aclsOf(principal)), ...gatewayIds.flatMap(gatewayAclPlan)];
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
