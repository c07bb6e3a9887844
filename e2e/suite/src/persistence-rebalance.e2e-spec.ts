import { randomUUID } from 'node:crypto';
import { AssignerProtocol } from 'kafkajs';
import { Client } from 'pg';
import { KAFKA_PRODUCER_SETTINGS } from '@chat/kafka';
import { ChatCommands, type ChatMessage, Topics } from '@chat/protocol';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { type TestDevice, type TestUser, useChatUsers } from './support/chat-users';
import { e2e } from './support/environment';
import { committedOffsets, readRange, withAdmin } from './support/kafka-test-kit';
import { scrape } from './support/observability-prometheus';

/*
 * Persistence scaled out and in under a steady load (docs/reliability.md, "Guarantees"): a second
 * instance joins the consumer group of chat.commands (a rebalance), the first is stopped gracefully
 * (SIGTERM) and started again, then the second is crashed (SIGKILL, at a moment it has stored sends
 * whose offsets it has not committed, so the survivor applies them again) while sends keep coming. At the
 * end every accepted message is stored exactly once, every conversation's seqs are 1..n without a
 * gap or a repeat, and every member's app got 1..n once each, in order (the protocol lets a `message`
 * frame come twice on the wire; the SDK drops a seq it has, so a wire repeat must be the same message).
 *
 * Every e2e file runs its services in the same groups (`persistence.commands`, `persistence.queries`)
 * on the run's one broker, one file at a time. A persistence a previous file crashed stays a member
 * until its session times out, so each step waits until the group's members are exactly the
 * instances this file counts on (by their Kafka client ids) before it goes on.
 */

const COMMANDS_GROUP = 'persistence.commands';
const QUERIES_GROUP = 'persistence.queries';
const USERS = 4;
/** Distinct chat.commands partitions the conversations must cover: more than half of them, so each of two instances holds some. */
const PARTITIONS_COVERED = Topics.commands.partitions / 2 + 1;
/** One send every this many ms, from the users in turn: a steady 40 messages per second, under the gateway's per-connection rate. */
const SEND_EVERY_MS = 25;
/** Messages stored between two steps, so each step happens with sends in flight. */
const PROGRESS = 60;
/** Long enough for a group to notice a crashed member (session timeout 10 s) and rebalance. */
const GROUP_TIMEOUT_MS = 60_000;

const suite = useChatSuite({ label: 'rebalance' });
const users = useChatUsers(suite);

let db: Client;
beforeAll(async () => {
  db = new Client({ connectionString: e2e.databaseUrlFor('chat_persistence') });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
});

/** How service-kit names a service's Kafka client: `<service>-<INSTANCE_ID>`. */
const clientIdOf = (instanceName: string) => `persistence-${instanceName}`;

interface GroupView {
  state: string;
  /** chat.commands / chat.queries partitions by member client id. */
  members: Record<string, number[]>;
}

async function describeGroup(groupId: string, topic: string): Promise<GroupView> {
  const {
    groups: [group],
  } = await withAdmin((admin) => admin.describeGroups([groupId]));
  const members: Record<string, number[]> = {};
  for (const member of group?.members ?? []) {
    const assignment = member.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment) : null;
    members[member.clientId] = [...(assignment?.assignment[topic] ?? [])].sort((a, b) => a - b);
  }
  return { state: group?.state ?? 'Dead', members };
}

/** Waits until both persistence groups are stable with exactly these instances, each holding partitions. */
async function groupsAre(instanceNames: string[]): Promise<Record<string, number[]>> {
  const expected = instanceNames.map(clientIdOf).sort();
  let commands: GroupView = { state: 'unknown', members: {} };
  for (const [groupId, topic] of [
    [COMMANDS_GROUP, Topics.commands.name],
    [QUERIES_GROUP, Topics.queries.name],
  ] as const) {
    const view = await expectEventually(
      async () => {
        const seen = await describeGroup(groupId, topic);
        expect({ groupId, state: seen.state, members: Object.keys(seen.members).sort() }).toEqual({ groupId, state: 'Stable', members: expected });
        for (const partitions of Object.values(seen.members)) expect(partitions.length).toBeGreaterThan(0);
        return seen;
      },
      { timeoutMs: GROUP_TIMEOUT_MS, intervalMs: 250 },
    );
    if (groupId === COMMANDS_GROUP) commands = view;
  }
  return commands.members;
}

/** The chat.commands partition a conversation's commands go to: the producer's own partitioner on its key. */
function commandsPartitionOf(conversationId: string): number {
  const partitionMetadata = Array.from({ length: Topics.commands.partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [], isr: [] }));
  return KAFKA_PRODUCER_SETTINGS.createPartitioner()({ topic: Topics.commands.name, partitionMetadata, message: { key: conversationId, value: null } });
}

async function storedCountOf(instanceName: string): Promise<number> {
  const metrics = await scrape(`http://127.0.0.1:${suite().instance(instanceName).httpPort}/metrics`);
  return metrics.sum('chat_messages_total', { stage: 'stored' });
}

interface Conversation {
  id: string;
  partition: number;
  members: TestDevice[];
}

interface Send {
  conversationId: string;
  senderId: string;
  clientMsgId: string;
  body: string;
  outcome: 'pending' | 'accepted' | Error;
}

/** A steady load: one send every SEND_EVERY_MS, each user in turn into one of its conversations in turn. */
class SteadySends {
  readonly sends: Send[] = [];
  private readonly timer: NodeJS.Timeout;
  private tick = 0;

  private readonly devices: TestDevice[];

  constructor(private readonly conversations: Conversation[]) {
    this.devices = [...new Set(conversations.flatMap((conversation) => conversation.members))];
    this.timer = setInterval(() => this.sendOne(), SEND_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Sends whose message came back stored to the sender's device. */
  stored(): number {
    const seen = new Set<string>();
    for (const device of this.devices) for (const message of device.messages) seen.add(message.clientMsgId);
    return this.sends.filter((send) => seen.has(send.clientMsgId)).length;
  }

  private sendOne(): void {
    const tick = this.tick++;
    const conversation = this.conversations[tick % this.conversations.length] as Conversation;
    const sender = conversation.members[Math.floor(tick / this.conversations.length) % conversation.members.length] as TestDevice;
    const send: Send = { conversationId: conversation.id, senderId: sender.user.userId, clientMsgId: randomUUID(), body: `rebalance ${tick}`, outcome: 'pending' };
    this.sends.push(send);
    sender.client.send(send.conversationId, send.body, { clientMsgId: send.clientMsgId }).then(
      () => (send.outcome = 'accepted'),
      (error: unknown) => (send.outcome = error instanceof Error ? error : new Error(String(error))),
    );
  }
}

/** Waits until `count` more sends than now came back stored. */
async function progress(load: SteadySends, count = PROGRESS): Promise<void> {
  const target = load.stored() + count;
  await expectEventually(() => expect(load.stored()).toBeGreaterThanOrEqual(target), { timeoutMs: GROUP_TIMEOUT_MS, intervalMs: 100 });
}

/**
 * Sends stored in PostgreSQL whose chat.commands records on `partitions` are beyond the group's
 * committed offsets: what a crash of their owner now would make the next owner apply again.
 */
async function storedButUncommitted(partitions: number[], conversations: Conversation[]): Promise<number> {
  const committed = await committedOffsets(COMMANDS_GROUP, Topics.commands.name);
  const { rows } = await db.query<{ client_msg_id: string }>('SELECT client_msg_id FROM messages WHERE conversation_id = ANY($1::uuid[])', [conversations.map((conversation) => conversation.id)]);
  const stored = new Set(rows.map((row) => row.client_msg_id));
  const records = await readRange(Topics.commands.name, Object.fromEntries(partitions.map((partition) => [partition, Math.max(0, committed[partition] ?? 0)])));
  return records.filter((record) => {
    const command = ChatCommands.decode(record.value);
    return command.type === 'chat.command.send-message' && stored.has(command.payload.clientMsgId);
  }).length;
}

/** Groups of three of the four users (rotating), until their conversations cover PARTITIONS_COVERED partitions of chat.commands. */
async function conversationsOverPartitions(devices: TestDevice[]): Promise<Conversation[]> {
  const conversations: Conversation[] = [];
  const partitions = new Set<number>();
  for (let i = 0; partitions.size < PARTITIONS_COVERED; i += 1) {
    if (i >= 40) throw new Error(`40 conversations covered only ${partitions.size} partitions of ${Topics.commands.name}`);
    const members = devices.filter((_, index) => index !== i % devices.length);
    const [creator, ...others] = members as [TestDevice, ...TestDevice[]];
    const group = await creator.client.createGroup(`rebalance ${i}`, others.map((device) => device.user.userId));
    const partition = commandsPartitionOf(group.conversationId);
    partitions.add(partition);
    conversations.push({ id: group.conversationId, partition, members });
  }
  // Every member's device knows every group before the load starts.
  await expectEventually(() => {
    for (const conversation of conversations) {
      for (const device of conversation.members.slice(1)) expect(device.memberAdded.some((frame) => frame.conversationId === conversation.id)).toBe(true);
    }
  });
  return conversations;
}

/** Every message of a conversation through `history`, oldest first (paging back from the newest). */
async function fullHistory(device: TestDevice, conversationId: string): Promise<ChatMessage[]> {
  const pages: ChatMessage[][] = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await device.client.history(conversationId, { limit: 100, ...(beforeSeq === undefined ? {} : { beforeSeq }) });
    pages.unshift(page.messages);
    if (!page.hasMore || page.messages.length === 0) break;
    beforeSeq = page.messages[0]?.seq;
  }
  return pages.flat();
}

describe('persistence scaled out and in under load', () => {
  it('a second instance joining, a SIGTERM and a SIGKILL lose, repeat and reorder no message', async () => {
    const first = suite().instanceName('persistence');
    await groupsAre([first]);

    const registered: TestUser[] = await users.registerMany(USERS, 'rebal');
    const devices: TestDevice[] = [];
    for (const user of registered) devices.push(await users.connect(user));
    const conversations = await conversationsOverPartitions(devices);

    const load = new SteadySends(conversations);
    let second: string;
    let replayed = 0;
    try {
      await progress(load);

      // Scale out: a second instance joins both groups; each instance gets some of our conversations.
      second = await suite().addInstance('persistence');
      const assignment = await groupsAre([first, second]);
      for (const instance of [first, second]) {
        const ours = conversations.filter((conversation) => assignment[clientIdOf(instance)]?.includes(conversation.partition));
        expect({ instance, holdsSomeOfOurConversations: ours.length > 0 }).toEqual({ instance, holdsSomeOfOurConversations: true });
      }
      await progress(load);
      await expectEventually(async () => expect(await storedCountOf(second)).toBeGreaterThan(0));

      // Scale in gracefully: SIGTERM finishes the batch in hand, commits, leaves the group; it exits 0.
      await suite().killInstance(first, 'SIGTERM');
      expect((await suite().instance(first).exited).code).toBe(0);
      await groupsAre([second]);
      await progress(load);

      // Back to two, then a crash: SIGKILL commits nothing; its partitions wait for its session to expire.
      // Frozen (SIGSTOP) first, and killed only once it holds stored work whose offsets it has not
      // committed (committed every 100 ms, so a few tries at most): the survivor must apply it again.
      await suite().startInstanceAgain(first);
      const secondPartitions = (await groupsAre([first, second]))[clientIdOf(second)] ?? [];
      await progress(load);
      await expectEventually(async () => expect(await storedCountOf(first)).toBeGreaterThan(0));
      for (let attempt = 1; ; attempt += 1) {
        suite().freezeInstance(second);
        replayed = await storedButUncommitted(secondPartitions, conversations);
        if (replayed > 0) break;
        suite().thawInstance(second);
        if (attempt === 30) throw new Error(`${second} committed all its stored work at each of ${attempt} freezes`);
        await progress(load, 5);
      }
      await suite().killInstance(second, 'SIGKILL');
      await groupsAre([first]);
      await progress(load);
    } finally {
      load.stop();
    }

    // Every send was accepted (Kafka and the gateway stayed up) and came back stored to its sender.
    await expectEventually(() => expect(load.sends.filter((send) => send.outcome === 'pending')).toEqual([]));
    expect(load.sends.filter((send) => send.outcome !== 'accepted').map((send) => `${send.clientMsgId}: ${String(send.outcome)}`)).toEqual([]);
    await expectEventually(() => expect(load.stored()).toBe(load.sends.length), { timeoutMs: GROUP_TIMEOUT_MS });

    // The messages table: each accepted send once, seqs 1..n per conversation, last_seq = n.
    const sentBy = new Map(load.sends.map((send) => [send.clientMsgId, send]));
    const { rows } = await db.query<{ conversation_id: string; seq: string; sender_id: string; client_msg_id: string }>(
      'SELECT conversation_id, seq, sender_id, client_msg_id FROM messages WHERE conversation_id = ANY($1::uuid[]) ORDER BY conversation_id, seq',
      [conversations.map((conversation) => conversation.id)],
    );
    expect(rows.length).toBe(load.sends.length);
    const storedKeys = rows.map((row) => `${row.conversation_id}|${row.sender_id}|${row.client_msg_id}`);
    expect(new Set(storedKeys).size).toBe(rows.length);
    expect(new Set(storedKeys)).toEqual(new Set(load.sends.map((send) => `${send.conversationId}|${send.senderId}|${send.clientMsgId}`)));
    const { rows: lastSeqs } = await db.query<{ id: string; last_seq: string }>('SELECT id, last_seq FROM conversations WHERE id = ANY($1::uuid[])', [conversations.map((conversation) => conversation.id)]);

    let wireRepeats = 0;
    for (const [index, conversation] of conversations.entries()) {
      const stored = rows.filter((row) => row.conversation_id === conversation.id);
      const n = load.sends.filter((send) => send.conversationId === conversation.id).length;
      const dense = Array.from({ length: n }, (_, i) => i + 1);
      expect({ conversation: conversation.id, seqs: stored.map((row) => Number(row.seq)) }).toEqual({ conversation: conversation.id, seqs: dense });
      expect(Number(lastSeqs.find((row) => row.id === conversation.id)?.last_seq)).toBe(n);
      const bySeq = new Map(stored.map((row) => [Number(row.seq), row.client_msg_id]));

      // What each member's app got: every seq once, in order, each the stored message.
      for (const device of conversation.members) {
        await expectEventually(() => expect(device.seen(conversation.id).length).toBe(n), { timeoutMs: GROUP_TIMEOUT_MS });
        const got = device.messages.filter((message) => message.conversationId === conversation.id);
        expect({ member: device.user.username, seqs: got.map((message) => message.seq) }).toEqual({ member: device.user.username, seqs: dense });
        for (const message of got) {
          expect(message.clientMsgId).toBe(bySeq.get(message.seq));
          expect(message.body).toBe(sentBy.get(message.clientMsgId)?.body);
        }
        // On the wire a seq may come twice (at-least-once), but only ever as the same message.
        for (const frame of device.frames) {
          if (frame.type !== 'message' || frame.conversationId !== conversation.id) continue;
          expect({ seq: frame.seq, clientMsgId: frame.clientMsgId }).toEqual({ seq: frame.seq, clientMsgId: bySeq.get(frame.seq) });
        }
        wireRepeats += [...device.wireCounts(conversation.id).values()].reduce((sum, count) => sum + count - 1, 0);
      }

      // History reads the same (from the members in turn: reads have a per-user quota).
      const history = await fullHistory(conversation.members[index % conversation.members.length] as TestDevice, conversation.id);
      expect(history.map((message) => [message.seq, message.clientMsgId])).toEqual(stored.map((row) => [Number(row.seq), row.client_msg_id]));
    }
    process.stdout.write(`[rebalance] ${load.sends.length} messages in ${conversations.length} conversations over ${new Set(conversations.map((c) => c.partition)).size} partitions; ${replayed} stored but uncommitted at the SIGKILL; ${wireRepeats} repeated message frames on the wire\n`);
  }, 600_000);
});
