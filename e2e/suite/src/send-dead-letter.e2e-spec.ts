import { randomUUID } from 'node:crypto';
import type { Consumer, IHeaders } from 'kafkajs';
import { Client } from 'pg';
import { ChatRequestError } from '@chat/client-sdk';
import { ChatCommands, deadLetterTopicOf, Headers, Topics, type ServerFrameOf } from '@chat/protocol';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { useChatUsers } from './support/chat-users';
import { e2e, uniqueName } from './support/environment';
import { rawKafka } from './support/kafka-test-kit';
import { scrape } from './support/observability-prometheus';

/*
 * An accepted send that persistence cannot store is never dropped in silence. The fault is a real
 * one: persistence's database refuses every message of one conversation (a CHECK constraint that
 * conversation's rows break, as a bad migration or a hand-made repair could leave behind), so the
 * send fails whatever persistence retries and is dead-lettered. Its sender, who had `accepted`, then
 * gets `error not_stored` for that very request; the command is in chat.commands.dlq byte for byte
 * as the gateway produced it; everybody else's sends are stored as usual; persistence counts it.
 * Persistence gets a database of its own here, so the constraint touches no other file.
 */

const database = uniqueName('chat_persistence_send_dlq').replace(/-/g, '_').toLowerCase();
const COMMANDS_DLQ = deadLetterTopicOf(Topics.commands.name).name;
const DEAD_LETTERED_METRIC = 'persistence_commands_dead_lettered_total';

let db: Client;

// Before the suite starts (hooks run in the order they are declared): persistence migrates this database at start.
beforeAll(async () => {
  const admin = new Client({ connectionString: e2e.databaseUrlFor('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  db = new Client({ connectionString: e2e.databaseUrlFor(database) });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
});

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

async function deadLetteredSends(): Promise<number> {
  const metrics = await scrape(`http://127.0.0.1:${suite().process('persistence').httpPort}/metrics`);
  if (!metrics.has(DEAD_LETTERED_METRIC, { type: 'chat.command.send-message' })) throw new Error(`persistence does not export ${DEAD_LETTERED_METRIC}`);
  return metrics.sum(DEAD_LETTERED_METRIC, { type: 'chat.command.send-message' });
}

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

    await db.query(`ALTER TABLE messages ADD CONSTRAINT e2e_refuses_one_conversation CHECK (conversation_id <> '${broken}') NOT VALID`);
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
      expect((await db.query('SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq', [broken])).rows.map((row: { seq: string }) => Number(row.seq))).toEqual([1]);
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
