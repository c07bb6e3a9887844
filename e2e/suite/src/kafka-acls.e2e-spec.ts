import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { kafkaJsSecurity, type KafkaSecurity } from '@chat/kafka';
import { provisionGatewayPrincipal } from '@chat/local-infra';
import { deadLetterTopicOf, DELIVERY_DEAD_LETTER_TOPIC, deliveryTopicFor, gatewayPrincipal, Headers, Topics } from '@chat/protocol';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { useChatUsers } from './support/chat-users';
import { e2e } from './support/environment';

/*
 * Kafka is the security boundary: every service logs in with its own SCRAM principal over TLS (each
 * gateway instance with its own, gateway-<id>), and the broker's ACLs (libs/protocol kafka-acls.ts)
 * allow each only what it does. Here gateway A's own credentials are used from outside the gateway,
 * as a stolen secret would be: the broker refuses what a gateway must not do, reading gateway B's
 * deliveries among it, while the real gateways (the same principals) keep working.
 */

const suite = useChatSuite({ label: 'kafka-acls', gateways: [{}, {}] });
const users = useChatUsers(suite);
const secured = e2e.kafkaSecurity !== undefined;

/** Gateway A's login (the suite's gateway 0, as the fleet provisioned it: the same user and password). */
let gatewayA: KafkaSecurity;

/** A kafkajs client logged in as `login`, or with a wrong password; no retries, so a refusal is final at once. */
function kafkaAs(login: KafkaSecurity, options: { wrongPassword?: boolean; brokerErrors?: string[] } = {}): Kafka {
  const security = { ...login };
  if (options.wrongPassword && security.sasl) security.sasl = { ...security.sasl, password: `${security.sasl.password}-wrong` };
  const brokerErrors = options.brokerErrors;
  return new Kafka({
    clientId: `e2e-acl-${security.sasl?.username ?? 'anonymous'}`,
    brokers: e2e.kafkaBrokers.split(','),
    // kafkajs reports some refusals only as "not found"; its debug log keeps the broker's error code.
    logLevel: brokerErrors ? logLevel.DEBUG : logLevel.NOTHING,
    logCreator: () => ({ log }) => {
      const error = (log as { error?: { type?: string } }).error;
      if (brokerErrors && error?.type) brokerErrors.push(error.type);
    },
    connectionTimeout: 5_000,
    retry: { retries: 0 },
    ...kafkaJsSecurity(security),
  });
}

/** The kafkajs error type (e.g. TOPIC_AUTHORIZATION_FAILED) an operation failed with. */
async function refusal(operation: Promise<unknown>): Promise<string> {
  try {
    await operation;
  } catch (error) {
    const cause = (error as { type?: string; name?: string; cause?: { type?: string } }) ?? {};
    return cause.type ?? cause.cause?.type ?? cause.name ?? String(error);
  }
  throw new Error('the broker allowed it');
}

const describeSecured = secured ? describe : describe.skip;

describeSecured('Kafka ACLs: a gateway principal can do what a gateway does, and nothing more', () => {
  let producer: Producer | undefined;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    const security = e2e.kafkaSecurity;
    if (!security) throw new Error('the broker is not secured');
    gatewayA = await provisionGatewayPrincipal({ brokers: e2e.kafkaBrokers, security }, suite().gatewayId(0));
    expect(gatewayA.sasl?.username).toBe(gatewayPrincipal(suite().gatewayId(0)));
  });

  /**
   * Joins `groupId` with gateway A's credentials and subscribes to `topic`: the refusal's error type.
   * Joining checks the group's ACL, fetching the topic's: a fetch answered means allowed.
   */
  const readAsGatewayA = async (topic: string, groupId: string, brokerErrors: string[] = []): Promise<string> => {
    const consumer = kafkaAs(gatewayA, { brokerErrors }).consumer({ groupId, retry: { retries: 0 } });
    consumers.push(consumer);
    await consumer.connect();
    return refusal(
      (async () => {
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
          consumer.on(consumer.events.FETCH, () => resolve());
          consumer.run({ eachMessage: async () => undefined }).catch(reject);
        });
      })(),
    );
  };

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
  });

  it("refuses the gateway's credentials writing persistence's stored facts (chat.events, chat.memberships)", async () => {
    producer ??= kafkaAs(gatewayA).producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    const forged = { key: randomUUID(), value: Buffer.from('{"type":"chat.message-stored","forged":true}') };
    expect(await refusal(producer.send({ topic: Topics.events.name, acks: -1, messages: [forged] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await refusal(producer.send({ topic: Topics.memberships.name, acks: -1, messages: [forged] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it("refuses the gateway's credentials writing a gateway's delivery topic (forged frames to its sockets), while its dead-letter topic takes records", async () => {
    producer ??= kafkaAs(gatewayA).producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    // Its own delivery topic and another gateway's alike: only router and persistence write them.
    const victim = deliveryTopicFor(suite().gatewayId(0)).name;
    expect(await refusal(producer.send({ topic: deliveryTopicFor(suite().gatewayId(1)).name, acks: -1, messages: [{ key: 'k', value: 'forged' }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
    const forged = { key: randomUUID(), value: Buffer.from('{"type":"chat.frames-routed","forged":true}') };
    expect(await refusal(producer.send({ topic: victim, acks: -1, messages: [forged] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
    // What a gateway's delivery consumer does with a record it cannot handle: it lands in chat.deliveries.dlq.
    const deadLetters = deadLetterTopicOf(victim).name;
    expect(deadLetters).toBe(DELIVERY_DEAD_LETTER_TOPIC);
    const [written] = await producer.send({ topic: deadLetters, acks: -1, messages: [{ ...forged, headers: { [Headers.dlqSourceTopic]: victim } }] });
    expect(written).toMatchObject({ topicName: DELIVERY_DEAD_LETTER_TOPIC, errorCode: 0 });
  });

  it("refuses the gateway's credentials reading the commands and stored events, or joining another service's group", async () => {
    const brokerErrors: string[] = [];
    expect(await readAsGatewayA(Topics.commands.name, `gateway.sessions.${suite().gatewayId(0)}.acl-test-${randomUUID()}`)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await readAsGatewayA(Topics.events.name, `gateway.sessions.${suite().gatewayId(0)}.acl-test-${randomUUID()}`)).toBe('TOPIC_AUTHORIZATION_FAILED');
    // Its own delivery topic, under a group that is not its own: refused.
    // kafkajs turns the broker's GROUP_AUTHORIZATION_FAILED on FindCoordinator into "coordinator not found".
    expect(await readAsGatewayA(deliveryTopicFor(suite().gatewayId(0)).name, 'persistence.commands', brokerErrors)).toBe('KafkaJSGroupCoordinatorNotFound');
    expect(brokerErrors).toContain('GROUP_AUTHORIZATION_FAILED');
  });

  it("refuses gateway A's credentials reading gateway B's delivery topic (another gateway's users' deliveries), in A's groups or B's", async () => {
    const topicOfB = deliveryTopicFor(suite().gatewayId(1)).name;
    // B's topic holds B's users' deliveries: one user on each gateway, in one conversation.
    const [ann, ben] = await users.registerMany(2, 'acl-b');
    if (!ann || !ben) throw new Error('registration failed');
    const onA = await users.connect(ann, { gateway: 0 });
    const onB = await users.connect(ben, { gateway: 1 });
    const { conversationId } = await onA.client.openDirect(ben.userId);
    const stored = await onA.client.sendAndWaitStored(conversationId, 'for B only');
    await expectEventually(() => expect(onB.seen(conversationId)).toEqual([[stored.seq, 'for B only']]));

    // In a group A may join: the topic's READ is refused.
    expect(await readAsGatewayA(topicOfB, `gateway.sessions.${suite().gatewayId(0)}.acl-test-${randomUUID()}`)).toBe('TOPIC_AUTHORIZATION_FAILED');
    // In B's own delivery group: refused too (the topic is looked up before the group is joined).
    expect(await readAsGatewayA(topicOfB, `gateway.${suite().gatewayId(1)}`)).toBe('TOPIC_AUTHORIZATION_FAILED');
    // And B's group is refused on its own, with a topic A may read (chat.sessions).
    const brokerErrors: string[] = [];
    expect(await readAsGatewayA(Topics.sessions.name, `gateway.${suite().gatewayId(1)}`, brokerErrors)).toBe('KafkaJSGroupCoordinatorNotFound');
    expect(brokerErrors).toContain('GROUP_AUTHORIZATION_FAILED');
    // Not even its offsets (DESCRIBE): B's topic is not A's to see; A's own is.
    const admin = kafkaAs(gatewayA).admin();
    await admin.connect();
    try {
      expect(await refusal(admin.fetchTopicOffsets(topicOfB))).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect((await admin.fetchTopicOffsets(deliveryTopicFor(suite().gatewayId(0)).name)).length).toBeGreaterThan(0);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses a wrong password, and no login at all', async () => {
    const admin = kafkaAs(gatewayA, { wrongPassword: true }).admin();
    expect(await refusal(admin.connect())).toMatch(/SASL|Authentication/i);
    await admin.disconnect().catch(() => undefined);
    const anonymous = new Kafka({ clientId: 'e2e-acl-anonymous', brokers: e2e.kafkaBrokers.split(','), logLevel: logLevel.NOTHING, connectionTimeout: 3_000, retry: { retries: 0 } }).admin();
    await expect(anonymous.connect()).rejects.toThrow();
    await anonymous.disconnect().catch(() => undefined);
  });

  it('while the real gateways, each logged in as its own principal, keep carrying messages and typing', async () => {
    const [ann, ben] = await users.registerMany(2, 'acl');
    if (!ann || !ben) throw new Error('registration failed');
    const a = await users.connect(ann, { gateway: 0 });
    const b = await users.connect(ben, { gateway: 1 });
    const { conversationId } = await a.client.openDirect(ben.userId);
    await expectEventually(() => {
      for (const device of [a, b]) expect(device.memberAdded.map((frame) => frame.conversationId)).toContain(conversationId);
    });
    const stored = await a.client.sendAndWaitStored(conversationId, 'still works behind the ACLs');
    await expectEventually(() => expect(b.seen(conversationId)).toEqual([[stored.seq, 'still works behind the ACLs']]));
    // Typing goes over chat.typing, which the gateway may write (chat.events it may not).
    b.client.typing(conversationId, true);
    await expectEventually(() => expect(a.typing.map((frame) => [frame.userId, frame.active])).toEqual([[ben.userId, true]]));
  });
});
