import {
  deadLetterTopicOf,
  DELIVERY_DEAD_LETTER_TOPIC,
  deliveryTopicFor,
  FramesRouted,
  GatewayLeaseRenewed,
  InstanceHeartbeat,
  MembershipChanged,
  MessageStored,
  MetricsSample,
  PresenceChanged,
  SendMessageCommand,
  Topics,
  UserAdminRequested,
  UserRegistered,
} from '@chat/protocol';
import { randomUUID } from 'node:crypto';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { useChatUsers } from './support/chat-users';
import { uniqueName } from './support/environment';
import { healthOf } from './support/overload-health';
import { DeadLetterWatch, type PoisonRecord, poisonRecordsFor, producePoison } from './support/overload-poison';

/*
 * Malformed records in every topic a service consumes: invalid JSON, JSON that is no envelope, an
 * envelope of a type that belongs elsewhere, and the right type with a payload that breaks its
 * schema. Committing consumer groups dead-letter each one once, intact, and go on; the router's
 * per-run views skip them with a warning (every run replays them, so dead-lettering there would
 * add a copy per start). Afterwards a new user registers, opens a conversation, comes online and
 * chats through every one of those topics, and every process is alive and ready.
 */

const suite = useChatSuite({ label: 'poison' });
const users = useChatUsers(suite);

/** The metrics service's groups end in its instance id. */
function groupOf(consumerGroup: string | undefined): string | undefined {
  return consumerGroup?.replace(/^(metrics\.(?:instances|samples))\..+$/, '$1.<instance>');
}

/** Who consumes each poisoned topic: the group that dead-letters it, or none (views only). */
function targets(gatewayId: string): Array<{ topic: string; rightType: string; key: string; deadLetteredBy: string | null }> {
  return [
    { topic: Topics.users.name, rightType: UserRegistered.type, key: randomUUID(), deadLetteredBy: 'persistence.users' },
    { topic: Topics.commands.name, rightType: SendMessageCommand.type, key: randomUUID(), deadLetteredBy: 'persistence.commands' },
    { topic: Topics.events.name, rightType: MessageStored.type, key: randomUUID(), deadLetteredBy: 'router' },
    { topic: Topics.memberships.name, rightType: MembershipChanged.type, key: randomUUID(), deadLetteredBy: 'router.memberships' },
    { topic: Topics.presence.name, rightType: PresenceChanged.type, key: `poison-gw/${randomUUID()}`, deadLetteredBy: 'router.presence' },
    { topic: Topics.gateways.name, rightType: GatewayLeaseRenewed.type, key: 'poison-gw', deadLetteredBy: null },
    { topic: Topics.userAdmin.name, rightType: UserAdminRequested.type, key: 'poison-user', deadLetteredBy: 'auth.user-admin' },
    { topic: deliveryTopicFor(gatewayId).name, rightType: FramesRouted.type, key: randomUUID(), deadLetteredBy: `gateway.${gatewayId}` },
    // The metrics service's own consumers are per instance and never commit, but they go through
    // the shared consumer, which dead-letters what it cannot decode (only live records: they start at the end).
    { topic: Topics.heartbeats.name, rightType: InstanceHeartbeat.type, key: 'poison-instance', deadLetteredBy: 'metrics.instances.<instance>' },
    { topic: Topics.metrics.name, rightType: MetricsSample.type, key: 'poison-instance', deadLetteredBy: 'metrics.samples.<instance>' },
  ];
}

describe('malformed records in every consumed topic, end to end', () => {
  it('dead-letters each once and intact where a group commits, skips it in the views, and every service keeps working', async () => {
    const s = suite();
    const marker = uniqueName('poison');
    const plan = targets(s.gatewayId());
    const poison: Array<PoisonRecord & { deadLetteredBy: string | null }> = plan.flatMap(({ topic, rightType, key, deadLetteredBy }) =>
      poisonRecordsFor(topic, { rightType, wrongType: rightType === InstanceHeartbeat.type ? UserRegistered.type : InstanceHeartbeat.type, key, marker }).map((record) => ({ ...record, deadLetteredBy })),
    );
    const watch = await DeadLetterWatch.start(plan.map((target) => target.topic));
    try {
      await producePoison(poison);

      // Every topic's consumers have moved past the poison: records after it flow through all of them.
      const [alice, bob] = await users.registerMany(2, 'after-poison');
      if (!alice || !bob) throw new Error('registration failed');
      const a = await users.connect(alice);
      // Persistence learns new users from chat.users, where they queue behind the poison while it is
      // retried and dead-lettered: until then open_direct answers not_found, which is what this waits out.
      const direct = (await expectEventually(() => a.client.openDirect(bob.userId), { timeoutMs: 30_000, intervalMs: 250 })).conversationId;
      const b = await users.connect(bob);
      await a.client.sendAndWaitStored(direct, 'past the poison');
      await expectEventually(() => expect(b.seen(direct)).toEqual([[1, 'past the poison']]));
      await expectEventually(() => expect(a.lastPresenceOf(bob.userId)).toBe(true));

      const expected = poison.map((record) => ({ topic: record.topic, kind: record.kind, deadLetteredBy: record.deadLetteredBy === null ? [] : [record.deadLetteredBy] }));
      await expectEventually(
        () => {
          const actual = poison.map((record) => ({ topic: record.topic, kind: record.kind, deadLetteredBy: watch.of(record).map((letter) => groupOf(letter.consumerGroup)) }));
          expect(actual).toEqual(expected);
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(deadLetterTopicOf(deliveryTopicFor(s.gatewayId()).name).name).toBe(DELIVERY_DEAD_LETTER_TOPIC);
      for (const record of poison.filter((candidate) => candidate.deadLetteredBy !== null)) {
        // `<topic>.dlq`; a delivery topic's into chat.deliveries.dlq, the only one of them the gateway may write.
        expect(watch.of(record).map((letter) => ({ topic: letter.topic, sourceTopic: letter.sourceTopic }))).toEqual([{ topic: deadLetterTopicOf(record.topic).name, sourceTopic: record.topic }]);
      }
    } finally {
      await watch.stop();
    }

    // The views logged and skipped what they could not read; nothing exited.
    expect(s.process('router').output()).toContain('view skipped an unreadable record');
    const services = { gateway: s.gateway(), router: s.process('router'), persistence: s.process('persistence'), auth: s.process('auth'), metrics: s.process('metrics') };
    expect(await healthOf(services)).toEqual(Object.fromEntries(Object.keys(services).map((name) => [name, { exited: false, ready: 200 }])));
  });
});
