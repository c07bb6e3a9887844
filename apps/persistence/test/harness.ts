import { randomBytes, randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import type { Message } from 'kafkajs';
import { KafkaProducer } from '@chat/kafka';
import {
  AddMembersCommand,
  AnnounceCommand,
  AnnouncementPublished,
  ChatEvents,
  CreateGroupCommand,
  HistoryRequestCommand,
  ListConversationsRequestCommand,
  MembershipChanged,
  OpenDirectCommand,
  ReceiptCommand,
  RemoveMemberCommand,
  RenameGroupCommand,
  SendMessageCommand,
  SetMemberRoleCommand,
  SyncRequestCommand,
  TransferOwnershipCommand,
  Topics,
  type ChatCommandEnvelope,
  type Announcement,
  type AssignableRole,
  type ChatEventEnvelope,
  type EnvelopeContext,
  type EnvelopeOf,
  type ReceiptStatus,
  type ReplyTo,
  type ServerFrame,
} from '@chat/protocol';
import { AnnouncementsModule } from '../src/announcements/announcements.module';
import { CommandBatchProcessor } from '../src/commands/command-batch.processor';
import { CommandDispatcher } from '../src/commands/command-dispatcher';
import { EffectPublisher } from '../src/commands/effect-publisher';
import { PersistenceConfig } from '../src/config';
import type { Effect } from '../src/outcomes/effects';
import { ConversationsModule } from '../src/conversations/conversations.module';
import { MessagesModule } from '../src/messages/messages.module';
import { UpsertUsersUseCase } from '../src/users/upsert-users.use-case';
import { StoredContentModule } from '../src/database/stored-content.module';
import { startTestDatabase, type TestDatabase } from './test-database';

/** One data key for every harness (random per run); specs that rotate pass their own DATA_ENCRYPTION_* variables. */
const TEST_DATA_KEY = `harness:${randomBytes(32).toString('base64')}`;

/**
 * Stands in for Kafka: keeps what would be published. `failNext` makes the next publish fail the way
 * a broker outage does; `onPublish` runs first, e.g. to look at the database from outside the batch.
 */
export class RecordingPublisher implements Pick<EffectPublisher, 'publish'> {
  readonly published: Effect[][] = [];
  failNext = false;
  onPublish: ((effects: Effect[]) => Promise<void>) | undefined;

  async publish(effects: Effect[]): Promise<void> {
    await this.onPublish?.(effects);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('broker unavailable');
    }
    this.published.push(effects);
  }
}

/** Stands in for the producer of records outside command batches (the announcements janitor's tombstones). */
export class RecordingProducer implements Pick<KafkaProducer, 'sendRaw'> {
  readonly sent: Array<{ topic: string; messages: Message[] }> = [];

  async sendRaw(topic: string, messages: Message[]): Promise<void> {
    this.sent.push({ topic, messages });
  }
}

export interface Harness {
  db: TestDatabase;
  moduleRef: TestingModule;
  producer: RecordingProducer;
  dataSource: DataSource;
  publisher: RecordingPublisher;
  processor: CommandBatchProcessor;
  /** Applies one batch and returns what it published. */
  run(...commands: ChatCommandEnvelope[]): Promise<Effect[]>;
  /** Users as auth would announce them; returns their ids. */
  users(count: number): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * `env`: persistence's configuration variables the spec sets (limits), over a minimal valid one. Specs
 * create many groups per user, so the quota of groups per hour is off unless a spec sets it.
 */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const db = await startTestDatabase();
  const publisher = new RecordingPublisher();
  const producer = new RecordingProducer();
  const config = PersistenceConfig.load({
    KAFKA_BROKERS: '127.0.0.1:9',
    HTTP_PORT: '1',
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
    GROUPS_PER_USER_PER_HOUR: '100000',
    DATA_ENCRYPTION_KEYS: TEST_DATA_KEY,
    DATA_ENCRYPTION_KEY_ID: 'harness',
    ...env,
  });
  // Global, as ServiceKitModule (config, producer) and DatabaseModule provide them in the service: every module's providers inject them.
  const globals = [
    { provide: PersistenceConfig, useValue: config },
    { provide: KafkaProducer, useValue: producer },
    { provide: DataSource, useValue: db.dataSource },
  ];
  const configModule = { module: class TestGlobalsModule {}, global: true, providers: globals, exports: globals.map((global) => global.provide) };
  const moduleRef = await Test.createTestingModule({
    imports: [configModule, StoredContentModule, MessagesModule, ConversationsModule, AnnouncementsModule],
    providers: [
      CommandDispatcher,
      CommandBatchProcessor,
      UpsertUsersUseCase,
      { provide: EffectPublisher, useValue: publisher },
    ],
  }).compile();
  const processor = moduleRef.get(CommandBatchProcessor);
  const upsertUsers = moduleRef.get(UpsertUsersUseCase);
  return {
    db,
    moduleRef,
    producer,
    dataSource: db.dataSource,
    publisher,
    processor,
    async run(...commands) {
      const before = publisher.published.length;
      await processor.process(commands);
      return publisher.published.slice(before).flat();
    },
    async users(count) {
      const ids = Array.from({ length: count }, () => randomUUID());
      await upsertUsers.execute(ids.map((userId) => ({ userId, username: `user-${userId.slice(0, 8)}` })));
      return ids;
    },
    async close() {
      await moduleRef.close();
      await db.stop();
    },
  };
}

let requests = 0;

/** Where the answer of a command goes; the request id is unique so answers can be matched. */
export function replyTo(): ReplyTo {
  requests += 1;
  return { gatewayId: 'gw-test', connectionId: '7d6f1c1e-8a34-4c55-9a57-0d3c6d0b2f11', requestId: `req-${requests}` };
}

/** Commands as the gateway would produce them. */
export const commands = {
  send: (senderId: string, conversationId: string, clientMsgId: string, body = `message ${clientMsgId}`) =>
    SendMessageCommand.create({ senderId, conversationId, clientMsgId, body, kind: 'text', replyTo: replyTo() }),
  receipt: (userId: string, conversationId: string, seq: number, status: ReceiptStatus) =>
    ReceiptCommand.create({ userId, conversationId, seq, status, replyTo: replyTo() }),
  openDirect: (userId: string, peerId: string) => OpenDirectCommand.create({ userId, peerId, replyTo: replyTo() }),
  createGroup: (userId: string, title: string, memberIds: string[], clientGroupId?: string) =>
    CreateGroupCommand.create({ userId, title, memberIds, ...(clientGroupId === undefined ? {} : { clientGroupId }), replyTo: replyTo() }),
  addMembers: (userId: string, conversationId: string, memberIds: string[]) =>
    AddMembersCommand.create({ userId, conversationId, memberIds, replyTo: replyTo() }),
  removeMember: (userId: string, conversationId: string, memberId: string) =>
    RemoveMemberCommand.create({ userId, conversationId, memberId, replyTo: replyTo() }),
  renameGroup: (userId: string, conversationId: string, title: string) => RenameGroupCommand.create({ userId, conversationId, title, replyTo: replyTo() }),
  setMemberRole: (userId: string, conversationId: string, memberId: string, role: AssignableRole) =>
    SetMemberRoleCommand.create({ userId, conversationId, memberId, role, replyTo: replyTo() }),
  transferOwnership: (userId: string, conversationId: string, memberId: string) =>
    TransferOwnershipCommand.create({ userId, conversationId, memberId, replyTo: replyTo() }),
  sync: (userId: string, cursors: Array<{ conversationId: string; afterSeq: number }>) =>
    SyncRequestCommand.create({ userId, conversations: cursors, replyTo: replyTo() }),
  history: (userId: string, conversationId: string, limit: number, beforeSeq?: number) =>
    HistoryRequestCommand.create({ userId, conversationId, limit, ...(beforeSeq === undefined ? {} : { beforeSeq }), replyTo: replyTo() }),
  list: (userId: string) => ListConversationsRequestCommand.create({ userId, replyTo: replyTo() }),
  /** `context.occurredAt` is when the gateway received it: the announcement's sentAt. */
  announce: (senderId: string, body: string, options: { expiresInSeconds?: number; clientAnnouncementId?: string } = {}, context: EnvelopeContext = {}) =>
    AnnounceCommand.create({ senderId, body, expiresInSeconds: options.expiresInSeconds ?? 3600, ...(options.clientAnnouncementId === undefined ? {} : { clientAnnouncementId: options.clientAnnouncementId }), replyTo: replyTo() }, context),
};

/** The records published to chat.events, decoded as the router would. */
export function events(effects: Effect[]): ChatEventEnvelope[] {
  return effects.filter((effect) => effect.topic === Topics.events.name).map((effect) => ChatEvents.parse(effect.envelope));
}

/** The announcements published to chat.announcements, decoded as the router would. */
export function publishedAnnouncements(effects: Effect[]): Announcement[] {
  return effects.filter((effect) => effect.topic === Topics.announcements.name).map((effect) => AnnouncementPublished.parse(effect.envelope).payload.announcement);
}

export function membershipChanges(effects: Effect[]): Array<EnvelopeOf<typeof MembershipChanged>['payload']> {
  return effects.filter((effect) => effect.topic === Topics.memberships.name).map((effect) => MembershipChanged.parse(effect.envelope).payload);
}

/** The frames answering `command`, in order. */
export function answersTo(effects: Effect[], command: ChatCommandEnvelope): ServerFrame[] {
  return events(effects).flatMap((event) => {
    if (event.type === 'chat.command-answers' && event.payload.replyTo.requestId === command.payload.replyTo.requestId) return event.payload.frames;
    return [];
  });
}

/** The single answer to `command`, narrowed to the expected frame type. */
export function answerTo<T extends ServerFrame['type']>(effects: Effect[], command: ChatCommandEnvelope, type: T): Extract<ServerFrame, { type: T }> {
  const frames = answersTo(effects, command);
  if (frames.length !== 1 || frames[0].type !== type) throw new Error(`expected one ${type} answer, got ${JSON.stringify(frames)}`);
  return frames[0] as Extract<ServerFrame, { type: T }>;
}

export function storedMessages(effects: Effect[]) {
  return events(effects).flatMap((event) => (event.type === 'chat.message-stored' ? [event.payload] : []));
}
