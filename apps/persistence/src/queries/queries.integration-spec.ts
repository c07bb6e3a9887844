import { ListConversationsRequestCommand, type ChatQueryEnvelope, type ServerFrame, type ServerFrameOf } from '@chat/protocol';
import { answerTo, answersTo, commands, type Harness, replyTo, startHarness } from '../../test/harness';
import { ListConversationsUseCase } from '../conversations/list-conversations.use-case';
import { HistoryUseCase } from '../messages/history.use-case';
import { SYNC_PAGE_MESSAGES, SyncUseCase } from '../messages/sync.use-case';
import type { Effect } from '../outcomes/effects';
import type { QueryAnswersPublisher } from './query-answers.publisher';
import { QueryHandler } from './query-handler';

/** Records each publish of a query's answers: one entry per page. */
class RecordingAnswers implements Pick<QueryAnswersPublisher, 'publish'> {
  readonly pages: Effect[][] = [];
  async publish(answers: readonly Effect[]): Promise<void> {
    this.pages.push([...answers]);
  }
}

describe('queries (PostgreSQL)', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let carol: string;
  let published: RecordingAnswers;
  let handler: QueryHandler;

  beforeAll(async () => {
    h = await startHarness();
    [alice, bob, carol] = await h.users(3);
  }, 120_000);

  beforeEach(() => {
    published = new RecordingAnswers();
    // The handler as the service wires it, but publishing into the recorder (a QueryAnswersPublisher needs Kafka).
    const recorder = published as unknown as QueryAnswersPublisher;
    handler = new QueryHandler(h.dataSource, h.moduleRef.get(SyncUseCase), h.moduleRef.get(HistoryUseCase), h.moduleRef.get(ListConversationsUseCase), recorder);
  });

  afterAll(async () => {
    await h?.close();
  });

  async function conversationWith(messages: number): Promise<string> {
    const create = commands.createGroup(alice, 'Team', [bob]);
    const conversationId = answerTo(await h.run(create), create, 'conversation').conversationId;
    if (messages > 0) await h.run(...Array.from({ length: messages }, (_, i) => commands.send(alice, conversationId, `m${i}`)));
    return conversationId;
  }

  const framesOf = (page: Effect[], query: ChatQueryEnvelope): ServerFrame[] => answersTo(page, query);

  describe('sync', () => {
    it('is published page by page, each page at most SYNC_PAGE_MESSAGES, every message once in order, then synced', async () => {
      const big = await conversationWith(SYNC_PAGE_MESSAGES * 2 + 50);
      const small = await conversationWith(7);
      const sync = commands.sync(bob, [
        { conversationId: big, afterSeq: 0 },
        { conversationId: small, afterSeq: 2 },
      ]);
      await handler.answer(sync);

      const pages = published.pages.map((page) => framesOf(page, sync));
      expect(pages.length).toBeGreaterThanOrEqual(4);
      for (const page of pages) expect(page.filter((frame) => frame.type === 'message').length).toBeLessThanOrEqual(SYNC_PAGE_MESSAGES);
      const frames = pages.flat();
      const messages = frames.flatMap((frame) => (frame.type === 'message' ? [`${frame.conversationId}/${frame.seq}`] : []));
      expect(messages).toEqual([
        ...Array.from({ length: SYNC_PAGE_MESSAGES * 2 + 50 }, (_, i) => `${big}/${i + 1}`),
        ...Array.from({ length: 5 }, (_, i) => `${small}/${i + 3}`),
      ]);
      expect(frames[frames.length - 1]).toEqual({
        type: 'synced',
        replyTo: sync.payload.replyTo.requestId,
        conversations: [
          { conversationId: big, lastSeq: SYNC_PAGE_MESSAGES * 2 + 50 },
          { conversationId: small, lastSeq: 7 },
        ],
      });
    }, 60_000);

    it('answers a sync that names a foreign conversation with not_member, and nothing else', async () => {
      const theirs = await conversationWith(3);
      const sync = commands.sync(carol, [{ conversationId: theirs, afterSeq: 0 }]);
      await handler.answer(sync);
      expect(published.pages.flatMap((page) => framesOf(page, sync))).toEqual([expect.objectContaining({ type: 'error', code: 'not_member' })]);
    });
  });

  describe('list_conversations', () => {
    const list = (userId: string, limit?: number, cursor?: string) =>
      ListConversationsRequestCommand.create({ userId, ...(limit === undefined ? {} : { limit }), ...(cursor === undefined ? {} : { cursor }), replyTo: replyTo() });

    async function page(userId: string, limit?: number, cursor?: string): Promise<ServerFrameOf<'conversations'>> {
      const query = list(userId, limit, cursor);
      await handler.answer(query);
      const frames = published.pages.flatMap((effects) => framesOf(effects, query));
      if (frames.length !== 1 || frames[0].type !== 'conversations') throw new Error(`expected one conversations answer, got ${JSON.stringify(frames)}`);
      return frames[0];
    }

    it('pages with limit and nextCursor through every conversation once, most recently active first', async () => {
      const [dave, erin] = await h.users(2);
      const ids: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        const create = commands.createGroup(dave, `G${i}`, [erin]);
        ids.push(answerTo(await h.run(create), create, 'conversation').conversationId);
      }
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | undefined;
      do {
        const answer = await page(erin, 3, cursor);
        sizes.push(answer.items.length);
        seen.push(...answer.items.map((item) => item.conversationId));
        cursor = answer.nextCursor;
      } while (cursor !== undefined);
      expect(sizes).toEqual([3, 3, 1]);
      expect(seen).toEqual([...ids].reverse());
      // Without a limit (a client from before paging): the default page, all seven here, and no cursor.
      const all = await page(erin);
      expect(all.items).toHaveLength(7);
      expect(all.nextCursor).toBeUndefined();
    });

    it('refuses a cursor this server did not write', async () => {
      const query = list(alice, 5, 'not_a-cursor');
      await handler.answer(query);
      expect(published.pages.flatMap((effects) => framesOf(effects, query))).toEqual([expect.objectContaining({ type: 'error', code: 'invalid_frame', message: expect.stringMatching(/^cursor:/) })]);
    });
  });

  it('answers history from chat.queries as from chat.commands', async () => {
    const conversationId = await conversationWith(5);
    const history = commands.history(bob, conversationId, 2);
    await handler.answer(history);
    const frame = published.pages.flatMap((effects) => framesOf(effects, history));
    expect(frame).toEqual([expect.objectContaining({ type: 'history_page', hasMore: true, messages: [expect.objectContaining({ seq: 4 }), expect.objectContaining({ seq: 5 })] })]);
  });
});
