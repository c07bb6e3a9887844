import {
  aclAllows,
  aclsOf,
  gatewayAclPlan,
  gatewayPrincipal,
  isServicePrincipal,
  kafkaAclPlan,
  kafkaAclsCommands,
  SHARED_SERVICE_PRINCIPALS,
  type ServicePrincipal,
} from './kafka-acls';
import { deadLetterTopicOf, DELIVERY_DEAD_LETTER_TOPIC, deliveryTopicFor, Topics } from './topics';

describe('the Kafka ACL plan', () => {
  const plan = kafkaAclPlan({ gatewayIds: ['gw-a', 'gw-b'] });
  // One gateway stands for all in the checks of every principal; gw-b is the other gateway.
  const gateway = gatewayPrincipal('gw-a');
  const SERVICE_PRINCIPALS: ServicePrincipal[] = [gateway, ...SHARED_SERVICE_PRINCIPALS];
  const can = (principal: ServicePrincipal, operation: 'read' | 'write' | 'create' | 'describe', topic: string) => aclAllows(plan, principal, 'topic', topic, operation);

  it('lets only persistence write stored facts; the gateway writes commands and typing, not chat.events', () => {
    for (const topic of [Topics.events.name, Topics.memberships.name, Topics.announcements.name]) {
      expect(SERVICE_PRINCIPALS.filter((principal) => can(principal, 'write', topic))).toEqual(['persistence']);
    }
    expect(can(gateway, 'write', Topics.commands.name)).toBe(true);
    expect(can(gateway, 'write', Topics.typing.name)).toBe(true);
    expect(can(gateway, 'read', Topics.commands.name)).toBe(false);
    expect(can(gateway, 'read', Topics.events.name)).toBe(false);
    expect(can(gateway, 'create', Topics.events.name)).toBe(false);
  });

  it('gives each topic its producers and consumers as topics.ts names them', () => {
    expect(SERVICE_PRINCIPALS.filter((principal) => can(principal, 'read', Topics.commands.name))).toEqual(['persistence']);
    expect(SERVICE_PRINCIPALS.filter((principal) => can(principal, 'read', Topics.queries.name))).toEqual(['persistence']);
    expect(SERVICE_PRINCIPALS.filter((principal) => can(principal, 'write', Topics.queries.name))).toEqual([gateway]);
    expect(SERVICE_PRINCIPALS.filter((principal) => can(principal, 'write', Topics.users.name))).toEqual(['auth']);
    expect(SERVICE_PRINCIPALS.filter((principal) => can(principal, 'write', Topics.sessions.name))).toEqual(['auth']);
    expect(SERVICE_PRINCIPALS.filter((principal) => can(principal, 'read', Topics.typing.name))).toEqual(['router']);
    expect(SERVICE_PRINCIPALS.filter((principal) => can(principal, 'read', Topics.userAdmin.name))).toEqual(['auth']);
    // Operator topics are the admin's alone.
    expect(SERVICE_PRINCIPALS.filter((principal) => can(principal, 'write', Topics.userAdmin.name) || can(principal, 'write', Topics.dlqReplays.name))).toEqual([]);
  });

  it('lets only router and persistence write delivery topics; a gateway creates and reads its own alone and dead-letters into chat.deliveries.dlq', () => {
    for (const gatewayId of ['gateway-7', 'gw-b', 'dlq']) {
      const delivery = deliveryTopicFor(gatewayId).name;
      expect(SERVICE_PRINCIPALS.filter((principal) => can(principal, 'write', delivery))).toEqual(['router', 'persistence']);
      expect(can(gateway, 'create', delivery)).toBe(false);
      expect(can(gateway, 'read', delivery)).toBe(false);
      expect(can(gateway, 'describe', delivery)).toBe(false);
    }
    const own = deliveryTopicFor('gw-a').name;
    expect(can(gateway, 'create', own) && can(gateway, 'read', own)).toBe(true);
    expect(can(gatewayPrincipal('gw-b'), 'read', own)).toBe(false);
    expect(can(gatewayPrincipal('gw-b'), 'read', deliveryTopicFor('gw-b').name)).toBe(true);
    // A gateway's topic name is no prefix of another's: its READ is literal.
    expect(can(gateway, 'read', `${own}x`)).toBe(false);
    expect(SERVICE_PRINCIPALS.filter((principal) => can(principal, 'write', DELIVERY_DEAD_LETTER_TOPIC))).toEqual([gateway]);
    expect(can(gatewayPrincipal('gw-b'), 'write', DELIVERY_DEAD_LETTER_TOPIC)).toBe(true);
    expect(can(gateway, 'create', DELIVERY_DEAD_LETTER_TOPIC)).toBe(true);
    // Nothing consumes the delivery dead letters: chatctl (admin) replays them.
    expect(SERVICE_PRINCIPALS.filter((principal) => can(principal, 'read', DELIVERY_DEAD_LETTER_TOPIC))).toEqual([]);
    // No WRITE of the gateway is a prefix: every topic it writes is named.
    expect(aclsOf(gateway).filter((entry) => entry.operation === 'write' && entry.patternType !== 'literal')).toEqual([]);
  });

  it('gives every principal WRITE on the dead-letter topic of each topic it consumes, and on no topic another service delivers from', () => {
    for (const principal of SERVICE_PRINCIPALS) {
      for (const entry of aclsOf(principal).filter((candidate) => candidate.resourceType === 'topic' && candidate.operation === 'read')) {
        const consumed = entry.patternType === 'prefixed' ? `${entry.resourceName}some-id` : entry.resourceName;
        expect({ principal, consumed, writesDeadLetters: can(principal, 'write', deadLetterTopicOf(consumed).name) }).toEqual({ principal, consumed, writesDeadLetters: true });
      }
    }
  });

  it('lets a consumer dead-letter into the .dlq topic of what it consumes, and join only its own groups', () => {
    expect(can('persistence', 'write', `${Topics.commands.name}.dlq`)).toBe(true);
    expect(can('router', 'write', `${Topics.events.name}.dlq`)).toBe(true);
    expect(can(gateway, 'write', `${Topics.commands.name}.dlq`)).toBe(false);
    expect(aclAllows(plan, 'router', 'group', 'router', 'read')).toBe(true);
    expect(aclAllows(plan, gateway, 'group', 'gateway.sessions.gw-a.123', 'read')).toBe(true);
    expect(aclAllows(plan, gateway, 'group', 'gateway.gw-a', 'read')).toBe(true);
    expect(aclAllows(plan, gateway, 'group', 'persistence.commands', 'read')).toBe(false);
    // Not another gateway's groups: its delivery group would hand it the other's delivery partitions' offsets.
    expect(aclAllows(plan, gateway, 'group', 'gateway.gw-b', 'read')).toBe(false);
    expect(aclAllows(plan, gateway, 'group', 'gateway.gw-ab', 'read')).toBe(false);
    expect(aclAllows(plan, gateway, 'group', 'gateway.sessions.gw-b.123', 'read')).toBe(false);
  });

  it('lets every service publish heartbeats and metrics; only metrics describes everything', () => {
    for (const principal of SERVICE_PRINCIPALS) expect(can(principal, 'write', Topics.heartbeats.name) && can(principal, 'write', Topics.metrics.name)).toBe(true);
    expect(SERVICE_PRINCIPALS.filter((principal) => aclAllows(plan, principal, 'group', 'anything', 'describe'))).toEqual(['metrics']);
  });

  it('has no duplicates and renders kafka-acls commands', () => {
    expect(new Set(plan.map((entry) => JSON.stringify(entry))).size).toBe(plan.length);
    expect(aclsOf(gateway).every((entry) => entry.principal === 'gateway-gw-a')).toBe(true);
    const commands = kafkaAclsCommands(aclsOf(gateway), 'kafka:9093');
    expect(commands).toContain(
      "kafka-acls.sh --bootstrap-server kafka:9093 --command-config admin.properties --add --allow-principal User:gateway-gw-a --operation Write --operation Create --operation DescribeConfigs --topic 'chat.commands' --resource-pattern-type LITERAL",
    );
  });

  it('holds one principal per listed gateway, and no shared gateway principal', () => {
    expect(gatewayAclPlan('gw-a')).toEqual(aclsOf(gateway));
    expect([...new Set(kafkaAclPlan().map((entry) => entry.principal))]).toEqual([...SHARED_SERVICE_PRINCIPALS]);
    expect([...new Set(plan.map((entry) => entry.principal))]).toEqual([...SHARED_SERVICE_PRINCIPALS, 'gateway-gw-a', 'gateway-gw-b']);
    expect(kafkaAclPlan({ gatewayIds: ['gw-a', 'gw-a'] })).toEqual(kafkaAclPlan({ gatewayIds: ['gw-a'] }));
    expect(() => gatewayPrincipal('Bad_Id')).toThrow(/gatewayId: "Bad_Id" must be/);
    expect(() => aclsOf('gateway' as ServicePrincipal)).toThrow(/no service logs in to Kafka as "gateway"/);
  });

  it('counts the services\' principals, the retired shared gateway one among them, as what --prune manages', () => {
    for (const principal of ['auth', 'metrics', 'gateway', 'gateway-gw-a']) expect(isServicePrincipal(principal)).toBe(true);
    for (const principal of ['admin', 'controller', 'someone-else', 'gateways']) expect(isServicePrincipal(principal)).toBe(false);
  });
});
