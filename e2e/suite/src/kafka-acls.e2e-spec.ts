import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { kafkaJsSecurity } from '@chat/kafka';
import { deadLetterTopicOf, DELIVERY_DEAD_LETTER_TOPIC, deliveryTopicFor, Headers, Topics } from '@chat/protocol';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { useChatUsers } from './support/chat-users';
import { e2e } from './support/environment';

/*
 * Kafka is the security boundary: every service logs in with its own SCRAM principal over TLS, and
 * the broker's ACLs (libs/protocol kafka-acls.ts) allow each only what it does. Here the gateway's
 * own credentials are used from outside the gateway, as a stolen secret would be: the broker refuses
 * what a gateway must not do, while the real gateway (same principal) keeps working.
 */

const suite = useChatSuite({ label: 'kafka-acls' });
const users = useChatUsers(suite);
const secured = e2e.kafkaSecurity !== undefined;

/** A kafkajs client with the gateway's principal, or with a wrong password; no retries, so a refusal is final at once. */
function kafkaAs(user: 'gateway' | 'admin', options: { wrongPassword?: boolean; brokerErrors?: string[] } = {}): Kafka {
  const security = e2e.kafkaClientSecurity(user);
  if (options.wrongPassword && security.sasl) security.sasl = { ...security.sasl, password: `${security.sasl.password}-wrong` };
  const brokerErrors = options.brokerErrors;
  return new Kafka({
    clientId: `e2e-acl-${user}`,
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

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
  });

  it("refuses the gateway's credentials writing persistence's stored facts (chat.events, chat.memberships)", async () => {
    producer ??= kafkaAs('gateway').producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    const forged = { key: randomUUID(), value: Buffer.from('{"type":"chat.message-stored","forged":true}') };
    expect(await refusal(producer.send({ topic: Topics.events.name, acks: -1, messages: [forged] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await refusal(producer.send({ topic: Topics.memberships.name, acks: -1, messages: [forged] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it("refuses the gateway's credentials writing a gateway's delivery topic (forged frames to its sockets), while its dead-letter topic takes records", async () => {
    producer ??= kafkaAs('gateway').producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    // The suite's real gateway: another gateway, as seen from a stolen credential.
    const victim = deliveryTopicFor(suite().gatewayId(0)).name;
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
    const read = async (topic: string, groupId: string): Promise<string> => {
      const consumer = kafkaAs('gateway', { brokerErrors }).consumer({ groupId, retry: { retries: 0 } });
      consumers.push(consumer);
      await consumer.connect();
      return refusal(
        (async () => {
          await consumer.subscribe({ topics: [topic], fromBeginning: true });
          // Joining checks the group's ACL, fetching the topic's: a fetch answered means allowed.
          await new Promise<void>((resolve, reject) => {
            consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
            consumer.on(consumer.events.FETCH, () => resolve());
            consumer.run({ eachMessage: async () => undefined }).catch(reject);
          });
        })(),
      );
    };
    expect(await read(Topics.commands.name, `gateway.acl-test-${randomUUID()}`)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await read(Topics.events.name, `gateway.acl-test-${randomUUID()}`)).toBe('TOPIC_AUTHORIZATION_FAILED');
    // A delivery topic it may read, under a group that is not a gateway's: refused.
    // kafkajs turns the broker's GROUP_AUTHORIZATION_FAILED on FindCoordinator into "coordinator not found".
    brokerErrors.length = 0;
    expect(await read(deliveryTopicFor(suite().gatewayId(0)).name, 'persistence.commands')).toBe('KafkaJSGroupCoordinatorNotFound');
    expect(brokerErrors).toContain('GROUP_AUTHORIZATION_FAILED');
  });

  it('refuses a wrong password, and no login at all', async () => {
    const admin = kafkaAs('gateway', { wrongPassword: true }).admin();
    expect(await refusal(admin.connect())).toMatch(/SASL|Authentication/i);
    await admin.disconnect().catch(() => undefined);
    const anonymous = new Kafka({ clientId: 'e2e-acl-anonymous', brokers: e2e.kafkaBrokers.split(','), logLevel: logLevel.NOTHING, connectionTimeout: 3_000, retry: { retries: 0 } }).admin();
    await expect(anonymous.connect()).rejects.toThrow();
    await anonymous.disconnect().catch(() => undefined);
  });

  it('while the real gateway, logged in as the same principal, keeps carrying messages and typing', async () => {
    const [ann, ben] = await users.registerMany(2, 'acl');
    if (!ann || !ben) throw new Error('registration failed');
    const a = await users.connect(ann);
    const b = await users.connect(ben);
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
