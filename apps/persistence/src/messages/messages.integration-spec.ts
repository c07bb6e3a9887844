import { MAX_RECORD_BYTES, SendMessageCommand, Topics, encodeEnvelope } from '@chat/protocol';
import { telemetry } from '@chat/telemetry';
import { answerTo, answersTo, commands, events, type Harness, replyTo, startHarness, storedMessages } from '../../test/harness';
import { SYNC_BYTES_PER_REQUEST, SYNC_MESSAGES_PER_CONVERSATION, SYNC_PAGE_BYTES } from './sync.use-case';

describe('messages (PostgreSQL)', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let carol: string;

  beforeAll(async () => {
    h = await startHarness();
    [alice, bob, carol] = await h.users(3);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  /** A new group of alice and bob. */
  async function newConversation(): Promise<string> {
    const create = commands.createGroup(alice, 'Team', [bob]);
    return answerTo(await h.run(create), create, 'conversation').conversationId;
  }

  async function count(sql: string, params: unknown[]): Promise<number> {
    const rows = await h.dataSource.query<Array<{ count: string }>>(sql, params);
    return Number(rows[0].count);
  }

  describe('send-message', () => {
    it('gives each message of a conversation the next seq, with no gaps, and tells every member', async () => {
      const conversationId = await newConversation();
      const batch = Array.from({ length: 20 }, (_, i) => commands.send(i % 2 ? alice : bob, conversationId, `m${i}`));
      const effects = await h.run(...batch.slice(0, 12));
      const later = await h.run(...batch.slice(12));
      const stored = [...storedMessages(effects), ...storedMessages(later)];
      expect(stored.map((event) => event.message.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(stored.map((event) => event.message.clientMsgId)).toEqual(batch.map((command) => command.payload.clientMsgId));
      for (const event of stored) expect(event.recipientIds).toEqual(expect.arrayContaining([alice, bob]));
      // Keyed by conversation, so the router sees them in order.
      expect(effects.every((effect) => effect.topic === Topics.events.name && effect.key === conversationId)).toBe(true);
      expect(await count('select last_seq as count from conversations where id = $1', [conversationId])).toBe(20);
    });

    it('stores a message once per clientMsgId: a resend announces the original with its seq', async () => {
      const conversationId = await newConversation();
      const first = commands.send(alice, conversationId, 'same-id', 'hello');
      const [original] = storedMessages(await h.run(first, commands.send(bob, conversationId, 'other')));
      // A resend in a later batch and twice within one batch.
      const resend = commands.send(alice, conversationId, 'same-id', 'hello');
      const again = storedMessages(await h.run(resend, commands.send(alice, conversationId, 'same-id', 'hello')));
      expect(again.map((event) => event.message)).toEqual([original.message, original.message]);
      expect(original.message.seq).toBe(1);
      expect(await count('select count(*) from messages where conversation_id = $1', [conversationId])).toBe(2);
      // Same event id as the first announcement: recognisably the same event downstream.
      const ids = events(await h.run(commands.send(alice, conversationId, 'same-id'))).map((event) => event.id);
      expect(ids).toEqual([original.message.messageId]);
    });

    it('numbers each conversation of a mixed run on its own, skipping resends and refused sends, and moves the senders’ own receipts', async () => {
      const [first, second] = [await newConversation(), await newConversation()];
      const stored = storedMessages(
        await h.run(
          commands.send(alice, first, 'a'),
          commands.send(bob, second, 'b'),
          commands.send(carol, first, 'intruder'),
          commands.send(alice, first, 'a'),
          commands.send(bob, first, 'c'),
          commands.send(alice, second, 'd'),
        ),
      );
      expect(stored.map(({ message: m }) => [m.conversationId, m.seq, m.clientMsgId])).toEqual([
        [first, 1, 'a'],
        [second, 1, 'b'],
        [first, 1, 'a'],
        [first, 2, 'c'],
        [second, 2, 'd'],
      ]);
      const receipts = await h.dataSource.query<Array<{ user_id: string; delivered_seq: string; read_seq: string }>>(
        'select user_id, delivered_seq, read_seq from members where conversation_id = $1 order by user_id = $2 desc',
        [first, alice],
      );
      expect(receipts.map((row) => [row.user_id, Number(row.delivered_seq), Number(row.read_seq)])).toEqual([
        [alice, 1, 1],
        [bob, 2, 2],
      ]);
    });

    it('the same clientMsgId from another sender is another message', async () => {
      const conversationId = await newConversation();
      const stored = storedMessages(await h.run(commands.send(alice, conversationId, 'x'), commands.send(bob, conversationId, 'x')));
      expect(stored.map((event) => event.message.seq)).toEqual([1, 2]);
    });

    it('answers not_member to a non-member and to an unknown conversation, and the batch goes on', async () => {
      const conversationId = await newConversation();
      const intruder = commands.send(carol, conversationId, 'sneaky');
      const nowhere = commands.send(alice, '2b1f1d43-5b7e-4c0e-9a0e-111111111111', 'lost');
      const fine = commands.send(alice, conversationId, 'fine');
      const effects = await h.run(intruder, nowhere, fine);
      expect(answerTo(effects, intruder, 'error')).toMatchObject({ code: 'not_member', replyTo: intruder.payload.replyTo.requestId });
      expect(answerTo(effects, nowhere, 'error')).toMatchObject({ code: 'not_member' });
      expect(storedMessages(effects).map((event) => event.message.seq)).toEqual([1]);
      // The error goes to the asking socket, keyed like the command.
      const errorRecord = effects.find((effect) => effect.envelope.type === 'chat.command-answers');
      expect(errorRecord?.key).toBe(conversationId);
    });

    it('keeps sentAt from the gateway and the trace id of the command', async () => {
      const conversationId = await newConversation();
      const send = commands.send(alice, conversationId, 'traced');
      const [event] = events(await h.run(send));
      expect(event.traceId).toBe(send.traceId);
      expect(event.occurredAt).toBe(send.occurredAt);
      expect(storedMessages([{ topic: Topics.events.name, key: conversationId, envelope: event }])[0].message.sentAt).toBe(send.occurredAt);
    });
  });

  describe('metrics', () => {
    /** chat_messages_total{stage="stored"} and the accepted_to_stored values since the previous call. */
    async function storedFigures(): Promise<{ stored: number; latencies: number }> {
      const sample = await telemetry.snapshotSample();
      const stored = sample.counters.find((c) => c.name === 'chat_messages_total' && c.labels['stage'] === 'stored')?.value ?? 0;
      const latencies = sample.histograms.find((h) => h.name === 'chat_latency_microseconds' && h.labels['span'] === 'accepted_to_stored')?.count ?? 0;
      return { stored, latencies };
    }

    it('counts each inserted message once: not resends, not rejected sends, not a batch replayed after a failed publish', async () => {
      const conversationId = await newConversation();
      const before = await storedFigures();
      const first = commands.send(alice, conversationId, 'counted-1');
      await h.run(first, commands.send(alice, conversationId, 'counted-1'), commands.send(carol, conversationId, 'not-a-member'));
      await h.run(commands.send(alice, conversationId, 'counted-1'));
      const batch = [commands.send(bob, conversationId, 'counted-2'), commands.send(bob, conversationId, 'counted-3')];
      h.publisher.failNext = true;
      await expect(h.processor.process(batch)).rejects.toThrow(/broker unavailable|publishing/);
      await h.run(...batch);
      expect(await storedFigures()).toEqual({ stored: before.stored + 3, latencies: 3 });
    });
  });

  describe('stored before shown', () => {
    it('publishes only after the transaction committed', async () => {
      const conversationId = await newConversation();
      let visibleWhenPublished = -1;
      h.publisher.onPublish = async () => {
        // A separate connection sees only committed rows.
        visibleWhenPublished = await count('select count(*) from messages where conversation_id = $1', [conversationId]);
      };
      try {
        await h.run(commands.send(alice, conversationId, 'a'), commands.send(alice, conversationId, 'b'));
      } finally {
        h.publisher.onPublish = undefined;
      }
      expect(visibleWhenPublished).toBe(2);
    });

    it('re-publishes the same records when a batch comes again after a failed publish, changing nothing twice', async () => {
      const conversationId = await newConversation();
      const groupsBefore = await count('select count(*) from conversations where created_by = $1', [alice]);
      const batch = [
        commands.send(alice, conversationId, 'r1'),
        commands.receipt(bob, conversationId, 1, 'read'),
        commands.createGroup(alice, 'Another', [bob]),
        commands.send(carol, conversationId, 'rejected'),
      ];
      h.publisher.failNext = true;
      await expect(h.processor.process(batch)).rejects.toThrow(/broker unavailable|publishing/);
      // Kafka delivers the uncommitted batch again.
      const replayed = await h.run(...batch);
      expect(replayed.map((effect) => effect.envelope.type)).toEqual([
        'chat.message-stored',
        'chat.receipt-stored',
        'chat.membership-changed',
        'chat.command-answers',
        'chat.command-answers',
      ]);
      // Once more, as after a crash before the offset commit: byte-identical apart from the produce time.
      const third = await h.run(...batch);
      expect(third.map((effect) => ({ ...effect, envelope: { ...effect.envelope, producedAt: 0 } }))).toEqual(
        replayed.map((effect) => ({ ...effect, envelope: { ...effect.envelope, producedAt: 0 } })),
      );
      expect(await count('select last_seq as count from conversations where id = $1', [conversationId])).toBe(1);
      // One group 'Another' (titles are stored sealed, so counted by creator).
      expect(await count('select count(*) from conversations where created_by = $1', [alice])).toBe(groupsBefore + 1);
    });

    it('replays a command recorded by an earlier release (answer as chat.command-answered) as the same one-frame answer', async () => {
      const create = commands.createGroup(alice, 'Recorded before', [bob]);
      const first = await h.run(create);
      // Rewrite its recorded answer the way earlier releases stored it: one `frame` per record.
      const legacy = first.map((effect) => {
        if (effect.envelope.type !== 'chat.command-answers') return effect;
        const { frames, ...payload } = effect.envelope.payload as { frames: unknown[] };
        return { ...effect, envelope: { ...effect.envelope, type: 'chat.command-answered', payload: { ...payload, frame: frames[0] } } };
      });
      // Earlier releases stored them in plaintext too (no key id).
      await h.dataSource.query('UPDATE processed_commands SET effects = $2::jsonb, effects_key_id = NULL WHERE command_id = $1', [create.id, JSON.stringify(legacy)]);
      const replayed = await h.run(create);
      expect(replayed.map((effect) => ({ ...effect, envelope: { ...effect.envelope, producedAt: 0 } }))).toEqual(
        first.map((effect) => ({ ...effect, envelope: { ...effect.envelope, producedAt: 0 } })),
      );
    });
  });

  describe('the batches of one fetch', () => {
    it('are applied in one transaction and published together, each partition in its order', async () => {
      const [first, second] = [await newConversation(), await newConversation()];
      const before = h.publisher.published.length;
      // Two partitions' batches handed over at the same moment, as the consumer does after a fetch.
      await Promise.all([
        h.processor.process([commands.send(alice, first, 'f1'), commands.send(bob, first, 'f2')]),
        h.processor.process([commands.send(alice, second, 's1')]),
      ]);
      const published = h.publisher.published.slice(before);
      expect(published).toHaveLength(1);
      expect(storedMessages(published[0]).map(({ message: m }) => [m.conversationId, m.seq, m.clientMsgId])).toEqual([
        [first, 1, 'f1'],
        [first, 2, 'f2'],
        [second, 1, 's1'],
      ]);
    });

    it('a batch that fails fails alone: the others are stored and published', async () => {
      const [first, second] = [await newConversation(), await newConversation()];
      // PostgreSQL cannot store NUL in text (the clientMsgId: bodies are stored sealed): a permanent failure of this batch only.
      const poison = SendMessageCommand.createValidated({ senderId: alice, conversationId: first, clientMsgId: 'b\u0000ad', body: 'ab', kind: 'text', replyTo: replyTo() });
      const [failed, stored] = await Promise.allSettled([h.processor.process([poison]), h.processor.process([commands.send(alice, second, 'ok')])]);
      expect(failed.status).toBe('rejected');
      expect(stored.status).toBe('fulfilled');
      expect(await count('select count(*) from messages where conversation_id = $1', [second])).toBe(1);
      expect(await count('select count(*) from messages where conversation_id = $1', [first])).toBe(0);
    });
  });

  describe('receipt', () => {
    it('moves delivered and read forward only, tells every member, and ignores older receipts', async () => {
      const conversationId = await newConversation();
      await h.run(...[1, 2, 3, 4].map((i) => commands.send(alice, conversationId, `r${i}`)));
      const effects = await h.run(
        commands.receipt(bob, conversationId, 2, 'delivered'),
        commands.receipt(bob, conversationId, 1, 'delivered'),
        commands.receipt(bob, conversationId, 3, 'read'),
        commands.receipt(bob, conversationId, 2, 'delivered'),
      );
      const receipts = events(effects).flatMap((event) => (event.type === 'chat.receipt-stored' ? [event.payload] : []));
      expect(receipts.map(({ seq, status }) => ({ seq, status }))).toEqual([
        { seq: 2, status: 'delivered' },
        { seq: 3, status: 'read' },
      ]);
      expect(receipts[0].recipientIds).toEqual(expect.arrayContaining([alice, bob]));
      const [row] = await h.dataSource.query<Array<{ delivered_seq: string; read_seq: string }>>(
        'select delivered_seq, read_seq from members where conversation_id = $1 and user_id = $2',
        [conversationId, bob],
      );
      // Reading implies delivery.
      expect(row).toEqual({ delivered_seq: '3', read_seq: '3' });
    });

    it('refuses a seq beyond the newest message and a non-member', async () => {
      const conversationId = await newConversation();
      const beyond = commands.receipt(bob, conversationId, 1, 'read');
      const outsider = commands.receipt(carol, conversationId, 1, 'read');
      const effects = await h.run(beyond, outsider);
      expect(answerTo(effects, beyond, 'error').code).toBe('conflict');
      expect(answerTo(effects, outsider, 'error').code).toBe('not_member');
    });
  });

  describe('sync', () => {
    it('answers the messages after each cursor in order, then synced with every last seq', async () => {
      const first = await newConversation();
      const second = await newConversation();
      await h.run(...[1, 2, 3].map((i) => commands.send(alice, first, `s${i}`)), ...[1, 2].map((i) => commands.send(bob, second, `t${i}`)));
      const sync = commands.sync(bob, [
        { conversationId: first, afterSeq: 1 },
        { conversationId: second, afterSeq: 0 },
      ]);
      const effects = await h.run(sync);
      const frames = answersTo(effects, sync);
      expect(frames.map((frame) => (frame.type === 'message' ? `${frame.conversationId === first ? 'first' : 'second'}:${frame.seq}` : frame.type))).toEqual([
        'first:2',
        'first:3',
        'second:1',
        'second:2',
        'synced',
      ]);
      expect(frames.at(-1)).toEqual({
        type: 'synced',
        replyTo: sync.payload.replyTo.requestId,
        conversations: [
          { conversationId: first, lastSeq: 3 },
          { conversationId: second, lastSeq: 2 },
        ],
      });
      // Every answer carries the command's key (the user), so they stay in this order.
      expect(new Set(effects.map((effect) => effect.key))).toEqual(new Set([bob]));
    });

    it(`sends at most ${SYNC_MESSAGES_PER_CONVERSATION} messages of a conversation; synced.lastSeq tells the client to ask again`, async () => {
      const conversationId = await newConversation();
      const total = SYNC_MESSAGES_PER_CONVERSATION + 3;
      await h.run(...Array.from({ length: total }, (_, i) => commands.send(alice, conversationId, `bulk${i}`)));
      const sync = commands.sync(bob, [{ conversationId, afterSeq: 0 }]);
      const frames = answersTo(await h.run(sync), sync);
      expect(frames).toHaveLength(SYNC_MESSAGES_PER_CONVERSATION + 1);
      expect(frames.at(-1)).toMatchObject({ type: 'synced', conversations: [{ conversationId, lastSeq: total }] });
      const rest = commands.sync(bob, [{ conversationId, afterSeq: SYNC_MESSAGES_PER_CONVERSATION }]);
      const seqs = answersTo(await h.run(rest), rest).flatMap((frame) => (frame.type === 'message' ? [frame.seq] : []));
      expect(seqs).toEqual([501, 502, 503]);
    }, 60_000);

    it('packs the answers of a sync into few records, each within the record limit, and stops near the size budget', async () => {
      const conversationId = await newConversation();
      const body = (i: number) => `long ${i} `.padEnd(4000, 'x');
      const total = 400;
      await h.run(...Array.from({ length: total }, (_, i) => commands.send(alice, conversationId, `long${i + 1}`, body(i + 1))));
      const sync = commands.sync(bob, [{ conversationId, afterSeq: 0 }]);
      const effects = await h.run(sync);
      const answers = effects.filter((effect) => effect.envelope.type === 'chat.command-answers');
      const frames = answersTo(effects, sync);
      const messages = frames.flatMap((frame) => (frame.type === 'message' ? [frame] : []));
      // Cut by size (about 1 MiB of 4 KB messages), not by count; the client asks again from where it got to.
      expect(messages.length).toBeLessThan(total);
      expect(messages.length * 4000).toBeLessThanOrEqual(SYNC_BYTES_PER_REQUEST);
      expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: messages.length }, (_, i) => i + 1));
      expect(messages.every((message, i) => message.body === body(i + 1))).toBe(true);
      expect(frames.at(-1)).toMatchObject({ type: 'synced', conversations: [{ conversationId, lastSeq: total }] });
      // Published page by page (SYNC_PAGE_BYTES each, a record per page), then the remainder of the
      // budget (a page, and one message over it at most) and synced.
      expect(answers.length).toBeLessThanOrEqual(Math.ceil(SYNC_BYTES_PER_REQUEST / SYNC_PAGE_BYTES) * Math.ceil((SYNC_PAGE_BYTES + 64 * 1024) / MAX_RECORD_BYTES) + 3);
      for (const answer of answers) expect(encodeEnvelope(answer.envelope).length).toBeLessThanOrEqual(MAX_RECORD_BYTES);

      const rest = commands.sync(bob, [{ conversationId, afterSeq: messages.length }]);
      const restSeqs = answersTo(await h.run(rest), rest).flatMap((frame) => (frame.type === 'message' ? [frame.seq] : []));
      expect(restSeqs[0]).toBe(messages.length + 1);
    }, 60_000);

    it('answers a sync with nothing new with one record of its synced frame', async () => {
      const conversationId = await newConversation();
      const sync = commands.sync(bob, [{ conversationId, afterSeq: 0 }]);
      const effects = await h.run(sync);
      expect(effects.map((effect) => effect.envelope.type)).toEqual(['chat.command-answers']);
    });

    it('rejects a sync naming a conversation the user is not in, and sends nothing else', async () => {
      const mine = await newConversation();
      const sync = commands.sync(carol, [{ conversationId: mine, afterSeq: 0 }]);
      const frames = answersTo(await h.run(sync), sync);
      expect(frames).toEqual([{ type: 'error', replyTo: sync.payload.replyTo.requestId, code: 'not_member', message: expect.stringContaining(mine) }]);
    });
  });

  describe('history', () => {
    it('pages backwards in ascending order with hasMore', async () => {
      const conversationId = await newConversation();
      await h.run(...Array.from({ length: 7 }, (_, i) => commands.send(alice, conversationId, `h${i}`)));
      const latest = commands.history(bob, conversationId, 3);
      const page = answerTo(await h.run(latest), latest, 'history_page');
      expect(page.messages.map((message) => message.seq)).toEqual([5, 6, 7]);
      expect(page.hasMore).toBe(true);
      const older = commands.history(bob, conversationId, 3, 5);
      expect(answerTo(await h.run(older), older, 'history_page').messages.map((message) => message.seq)).toEqual([2, 3, 4]);
      const oldest = commands.history(bob, conversationId, 3, 2);
      const last = answerTo(await h.run(oldest), oldest, 'history_page');
      expect(last.messages.map((message) => message.seq)).toEqual([1]);
      expect(last.hasMore).toBe(false);
    });

    it('returns fewer messages than asked when they would not fit one Kafka record, keeping the newest', async () => {
      const conversationId = await newConversation();
      // Control characters are escaped as \u0001 in JSON: 4000 of them take 24 000 bytes.
      const huge = '\u0001'.repeat(4000);
      await h.run(...Array.from({ length: 30 }, (_, i) => commands.send(alice, conversationId, `big${i}`, huge)));
      const request = commands.history(bob, conversationId, 30);
      const effects = await h.run(request);
      const page = answerTo(effects, request, 'history_page');
      expect(page.messages.length).toBeLessThan(30);
      expect(page.messages.at(-1)?.seq).toBe(30);
      expect(page.hasMore).toBe(true);
      expect(encodeEnvelope(effects[0].envelope).length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    });

    it('answers not_member to a non-member', async () => {
      const conversationId = await newConversation();
      const request = commands.history(carol, conversationId, 10);
      expect(answerTo(await h.run(request), request, 'error').code).toBe('not_member');
    });
  });
});
