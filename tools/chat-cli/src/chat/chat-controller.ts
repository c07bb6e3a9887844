import { randomUUID } from 'node:crypto';
import { type AuthSession, type ChatClient, type ChatClientEvents, ChatRequestError, type ConnectionStateChange, roleOf } from '@chat/client-sdk';
import { type ChatCommand, COMMAND_HELP, CommandError, type WaitCondition } from './commands';
import { CliError, describeFailure } from './errors';
import type { CliEvent, ConversationInfo, EventSink } from './events';
import { ReceiptTracker } from './receipt-tracker';
import { UserDirectory } from './user-directory';

type ChatMessage = ChatClientEvents['message'];
type ConversationSummary = ChatClientEvents['conversation'];

/** Receipts are batched: one per conversation and status within this window (the gateway limits frames per second). */
const RECEIPT_BATCH_MS = 150;
/** A received `typing: true` lapses after this without a refresh (docs/protocol.md). */
const TYPING_EXPIRES_MS = 6_000;
/** While the user types, `typing: true` is repeated this often, and `false` sent after this long idle. */
const TYPING_REFRESH_MS = 3_000;
const TYPING_IDLE_MS = 5_000;
/** /list fetches the last message of at most this many conversations (one history request each). */
const LAST_MESSAGE_LOOKUPS = 15;
const ROLE_ORDER = { owner: 0, admin: 1, member: 2, direct: 2 } as const;

export interface ChatControllerOptions {
  client: ChatClient;
  session: AuthSession;
  username: string;
  emit: EventSink;
  authUrl: string;
  gatewayUrl: string;
  sessionFile: string;
  /** Default deadline of /wait. */
  waitTimeoutMs: number;
  /** /logout: end the session on the server and forget the saved one. */
  logout: () => Promise<void>;
}

interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

/**
 * One logged-in user's chat: turns the SDK's events into CliEvents with names, sends receipts and
 * typing, and carries out the commands. Events are handled one at a time in arrival order (names
 * may need a lookup first), so what is printed never runs ahead of what the waits have seen.
 */
export class ChatController {
  private readonly client: ChatClient;
  private readonly directory: UserDirectory;
  private readonly receipts = new ReceiptTracker();
  private readonly me: string;
  private openId: string | undefined;
  /** The numbering of the last /list, for `/open 2`. */
  private listed: string[] = [];
  /** This process's sends on their way, by clientMsgId: their stored message prints as ✓. */
  private readonly ownSends = new Set<string>();
  /** This user's read position per conversation as sent from here (the server's unread may lag behind it). */
  private readonly readUpTo = new Map<string, number>();
  private readonly unread = new Map<string, number>();
  private readonly lastMessage = new Map<string, { seq: number; senderId: string; body: string }>();
  /** Oldest and newest seq shown of the open conversation (for /history and to skip what a page showed). */
  private oldestShown: number | undefined;
  private newestShown = 0;
  private readonly pendingReceipts = new Map<string, { conversationId: string; status: 'delivered' | 'read'; seq: number }>();
  private receiptTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly typingNow = new Map<string, { conversationId: string; userId: string; timer: ReturnType<typeof setTimeout> }>();
  private typingSentAt = 0;
  private typingIdleTimer: ReturnType<typeof setTimeout> | undefined;
  private typingConversation: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Events of the kinds a /wait consumes (a message, typing, a removal); each matches one wait. */
  private readonly waitable: CliEvent[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly unsubscribe: Array<() => void> = [];
  private everReady = false;
  /** Connected and caught up, as last told (`ready`), until a `state` says otherwise. */
  private live = false;
  private readonly firstReady: Promise<void>;
  private markReady: () => void = () => undefined;

  constructor(private readonly options: ChatControllerOptions) {
    this.client = options.client;
    this.firstReady = new Promise((resolve) => (this.markReady = resolve));
    this.me = options.session.userId;
    this.directory = new UserDirectory((query) => options.session.lookupUsers(query));
    this.directory.remember({ userId: this.me, username: options.username });
    const on = <K extends keyof ChatClientEvents>(event: K, handle: (value: ChatClientEvents[K]) => Promise<void> | void) =>
      this.unsubscribe.push(this.client.on(event, (value) => this.serial(() => handle(value))));
    on('message', (message) => this.onMessage(message));
    on('receipt', (receipt) => this.onReceipt(receipt));
    on('typing', (typing) => this.onTyping(typing));
    on('memberAdded', (frame) => this.onMembership('added', frame.conversationId, frame.userIds, frame.by));
    on('memberRemoved', (frame) => this.onMembership('removed', frame.conversationId, [frame.userId], frame.by));
    on('announcement', async (announcement) => {
      await this.directory.resolve([announcement.senderId]);
      this.emit({ event: 'announcement', announcementId: announcement.announcementId, from: this.directory.nameOf(announcement.senderId), body: announcement.body, sentAt: announcement.sentAt, expiresAt: announcement.expiresAt });
    });
    on('state', (change) => this.onState(change));
    on('synced', async ({ reconnected }) => {
      if (!reconnected && this.everReady) return;
      this.everReady = true;
      await this.knowConversations();
      this.live = true;
      this.emit({ event: 'ready', userId: this.me, username: this.options.username, conversations: this.client.conversationIds().filter((id) => this.isMember(id)).length, reconnected });
      this.markReady();
    });
    on('error', (error) => {
      // A send's refusal reaches the command that sent it; everything else is told here.
      if (error instanceof ChatRequestError && error.requestType === 'send') return;
      this.emit({ event: 'error', ...describeFailure(error, this.failureContext()) });
    });
  }

  /** Resolves once the first `ready` was told (connected, caught up, conversations named). */
  whenReady(): Promise<void> {
    return this.firstReady;
  }

  get openConversationId(): string | undefined {
    return this.openId;
  }

  /** Names of the users typing in the open conversation now (for the prompt). */
  typingInOpen(): string[] {
    return [...this.typingNow.values()].filter((entry) => entry.conversationId === this.openId).map((entry) => this.directory.nameOf(entry.userId));
  }

  /** The open conversation's name, for the prompt. */
  openName(): string | undefined {
    return this.openId === undefined ? undefined : this.nameOf(this.openId);
  }

  dispose(): void {
    for (const stop of this.unsubscribe) stop();
    clearTimeout(this.receiptTimer);
    clearTimeout(this.typingIdleTimer);
    for (const entry of this.typingNow.values()) clearTimeout(entry.timer);
  }

  /** Sends pending receipts now (before exiting). */
  flushReceipts(): void {
    clearTimeout(this.receiptTimer);
    this.receiptTimer = undefined;
    if (this.client.state !== 'ready') return;
    for (const receipt of this.pendingReceipts.values()) {
      if (receipt.status === 'read') this.client.markRead(receipt.conversationId, receipt.seq);
      else this.client.markDelivered(receipt.conversationId, receipt.seq);
    }
    this.pendingReceipts.clear();
  }

  // ---- commands ---------------------------------------------------------------------------------

  /** Carries out one command; rejects with an error describeFailure explains. Resolves 'quit' when the session should end. */
  async execute(command: ChatCommand): Promise<'quit' | undefined> {
    switch (command.kind) {
      case 'send':
        await this.send(command.text);
        return undefined;
      case 'help':
        this.emit({ event: 'info', text: helpText() });
        return undefined;
      case 'list':
        await this.list();
        return undefined;
      case 'open':
        await this.open(command.target);
        return undefined;
      case 'history':
        await this.olderHistory(command.count);
        return undefined;
      case 'group':
        await this.createGroup(command.title, command.usernames);
        return undefined;
      case 'add': {
        const conversationId = this.openGroup('/add');
        const { found } = await this.findUsers(command.usernames);
        await this.client.addMembers(conversationId, found.map((user) => user.userId));
        this.emitConversation('updated', conversationId);
        return undefined;
      }
      case 'remove': {
        const conversationId = this.openGroup('/remove');
        const { found } = await this.findUsers([command.username]);
        const user = found[0] as { userId: string };
        if (user.userId === this.me) throw new CommandError('to leave the group, use /leave');
        await this.client.removeMember(conversationId, user.userId);
        this.emitConversation('updated', conversationId);
        return undefined;
      }
      case 'leave': {
        const conversationId = this.openGroup('/leave');
        await this.client.removeMember(conversationId, this.me);
        this.emit({ event: 'info', text: `you left ${this.nameOf(conversationId)}` });
        this.openId = undefined;
        return undefined;
      }
      case 'rename': {
        const conversationId = this.openGroup('/rename');
        await this.client.renameGroup(conversationId, command.title);
        this.emitConversation('updated', conversationId);
        return undefined;
      }
      case 'members':
        await this.members();
        return undefined;
      case 'typing':
        this.client.typing(this.requireOpen('/typing'), command.active);
        return undefined;
      case 'announce': {
        const announcement = await this.client.announce(command.text, command.expiresInSeconds === undefined ? {} : { expiresInSeconds: command.expiresInSeconds });
        this.emit({ event: 'info', text: `announced until ${new Date(announcement.expiresAt).toISOString()}` });
        return undefined;
      }
      case 'wait':
        await this.wait(command.condition, command.timeoutMs ?? this.options.waitTimeoutMs);
        return undefined;
      case 'whoami':
        this.emit({
          event: 'info',
          text: `${this.options.username} (${this.me}) on ${this.options.gatewayUrl}, auth ${this.options.authUrl}, ${this.client.state}; session saved in ${this.options.sessionFile}`,
        });
        return undefined;
      case 'logout':
        this.flushReceipts();
        await this.options.logout();
        this.emit({ event: 'info', text: 'logged out; the saved session is deleted' });
        return 'quit';
      case 'quit':
        return 'quit';
    }
  }

  /** The user is typing into the prompt (the terminal calls this per key). */
  userTyping(line: string): void {
    const conversationId = this.openId;
    if (conversationId === undefined || this.client.state !== 'ready') return;
    if (line === '' || line.startsWith('/')) {
      this.stopTyping();
      return;
    }
    const now = Date.now();
    if (this.typingConversation !== conversationId || now - this.typingSentAt >= TYPING_REFRESH_MS) {
      if (this.typingConversation !== undefined && this.typingConversation !== conversationId) this.client.typing(this.typingConversation, false);
      this.client.typing(conversationId, true);
      this.typingSentAt = now;
      this.typingConversation = conversationId;
    }
    clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping(): void {
    clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = undefined;
    if (this.typingConversation !== undefined && this.client.state === 'ready') this.client.typing(this.typingConversation, false);
    this.typingConversation = undefined;
    this.typingSentAt = 0;
  }

  private async send(text: string): Promise<void> {
    const conversationId = this.requireOpen('sending', 'open a conversation first: /list, then /open <number|username|group title>');
    this.stopTyping();
    const clientMsgId = randomUUID();
    this.ownSends.add(clientMsgId);
    try {
      await this.client.sendAndWaitStored(conversationId, text, { clientMsgId });
    } catch (error) {
      this.ownSends.delete(clientMsgId);
      throw new CliError(describeFailure(error).code, `not sent: ${describeFailure(error, this.failureContext(conversationId)).message}`);
    }
    // The stored message came through the event queue ('sent'); a wait after this sees it.
    await this.serial(() => undefined);
  }

  private async list(): Promise<void> {
    await this.knowConversations(true);
    const ids = this.sortedConversations();
    await Promise.all(ids.slice(0, LAST_MESSAGE_LOOKUPS).map((id) => this.fetchLastMessage(id)));
    this.listed = ids;
    await this.serial(async () => {
      const items = await Promise.all(ids.map((id) => this.info(id)));
      this.emit({ event: 'conversations', items });
    });
  }

  private async open(target: string): Promise<void> {
    const conversationId = await this.resolveTarget(target);
    this.stopTyping();
    await this.serial(async () => {
      this.openId = conversationId;
      this.oldestShown = undefined;
      this.newestShown = 0;
      this.emitConversation('opened', conversationId, await this.info(conversationId));
      const page = await this.client.history(conversationId, { limit: 20 });
      await this.directory.resolve(page.messages.map((message) => message.senderId));
      for (const message of page.messages) this.showHistoryMessage(message);
      this.emit({ event: 'history', conversationId, conversation: this.nameOf(conversationId), count: page.messages.length, hasMore: page.hasMore, older: false });
      const newest = Math.max(this.newestShown, this.client.conversation(conversationId).lastSeq);
      if (newest > 0) this.queueReceipt(conversationId, 'read', newest);
      this.unread.set(conversationId, 0);
    });
  }

  private async olderHistory(count: number): Promise<void> {
    const conversationId = this.requireOpen('/history');
    const before = this.oldestShown;
    if (before !== undefined && before <= 1) {
      this.emit({ event: 'history', conversationId, conversation: this.nameOf(conversationId), count: 0, hasMore: false, older: true });
      return;
    }
    const page = await this.client.history(conversationId, before === undefined ? { limit: count } : { beforeSeq: before, limit: count });
    await this.serial(async () => {
      await this.directory.resolve(page.messages.map((message) => message.senderId));
      for (const message of page.messages) this.showHistoryMessage(message);
      this.emit({ event: 'history', conversationId, conversation: this.nameOf(conversationId), count: page.messages.length, hasMore: page.hasMore, older: true });
    });
  }

  private async createGroup(title: string, usernames: string[]): Promise<void> {
    const { found } = await this.findUsers(usernames);
    const others = found.filter((user) => user.userId !== this.me);
    if (others.length === 0) throw new CommandError('a group needs at least one other member');
    const group = await this.client.createGroup(title, others.map((user) => user.userId));
    await this.serial(async () => {
      this.openId = group.conversationId;
      this.oldestShown = undefined;
      this.newestShown = 0;
      this.emitConversation('created', group.conversationId, await this.info(group.conversationId, group));
    });
  }

  private async members(): Promise<void> {
    const conversationId = this.requireOpen('/members');
    const summary = this.client.conversation(conversationId).summary;
    if (!summary) throw new CliError('not_found', 'the open conversation is not known yet; try /list');
    await this.directory.resolve(summary.memberIds);
    this.emit({
      event: 'members',
      conversationId,
      conversation: this.nameOf(conversationId),
      // The owner first, then admins, then members, each in the order they joined.
      members: summary.memberIds
        .map((userId) => ({ username: this.directory.nameOf(userId), role: roleOf(summary, userId) ?? ('direct' as const) }))
        .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]),
    });
  }

  // ---- waits ------------------------------------------------------------------------------------

  private async wait(condition: WaitCondition, timeoutMs: number): Promise<void> {
    const check = this.conditionCheck(condition);
    const label = describeCondition(condition);
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new CliError('wait_timeout', `gave up waiting for ${label} after ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiters.add(waiter);
      if (check()) waiter.resolve();
    });
    this.emit({ event: 'waited', condition: label });
  }

  /** A check that is true once the condition holds; event conditions consume the event they matched. */
  private conditionCheck(condition: WaitCondition): () => boolean {
    const consume = (matches: (event: CliEvent) => boolean) => () => {
      const index = this.waitable.findIndex(matches);
      if (index === -1) return false;
      this.waitable.splice(index, 1);
      return true;
    };
    const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    switch (condition.kind) {
      case 'message':
        return consume((event) => event.event === 'message' && !event.mine && event.body === condition.text);
      case 'typing':
        return consume((event) => event.event === 'typing' && event.active && sameName(event.user, condition.username));
      case 'removed':
        return consume((event) => event.event === 'member' && event.change === 'removed' && event.users.some((user) => sameName(user, condition.username)));
      case 'announcement':
        return () => this.client.announcements().some((announcement) => announcement.body === condition.text);
      case 'conversation':
        return () => this.client.conversationIds().some((id) => this.isMember(id) && sameName(this.nameOf(id), condition.name));
      case 'online':
        return () => this.live && this.client.state === 'ready';
      case 'delivered':
      case 'read': {
        const conversationId = this.requireOpen(`/wait ${condition.kind}`);
        const last = this.receipts.lastMine(conversationId);
        if (last === undefined) throw new CliError('nothing_sent', `/wait ${condition.kind}: you have sent nothing in ${this.nameOf(conversationId)} yet`);
        const summary = this.client.conversation(conversationId).summary;
        let userIds = (summary?.memberIds ?? []).filter((id) => id !== this.me);
        if (condition.username !== undefined) {
          const wanted = condition.username.toLowerCase();
          const matching = userIds.filter((id) => this.directory.nameOf(id).toLowerCase() === wanted);
          if (matching.length === 0) throw new CliError('not_member', `${condition.username} is not a member of ${this.nameOf(conversationId)}`);
          userIds = matching;
        }
        return () => userIds.every((id) => this.receipts.position(conversationId, id, condition.kind) >= last);
      }
    }
  }

  private emit(event: CliEvent): void {
    if (event.event === 'message' || event.event === 'typing' || event.event === 'member') this.waitable.push(event);
    this.options.emit(event);
    for (const waiter of [...this.waiters]) if (waiter.check()) waiter.resolve();
  }

  // ---- events -----------------------------------------------------------------------------------

  /** Runs `task` after every event before it; a failure is told, not thrown. */
  private serial(task: () => Promise<void> | void): Promise<void> {
    const run = this.queue.then(task).catch((error: unknown) => this.emit({ event: 'error', ...describeFailure(error, this.failureContext()) }));
    this.queue = run;
    return run;
  }

  private async onMessage(message: ChatMessage): Promise<void> {
    const { conversationId } = message;
    if (this.client.conversation(conversationId).summary === undefined) await this.knowConversations(true);
    await this.directory.resolve([message.senderId, ...(this.client.conversation(conversationId).summary?.memberIds ?? [])]);
    this.lastMessage.set(conversationId, { seq: message.seq, senderId: message.senderId, body: message.body });
    const mine = message.senderId === this.me;
    if (mine) {
      this.receipts.noteMine(conversationId, message.seq);
      this.readUpTo.set(conversationId, Math.max(this.readUpTo.get(conversationId) ?? 0, message.seq));
    }
    const open = conversationId === this.openId;
    if (open && message.seq <= this.newestShown) return;
    if (open) this.newestShown = message.seq;
    if (mine && this.ownSends.delete(message.clientMsgId)) {
      this.emit({ event: 'sent', conversationId, conversation: this.nameOf(conversationId), seq: message.seq, clientMsgId: message.clientMsgId });
      return;
    }
    if (!mine) {
      this.queueReceipt(conversationId, open ? 'read' : 'delivered', message.seq);
      if (!open) this.unread.set(conversationId, (this.unread.get(conversationId) ?? this.unreadFromServer(conversationId)) + 1);
    }
    this.emit(this.messageEvent(message, { open, history: false }));
  }

  private async onReceipt(receipt: ChatClientEvents['receipt']): Promise<void> {
    if (receipt.userId === this.me) return;
    await this.directory.resolve([receipt.userId]);
    const covers = this.receipts.apply(receipt);
    this.emit({
      event: 'receipt',
      conversationId: receipt.conversationId,
      conversation: this.nameOf(receipt.conversationId),
      user: this.directory.nameOf(receipt.userId),
      userId: receipt.userId,
      status: receipt.status,
      seq: receipt.seq,
      covers,
    });
  }

  private async onTyping(typing: ChatClientEvents['typing']): Promise<void> {
    if (typing.userId === this.me) return;
    await this.directory.resolve([typing.userId]);
    const key = `${typing.conversationId} ${typing.userId}`;
    const known = this.typingNow.get(key);
    if (known) clearTimeout(known.timer);
    if (typing.active) {
      const timer = setTimeout(() => void this.serial(() => this.expireTyping(key)), TYPING_EXPIRES_MS);
      this.typingNow.set(key, { conversationId: typing.conversationId, userId: typing.userId, timer });
      // A refresh of someone already typing is no news.
      if (known) return;
    } else {
      this.typingNow.delete(key);
      if (!known) return;
    }
    this.emitTyping(typing.conversationId, typing.userId, typing.active);
  }

  private expireTyping(key: string): void {
    const entry = this.typingNow.get(key);
    if (!entry) return;
    this.typingNow.delete(key);
    this.emitTyping(entry.conversationId, entry.userId, false);
  }

  private emitTyping(conversationId: string, userId: string, active: boolean): void {
    this.emit({ event: 'typing', conversationId, conversation: this.nameOf(conversationId), user: this.directory.nameOf(userId), userId, active });
  }

  private async onMembership(change: 'added' | 'removed', conversationId: string, userIds: string[], by: string): Promise<void> {
    const me = userIds.includes(this.me);
    // A conversation this user just joined is listed (and named) only after list_conversations.
    if (this.client.conversation(conversationId).summary === undefined || (me && change === 'added')) await this.knowConversations(true);
    await this.directory.resolve([...userIds, by, ...(this.client.conversation(conversationId).summary?.memberIds ?? [])]);
    this.emit({
      event: 'member',
      change,
      conversationId,
      conversation: this.nameOf(conversationId),
      users: userIds.map((id) => this.directory.nameOf(id)),
      by: this.directory.nameOf(by),
      me,
    });
  }

  private onState(change: ConnectionStateChange): void {
    if (change.state === 'reconnecting' || change.state === 'closed') this.live = false;
    switch (change.state) {
      case 'reconnecting':
        this.emit({
          event: 'state',
          state: 'reconnecting',
          firstConnect: !this.everReady,
          ...(change.attempt === undefined ? {} : { attempt: change.attempt }),
          ...(change.delayMs === undefined ? {} : { delayMs: change.delayMs }),
          ...(change.closeCode === undefined ? {} : { closeCode: change.closeCode }),
          ...(change.closeReason ? { reason: change.closeReason } : {}),
        });
        break;
      case 'closed':
        this.emit({
          event: 'state',
          state: 'closed',
          firstConnect: !this.everReady,
          ...(change.closeCode === undefined ? {} : { closeCode: change.closeCode }),
          ...(change.error ? { reason: describeFailure(change.error, this.failureContext()).message } : {}),
        });
        break;
      default:
        break;
    }
  }

  // ---- conversations ----------------------------------------------------------------------------

  /** Fetches the conversation list (the SDK keeps the summaries) and the members' names. */
  private async knowConversations(refresh = false): Promise<void> {
    if (refresh) await this.client.listConversations();
    const ids = this.client.conversationIds();
    await this.directory.resolve(ids.flatMap((id) => this.client.conversation(id).summary?.memberIds ?? []));
  }

  private isMember(conversationId: string): boolean {
    return this.client.conversation(conversationId).summary?.memberIds.includes(this.me) ?? false;
  }

  /** Most recently active first. */
  private sortedConversations(): string[] {
    const activity = (id: string) => this.client.conversation(id).summary?.lastSeq ?? 0;
    return this.client.conversationIds().filter((id) => this.isMember(id)).sort((a, b) => (this.lastMessage.get(b)?.seq !== undefined ? 1 : 0) - (this.lastMessage.get(a)?.seq !== undefined ? 1 : 0) || activity(b) - activity(a));
  }

  private async fetchLastMessage(conversationId: string): Promise<void> {
    const lastSeq = this.client.conversation(conversationId).summary?.lastSeq ?? 0;
    if (lastSeq === 0 || (this.lastMessage.get(conversationId)?.seq ?? 0) >= lastSeq) return;
    const page = await this.client.history(conversationId, { limit: 1 });
    const last = page.messages.at(-1);
    if (last && (this.lastMessage.get(conversationId)?.seq ?? 0) < last.seq) this.lastMessage.set(conversationId, { seq: last.seq, senderId: last.senderId, body: last.body });
  }

  private unreadFromServer(conversationId: string): number {
    const summary = this.client.conversation(conversationId).summary;
    if (!summary) return 0;
    const readLocally = this.readUpTo.get(conversationId) ?? 0;
    return Math.max(0, Math.min(summary.unread, summary.lastSeq - readLocally));
  }

  nameOf(conversationId: string): string {
    const summary = this.client.conversation(conversationId).summary;
    if (!summary) return `conversation ${conversationId.slice(0, 8)}`;
    if (summary.kind === 'group') return summary.title ?? 'untitled group';
    const other = summary.memberIds.find((id) => id !== this.me) ?? this.me;
    return this.directory.nameOf(other);
  }

  private async info(conversationId: string, known?: ConversationSummary): Promise<ConversationInfo> {
    const summary = known ?? this.client.conversation(conversationId).summary;
    if (!summary) throw new CliError('not_found', `conversation ${conversationId} is not known`);
    const last = this.lastMessage.get(conversationId);
    await this.directory.resolve([...summary.memberIds, ...(last ? [last.senderId] : [])]);
    const lastSeq = Math.max(summary.lastSeq, last?.seq ?? 0, this.client.conversation(conversationId).lastSeq);
    return {
      conversationId,
      kind: summary.kind,
      name: this.nameOf(conversationId),
      members: summary.memberIds.map((id) => this.directory.nameOf(id)),
      ...(summary.kind === 'group' && summary.ownerId ? { owner: this.directory.nameOf(summary.ownerId) } : {}),
      ...(summary.kind === 'group' ? { admins: (summary.adminIds ?? []).map((id) => this.directory.nameOf(id)) } : {}),
      lastSeq,
      unread: this.unread.get(conversationId) ?? this.unreadFromServer(conversationId),
      ...(last ? { lastMessage: { seq: last.seq, from: last.senderId === this.me ? 'you' : this.directory.nameOf(last.senderId), body: last.body } } : {}),
    };
  }

  private emitConversation(action: 'opened' | 'created' | 'updated' | 'closed', conversationId: string, info?: ConversationInfo): void {
    if (info) {
      this.emit({ event: 'conversation', action, ...info });
      return;
    }
    void this.info(conversationId).then(
      (known) => this.emit({ event: 'conversation', action, ...known }),
      () => undefined,
    );
  }

  /** `/open` by list number, group title, the username of a direct chat, or any username (starts a direct chat). */
  private async resolveTarget(target: string): Promise<string> {
    await this.knowConversations();
    if (/^\d+$/.test(target)) {
      const byNumber = this.listed[Number(target) - 1];
      if (byNumber !== undefined) return byNumber;
      throw new CommandError(this.listed.length === 0 ? `no conversation number ${target}: /list numbers them` : `no conversation number ${target}: /list shows 1–${this.listed.length}`);
    }
    const wanted = target.toLowerCase();
    const known = this.client.conversationIds().filter((id) => this.isMember(id) && this.nameOf(id).toLowerCase() === wanted);
    const group = known.find((id) => this.client.conversation(id).summary?.kind === 'group');
    if (group !== undefined) return group;
    if (known[0] !== undefined) return known[0];
    const { found, missing } = await this.directory.find([target]);
    const user = found[0];
    if (!user) throw new CliError('unknown_user', `no conversation and no user named ${missing[0] ?? target}`);
    if (user.userId === this.me) throw new CliError('invalid', 'that is you: a direct chat needs someone else');
    const direct = await this.client.openDirect(user.userId);
    return direct.conversationId;
  }

  private async findUsers(usernames: readonly string[]): Promise<{ found: Array<{ userId: string; username: string }> }> {
    const { found, missing } = await this.directory.find(usernames);
    if (missing.length > 0) throw new CliError('unknown_user', `no user named ${missing.join(', ')}`);
    return { found };
  }

  private requireOpen(what: string, hint = 'open a conversation first (/open)'): string {
    if (this.openId === undefined) throw new CliError('no_conversation', `${what}: no conversation is open; ${hint}`);
    return this.openId;
  }

  private openGroup(what: string): string {
    const conversationId = this.requireOpen(what, 'open a group first (/open <title>)');
    if (this.client.conversation(conversationId).summary?.kind !== 'group') throw new CliError('not_group', `${what}: ${this.nameOf(conversationId)} is a direct chat, not a group`);
    return conversationId;
  }

  private failureContext(conversationId = this.openId): { conversation?: string; authUrl: string; gatewayUrl: string } {
    return { ...(conversationId === undefined ? {} : { conversation: this.nameOf(conversationId) }), authUrl: this.options.authUrl, gatewayUrl: this.options.gatewayUrl };
  }

  private showHistoryMessage(message: ChatMessage): void {
    const mine = message.senderId === this.me;
    if (mine) this.receipts.noteMine(message.conversationId, message.seq);
    this.oldestShown = Math.min(this.oldestShown ?? message.seq, message.seq);
    this.newestShown = Math.max(this.newestShown, message.seq);
    const known = this.lastMessage.get(message.conversationId);
    if (!known || known.seq < message.seq) this.lastMessage.set(message.conversationId, { seq: message.seq, senderId: message.senderId, body: message.body });
    this.emit(this.messageEvent(message, { open: true, history: true }));
  }

  private messageEvent(message: ChatMessage, where: { open: boolean; history: boolean }): CliEvent {
    return {
      event: 'message',
      conversationId: message.conversationId,
      conversation: this.nameOf(message.conversationId),
      seq: message.seq,
      from: this.directory.nameOf(message.senderId),
      fromId: message.senderId,
      mine: message.senderId === this.me,
      body: message.body,
      sentAt: message.sentAt,
      ...where,
    };
  }

  private queueReceipt(conversationId: string, status: 'delivered' | 'read', seq: number): void {
    if (status === 'read') {
      if ((this.readUpTo.get(conversationId) ?? 0) >= seq) return;
      this.readUpTo.set(conversationId, seq);
      this.pendingReceipts.delete(`${conversationId} delivered`);
    }
    const key = `${conversationId} ${status}`;
    const pending = this.pendingReceipts.get(key);
    if (status === 'delivered' && (this.pendingReceipts.get(`${conversationId} read`)?.seq ?? 0) >= seq) return;
    this.pendingReceipts.set(key, { conversationId, status, seq: Math.max(seq, pending?.seq ?? 0) });
    this.receiptTimer ??= setTimeout(() => this.flushReceipts(), RECEIPT_BATCH_MS);
  }
}

function helpText(): string {
  const width = Math.max(...COMMAND_HELP.map((entry) => entry.usage.length));
  return ['commands:', ...COMMAND_HELP.map((entry) => `  ${entry.usage.padEnd(width)}  ${entry.does}`)].join('\n');
}

export function describeCondition(condition: WaitCondition): string {
  switch (condition.kind) {
    case 'message':
      return `a message "${condition.text}"`;
    case 'typing':
      return `${condition.username} typing`;
    case 'removed':
      return `${condition.username} leaving or being removed`;
    case 'announcement':
      return `the announcement "${condition.text}"`;
    case 'conversation':
      return `a conversation named ${condition.name}`;
    case 'online':
      return 'the connection';
    case 'delivered':
    case 'read':
      return `your last message ${condition.kind} by ${condition.username ?? 'every other member'}`;
  }
}
