import { randomBytes } from 'node:crypto';
import { AuthClient, AuthSession, ChatClient, type ChatClientOptions, ConnectionClosedError, type ConnectionStateChange } from '@chat/client-sdk';
import { nodeSocketFactory } from '@chat/client-sdk/node';
import type { ChatMessage, ServerFrame, ServerFrameOf } from '@chat/protocol';
import type { ChatSuite } from './chat-suite';
import { uniqueName } from './environment';

/** A registered, logged-in user. */
export interface TestUser {
  username: string;
  password: string;
  userId: string;
  session: AuthSession;
}

/**
 * One connected device of a user, recording what its user would see: the messages the SDK hands
 * to the app (ordered, deduplicated), presence changes, errors, and every raw frame on the wire.
 */
export class TestDevice {
  readonly messages: ChatMessage[] = [];
  readonly presence: ServerFrameOf<'presence'>[] = [];
  readonly memberAdded: ServerFrameOf<'member_added'>[] = [];
  readonly memberRemoved: ServerFrameOf<'member_removed'>[] = [];
  readonly groupUpdated: ServerFrameOf<'group_updated'>[] = [];
  readonly receipts: ServerFrameOf<'receipt'>[] = [];
  readonly typing: ServerFrameOf<'typing'>[] = [];
  readonly errors: Error[] = [];
  readonly states: ConnectionStateChange[] = [];
  readonly frames: ServerFrame[] = [];

  constructor(
    readonly user: TestUser,
    readonly client: ChatClient,
  ) {
    client.on('message', (message) => this.messages.push(message));
    client.on('presence', (frame) => this.presence.push(frame));
    client.on('memberAdded', (frame) => this.memberAdded.push(frame));
    client.on('memberRemoved', (frame) => this.memberRemoved.push(frame));
    client.on('groupUpdated', (frame) => this.groupUpdated.push(frame));
    client.on('receipt', (frame) => this.receipts.push(frame));
    client.on('typing', (frame) => this.typing.push(frame));
    client.on('error', (error) => this.errors.push(error));
    client.on('state', (change) => this.states.push(change));
    client.on('frame', (frame) => this.frames.push(frame));
  }

  /** The messages of one conversation as the app received them: [seq, body] in arrival order. */
  seen(conversationId: string): Array<[number, string]> {
    return this.messages.filter((m) => m.conversationId === conversationId).map((m) => [m.seq, m.body]);
  }

  /** How many `message` frames for each seq of a conversation came over the wire (before the SDK's dedupe). */
  wireCounts(conversationId: string): Map<number, number> {
    const counts = new Map<number, number>();
    for (const frame of this.frames) {
      if (frame.type === 'message' && frame.conversationId === conversationId) counts.set(frame.seq, (counts.get(frame.seq) ?? 0) + 1);
    }
    return counts;
  }

  /** Whether this device was told that `userId` is online (true), offline (false), or nothing yet. */
  lastPresenceOf(userId: string): boolean | undefined {
    return this.presence.filter((frame) => frame.userId === userId).at(-1)?.online;
  }
}

/** Registers users with unique names and connects their devices; closes every device it made. */
export class ChatUsers {
  private readonly devices: TestDevice[] = [];

  constructor(private readonly suite: () => ChatSuite) {}

  get auth(): AuthClient {
    return new AuthClient(this.suite().authUrl);
  }

  /** Registers a new user over REST and logs in. */
  async register(prefix = 'user'): Promise<TestUser> {
    const username = uniqueName(prefix).slice(0, 32);
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const auth = this.auth;
    const registered = await auth.register(username, password);
    const session = await AuthSession.login(auth, username, password);
    if (session.userId !== registered.userId) throw new Error(`login returned ${session.userId}, registration ${registered.userId}`);
    return { username, password, userId: registered.userId, session };
  }

  async registerMany(count: number, prefix = 'user'): Promise<TestUser[]> {
    return Promise.all(Array.from({ length: count }, (_, i) => this.register(`${prefix}${i + 1}`)));
  }

  /** Connects a new device of `user` to gateway `gateway` and waits until it has caught up. */
  async connect(user: TestUser, { gateway = 0, options = {} }: { gateway?: number; options?: ChatClientOptions } = {}): Promise<TestDevice> {
    const client = new ChatClient({ socketFactory: nodeSocketFactory(), requestTimeoutMs: 20_000, storedTimeoutMs: 30_000, reconnect: { minDelayMs: 100, maxDelayMs: 2_000 }, ...options });
    const device = new TestDevice(user, client);
    this.devices.push(device);
    await client.connect(this.suite().gatewayUrl(gateway), user.session.tokenProvider);
    return device;
  }

  closeAll(): void {
    for (const device of this.devices.splice(0)) device.client.close();
  }
}

/** Registers the per-file user registry and closes the devices after each test. */
/** The close code that ended a device's connection, once it has. */
export function closeCodeOf(device: TestDevice): number {
  const closed = device.states.find((change) => change.state === 'closed');
  if (!closed) throw new Error(`device of ${device.user.username} still ${device.client.state}`);
  const code = closed.error instanceof ConnectionClosedError ? closed.error.closeCode : undefined;
  if (code === undefined) throw new Error(`closed without a close code: ${String(closed.error)}`);
  return code;
}

export function useChatUsers(suite: () => ChatSuite): ChatUsers {
  const users = new ChatUsers(suite);
  afterEach(() => users.closeAll());
  return users;
}
