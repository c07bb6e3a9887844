import { randomUUID } from 'node:crypto';
import type { Consumer, IHeaders } from 'kafkajs';
import { ChatRequestError } from '@chat/client-sdk';
import { ChatCommands, ChatQueries, deadLetterTopicOf, Headers, Topics, type ServerFrameOf } from '@chat/protocol';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { useChatUsers } from './support/chat-users';
import { useOwnDatabase } from './support/own-database';
import { rawKafka } from './support/kafka-test-kit';
import { scrape } from './support/observability-prometheus';

/*
 * A request persistence gives up on is never dropped in silence.
 *
 * An accepted send that persistence cannot store is never dropped in silence. The fault is a real
 * one: persistence's database refuses every message of one conversation (a CHECK constraint that
 * conversation's rows break, as a bad migration or a hand-made repair could leave behind), so the
 * send fails whatever persistence retries and is dead-lettered. Its sender, who had `accepted`, then
 * gets `error not_stored` for that very request; the command is in chat.commands.dlq byte for byte
 * as the gateway produced it; everybody else's sends are stored as usual; persistence counts it.
 * Persistence gets a database of its own here, so the constraint touches no other file.
 *
 * Likewise a read it cannot answer: one stored message is left under a data key persistence does not
 * have (as a key dropped from DATA_ENCRYPTION_KEYS before re-encryption finished would leave it), so
 * every `history` that includes it fails whatever persistence retries and is dead-lettered. The
 * asker gets `error internal` for that request at once rather than waiting for its own timeout; the
 * read is in chat.queries.dlq; reads that skip that row are answered as usual.
 */

const COMMANDS_DLQ = deadLetterTopicOf(Topics.commands.name).name;
const DEAD_LETTERED_METRIC = 'persistence_commands_dead_lettered_total';
const QUERIES_DLQ = deadLetterTopicOf(Topics.queries.name).name;
const DEAD_LETTERED_READS_METRIC = 'persistence_queries_dead_lettered_total';

// Declared before the suite: persistence migrates this database when it starts.
const ownDatabase = useOwnDatabase('chat_persistence_send_dlq');
const database = ownDatabase.name;

const suite = useChatSuite({ label: 'send-dlq', persistenceDatabase: database });
const users = useChatUsers(suite);

interface KafkaRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** Reads a topic from the beginning (or one partition from an offset) until stopped; keeps every record. */
class TopicReader {
  readonly records: KafkaRecord[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async start(topic: string, from?: { partition: number; offset: string }): Promise<TopicReader> {
    const consumer = rawKafka().consumer({ groupId: `e2e-send-dlq-${randomUUID()}` });
    const reader = new TopicReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: from === undefined });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        reader.records.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value, headers: message.headers ?? {} });
      },
    });
    if (from) consumer.seek({ topic, partition: from.partition, offset: from.offset });
    return reader;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function header(headers: IHeaders, name: string): string | undefined {
  return headers[name]?.toString();
}

async function deadLettered(metric: string, type: string): Promise<number> {
  const metrics = await scrape(`http://127.0.0.1:${suite().process('persistence').httpPort}/metrics`);
  if (!metrics.has(metric, { type })) throw new Error(`persistence does not export ${metric}{type="${type}"}`);
  return metrics.sum(metric, { type });
}

const deadLetteredSends = () => deadLettered(DEAD_LETTERED_METRIC, 'chat.command.send-message');
const deadLetteredHistories = () => deadLettered(DEAD_LETTERED_READS_METRIC, 'chat.command.history-request');

describe('an accepted send persistence cannot store', () => {
  it('is answered error not_stored for its request, dead-lettered intact, counted, and leaves every other send alone', async () => {
    const [alice, bob, carol, dave] = await users.registerMany(4, 'dlq');
    if (!alice || !bob || !carol || !dave) throw new Error('registration failed');
    const a = await users.connect(alice);
    const b = await users.connect(bob);
    const c = await users.connect(carol);
    const broken = (await a.client.openDirect(bob.userId)).conversationId;
    const alicesOther = (await a.client.openDirect(carol.userId)).conversationId;
    const othersOnly = (await c.client.openDirect(dave.userId)).conversationId;
    // The conversation works before the fault.
    await a.client.sendAndWaitStored(broken, 'before the fault');

    await ownDatabase.client.query(`ALTER TABLE messages ADD CONSTRAINT e2e_refuses_one_conversation CHECK (conversation_id <> '${broken}') NOT VALID`);
    const countedBefore = await deadLetteredSends();
    const deadLetters = await TopicReader.start(COMMANDS_DLQ);
    try {
      const clientMsgId = `lost-${randomUUID()}`;
      const failing = a.client.sendAndWaitStored(broken, 'this one cannot be stored', { clientMsgId });
      const fine = [a.client.sendAndWaitStored(alicesOther, 'alice elsewhere'), c.client.sendAndWaitStored(othersOnly, 'carol to dave')];
      const failure = await failing.then(
        () => {
          throw new Error('the send was stored although its conversation refuses every message');
        },
        (error: unknown) => error,
      );

      // The sender: `accepted`, then `error not_stored` with the same replyTo, failing that send.
      const accepted = a.frames.find((frame): frame is ServerFrameOf<'accepted'> => frame.type === 'accepted' && frame.clientMsgId === clientMsgId);
      if (!accepted) throw new Error(`no accepted frame for ${clientMsgId}: ${JSON.stringify(a.frames.slice(-10))}`);
      expect(failure).toBeInstanceOf(ChatRequestError);
      expect(failure).toMatchObject({ code: 'not_stored', requestType: 'send', requestId: accepted.replyTo });
      const errors = a.frames.filter((frame): frame is ServerFrameOf<'error'> => frame.type === 'error');
      expect(errors).toEqual([{ type: 'error', replyTo: accepted.replyTo, code: 'not_stored', message: expect.stringContaining(clientMsgId) }]);
      // The user reads what was not done, not the database's words.
      expect(errors[0]?.message).not.toMatch(/constraint|violates|sql/i);

      // Everybody else's sends, and the sender's in another conversation, are stored and delivered.
      expect((await Promise.all(fine)).map((message) => [message.conversationId, message.seq, message.body])).toEqual([
        [alicesOther, 1, 'alice elsewhere'],
        [othersOnly, 1, 'carol to dave'],
      ]);
      await expectEventually(() => expect(c.seen(alicesOther)).toEqual([[1, 'alice elsewhere']]));

      // Nothing of it was stored or shown.
      expect((await ownDatabase.client.query('SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq', [broken])).rows.map((row: { seq: string }) => Number(row.seq))).toEqual([1]);
      expect(b.seen(broken)).toEqual([[1, 'before the fault']]);

      // The dead letter: the command as the gateway produced it, from persistence's group, with the reason.
      const letter = await expectEventually(() => {
        const found = deadLetters.records.filter((record) => record.value?.toString().includes(clientMsgId));
        expect(found).toHaveLength(1);
        return found[0] as KafkaRecord;
      });
      const command = ChatCommands.decode(letter.value);
      expect(command).toMatchObject({
        type: 'chat.command.send-message',
        payload: { senderId: alice.userId, conversationId: broken, clientMsgId, body: 'this one cannot be stored', replyTo: { gatewayId: suite().gatewayId(), requestId: accepted.replyTo } },
      });
      expect(letter.key).toBe(broken);
      expect({
        sourceTopic: header(letter.headers, Headers.dlqSourceTopic),
        group: header(letter.headers, Headers.dlqConsumerGroup),
        error: header(letter.headers, Headers.dlqError),
      }).toEqual({ sourceTopic: Topics.commands.name, group: 'persistence.commands', error: expect.stringContaining('e2e_refuses_one_conversation') });
      const source = { partition: Number(header(letter.headers, Headers.dlqSourcePartition)), offset: header(letter.headers, Headers.dlqSourceOffset) ?? '' };
      const original = await TopicReader.start(Topics.commands.name, source);
      try {
        const at = await expectEventually(() => {
          const found = original.records.find((record) => record.partition === source.partition && record.offset === source.offset);
          if (!found) throw new Error(`chat.commands ${source.partition}/${source.offset} not read yet`);
          return found;
        });
        expect({ key: at.key, value: at.value?.toString('base64') }).toEqual({ key: letter.key, value: letter.value?.toString('base64') });
      } finally {
        await original.stop();
      }

      // Counted by persistence: exactly this one.
      await expectEventually(async () => expect(await deadLetteredSends()).toBe(countedBefore + 1));
    } finally {
      await deadLetters.stop();
    }
  }, 120_000);
});

describe('a read persistence cannot answer', () => {
  it('is answered error internal for its request instead of timing out, dead-lettered, counted, and leaves other reads alone', async () => {
    const [alice, bob] = await users.registerMany(2, 'dlqread');
    if (!alice || !bob) throw new Error('registration failed');
    const a = await users.connect(alice);
    const b = await users.connect(bob);
    const conversationId = (await a.client.openDirect(bob.userId)).conversationId;
    await a.client.sendAndWaitStored(conversationId, 'readable');
    const unreadable = await a.client.sendAndWaitStored(conversationId, 'under a key that is gone');
    // Bob has both live, so his client has no gap of its own to fill with a read.
    await expectEventually(() => expect(b.seen(conversationId)).toEqual([[1, 'readable'], [2, 'under a key that is gone']]));

    const { rowCount } = await ownDatabase.client.query(`UPDATE messages SET body_key_id = 'e2e-gone' WHERE conversation_id = $1 AND seq = $2`, [conversationId, unreadable.seq]);
    expect(rowCount).toBe(1);
    const countedBefore = await deadLetteredHistories();
    const deadLetters = await TopicReader.start(QUERIES_DLQ);
    try {
      const failure = await b.client.history(conversationId).then(
        (page) => {
          throw new Error(`history was answered although a message cannot be opened: ${JSON.stringify(page)}`);
        },
        (error: unknown) => error,
      );

      // Answered with an error for that very request (a timeout would be a RequestTimeoutError, after 20 s).
      expect(failure).toBeInstanceOf(ChatRequestError);
      const errors = b.frames.filter((frame): frame is ServerFrameOf<'error'> => frame.type === 'error');
      expect(errors).toEqual([{ type: 'error', replyTo: expect.any(String), code: 'internal', message: expect.stringMatching(/^history not answered/) }]);
      expect(failure).toMatchObject({ code: 'internal', requestType: 'history', requestId: errors[0]?.replyTo });
      // The user reads what was not done, not the server's internals.
      expect(errors[0]?.message).not.toMatch(/e2e-gone|data key|DATA_ENCRYPTION/);

      // A read that does not touch that row is answered: the partition moved on.
      const before = await b.client.history(conversationId, { beforeSeq: unreadable.seq });
      expect(before.messages.map((message) => [message.seq, message.body])).toEqual([[1, 'readable']]);

      // The dead letter: bob's history request, from persistence's read group, with the reason.
      const letter = await expectEventually(() => {
        const found = deadLetters.records.filter((record) => record.value?.toString().includes(conversationId));
        expect(found).toHaveLength(1);
        return found[0] as KafkaRecord;
      });
      expect(ChatQueries.decode(letter.value)).toMatchObject({
        type: 'chat.command.history-request',
        payload: { userId: bob.userId, conversationId, replyTo: { gatewayId: suite().gatewayId(), requestId: errors[0]?.replyTo } },
      });
      expect({
        sourceTopic: header(letter.headers, Headers.dlqSourceTopic),
        group: header(letter.headers, Headers.dlqConsumerGroup),
        error: header(letter.headers, Headers.dlqError),
      }).toEqual({ sourceTopic: Topics.queries.name, group: 'persistence.queries', error: expect.stringContaining('e2e-gone') });
      // The request id in the user's message finds it.
      expect(errors[0]?.message).toContain(ChatQueries.decode(letter.value).id);

      // Counted by persistence: exactly this one.
      await expectEventually(async () => expect(await deadLetteredHistories()).toBe(countedBefore + 1));
    } finally {
      await deadLetters.stop();
    }
  }, 120_000);
});
