import { AuthError, AuthSession, ChatClient, ChatRequestError, type ConnectionStateChange, type TokenPair } from '@chat/client-sdk';
import type { Announcement, ChatMessage, ConversationSummary } from '@chat/wire';
import { applyReceipt, conversationTitle, deliveryStatus, type DeliveryStatus, mergeMessages, parseUsernames, type ReceiptPosition, typingNow, unreadCount } from './model';
import { forgetSession, saveSession, type SavingAuthClient } from './saved-session';

/*
 * Everything the web client shows, kept from the SDK's events: conversations with their messages,
 * receipts, typing and unread counts, who is online, announcements, the connection's state. The
 * components read it and call its actions; every change bumps `version` and tells the subscribers.
 * The SDK does the hard parts (order, dedupe, catch-up and resend after a reconnect); this only
 * remembers what it said.
 */

/** Messages fetched per history page (scroll-back). */
const PAGE_SIZE = 30;
/** Refresh our own typing indicator this often while typing; others expire it after TYPING_TTL_MS. */
const TYPING_REFRESH_MS = 3_000;
const TYPING_TTL_MS = 6_000;
/** Application pings: a socket over a network that went away is noticed within about this + the request timeout. */
const PING_INTERVAL_MS = 10_000;

export interface PendingMessage {
  clientMsgId: string;
  body: string;
  error?: string;
}

export interface ConversationModel {
  id: string;
  messages: ChatMessage[];
  pending: PendingMessage[];
  /** History has messages before the oldest one held. */
  hasOlder: boolean;
  /** The first page was asked for (opening the conversation, or its preview). */
  historyRequested: boolean;
  loadingOlder: boolean;
  /** Newest seq known (listed, or the newest message held). */
  lastSeq: number;
  /** This user's read position. */
  readSeq: number;
  receipts: Map<string, ReceiptPosition>;
  /** userId → when their typing indicator expires (ms). */
  typing: Map<string, number>;
  /** This user was removed from the group (or left it). */
  removed: boolean;
  /** A summary was seen: readSeq started from its unread count. */
  listed: boolean;
}

export interface ConnectionView {
  change: ConnectionStateChange;
  /** Caught up at least once: a later drop is a reconnect, not the first connect. */
  everReady: boolean;
  /** The browser says it has no network. */
  offline: boolean;
}

export interface ConversationListItem {
  id: string;
  title: string;
  kind: 'direct' | 'group';
  unread: number;
  lastMessage: ChatMessage | undefined;
  /** Direct: the other member is online. Groups: undefined. */
  online: boolean | undefined;
  removed: boolean;
}

type Listener = () => void;

export class ChatStore {
  version = 0;
  selectedId: string | undefined;
  readonly conversations = new Map<string, ConversationModel>();
  readonly announcements: Announcement[] = [];
  readonly online = new Set<string>();
  connection: ConnectionView = { change: { state: 'idle', previous: 'idle' }, everReady: false, offline: !navigator.onLine };
  /** Set when the session ended for good (logged out elsewhere, revoked): the app offers to sign in again. */
  ended: string | undefined;

  private readonly names = new Map<string, string>();
  private readonly lookingUp = new Set<string>();
  private readonly dismissed = new Set<string>();
  private readonly listeners = new Set<Listener>();
  private readonly cleanups: Array<() => void> = [];
  private readonly client: ChatClient;
  private typingSentAt = 0;
  private typingIn: string | undefined;
  private receiptTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly receiptsDue = new Set<string>();
  private relistTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly session: AuthSession,
    readonly username: string,
    private readonly wsUrl: string,
  ) {
    this.names.set(session.userId, username);
    this.client = new ChatClient({ userId: session.userId, newConversations: 'latest', pingIntervalMs: PING_INTERVAL_MS });
    this.wire();
  }

  /** Signs in (a new pair from login or a refresh), keeps the session for a reload, and connects. */
  static start(auth: SavingAuthClient, pair: TokenPair, username: string, wsUrl: string): ChatStore {
    auth.signedInAs(username);
    saveSession({ userId: pair.userId, username, refreshToken: pair.refreshToken });
    const store = new ChatStore(new AuthSession(auth, pair), username, wsUrl);
    store.connect();
    return store;
  }

  get me(): string {
    return this.session.userId;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- reading ----------------------------------------------------------------------------------

  nameOf(userId: string): string {
    return this.names.get(userId) ?? `user ${userId.slice(0, 8)}`;
  }

  summaryOf(id: string): ConversationSummary | undefined {
    return this.client.conversation(id).summary;
  }

  titleOf(id: string): string {
    const summary = this.summaryOf(id);
    return summary ? conversationTitle(summary, this.me, (userId) => this.nameOf(userId)) : 'Conversation';
  }

  list(): ConversationListItem[] {
    const items: ConversationListItem[] = [];
    for (const model of this.conversations.values()) {
      const summary = this.summaryOf(model.id);
      if (!summary) continue;
      const other = summary.kind === 'direct' ? summary.memberIds.find((id) => id !== this.me) : undefined;
      items.push({
        id: model.id,
        title: this.titleOf(model.id),
        kind: summary.kind,
        unread: model.removed ? 0 : unreadCount(model.lastSeq, model.readSeq),
        lastMessage: model.messages.at(-1),
        online: other === undefined ? undefined : this.online.has(other),
        removed: model.removed,
      });
    }
    // Newest activity first; conversations without messages after them, by title.
    return items.sort((a, b) => (b.lastMessage?.storedAt ?? 0) - (a.lastMessage?.storedAt ?? 0) || a.title.localeCompare(b.title));
  }

  statusOf(model: ConversationModel, message: ChatMessage): DeliveryStatus {
    return deliveryStatus(message.seq, this.me, this.summaryOf(model.id)?.memberIds ?? [], model.receipts);
  }

  typistsIn(model: ConversationModel): string[] {
    return typingNow(model.typing, this.me, Date.now()).map((id) => this.nameOf(id));
  }

  visibleAnnouncements(): Announcement[] {
    const now = Date.now();
    return this.announcements.filter((a) => !this.dismissed.has(a.announcementId) && a.expiresAt > now);
  }

  // ---- actions ----------------------------------------------------------------------------------

  select(id: string | undefined): void {
    this.selectedId = id;
    this.stopTyping();
    if (id !== undefined) {
      const model = this.model(id);
      if (!model.historyRequested) void this.loadOlder(id);
      this.markRead(id);
    }
    this.changed();
  }

  send(body: string): void {
    const id = this.selectedId;
    if (id === undefined || body.trim() === '') return;
    const model = this.model(id);
    const clientMsgId = crypto.randomUUID();
    model.pending.push({ clientMsgId, body });
    this.stopTyping();
    this.changed();
    // Waits in the SDK's outbox while disconnected and goes out (once) after the reconnect.
    this.client.sendAndWaitStored(id, body, { clientMsgId }).catch((error: unknown) => {
      const pending = model.pending.find((p) => p.clientMsgId === clientMsgId);
      if (pending) pending.error = describe(error);
      this.changed();
    });
  }

  discardFailed(id: string, clientMsgId: string): void {
    const model = this.model(id);
    model.pending = model.pending.filter((p) => p.clientMsgId !== clientMsgId);
    this.changed();
  }

  /** The composer changed: tell the others we are typing (refreshed every few seconds), or that we stopped. */
  typing(text: string): void {
    const id = this.selectedId;
    if (id === undefined || this.client.state !== 'ready') return;
    if (text.trim() === '') return this.stopTyping();
    const now = Date.now();
    if (this.typingIn === id && now - this.typingSentAt < TYPING_REFRESH_MS) return;
    this.trySend(() => this.client.typing(id, true));
    this.typingIn = id;
    this.typingSentAt = now;
  }

  stopTyping(): void {
    const id = this.typingIn;
    this.typingIn = undefined;
    if (id !== undefined && this.client.state === 'ready') this.trySend(() => this.client.typing(id, false));
  }

  /** The page of messages before the oldest one held (the newest page the first time). */
  async loadOlder(id: string): Promise<void> {
    const model = this.model(id);
    if (model.loadingOlder || (model.historyRequested && !model.hasOlder)) return;
    model.loadingOlder = true;
    model.historyRequested = true;
    this.changed();
    try {
      const oldest = model.messages[0]?.seq;
      const page = await this.client.history(id, oldest === undefined ? { limit: PAGE_SIZE } : { beforeSeq: oldest, limit: PAGE_SIZE });
      this.take(model, page.messages);
      model.hasOlder = page.hasMore;
    } catch (error) {
      // Not connected now: the next open or scroll asks again.
      model.historyRequested = model.messages.length > 0;
      if (!(error instanceof Error && error.name === 'ConnectionClosedError')) this.report(error);
    } finally {
      model.loadingOlder = false;
      this.changed();
    }
  }

  /** Opens (or finds) the direct conversation with `username` and selects it. */
  async startDirect(username: string): Promise<void> {
    const [user] = await this.lookup([username.trim()]);
    if (!user) throw new Error(`no user is called ${username.trim()}`);
    if (user.userId === this.me) throw new Error('that is you: pick someone else');
    const summary = await this.client.openDirect(user.userId);
    this.learn(summary);
    this.select(summary.conversationId);
  }

  async createGroup(title: string, usernames: string): Promise<void> {
    const users = await this.lookupAll(parseUsernames(usernames));
    const summary = await this.client.createGroup(title.trim(), users.map((u) => u.userId).filter((id) => id !== this.me));
    this.learn(summary);
    this.select(summary.conversationId);
  }

  async addMembers(id: string, usernames: string): Promise<void> {
    const users = await this.lookupAll(parseUsernames(usernames));
    if (users.length === 0) throw new Error('name at least one user');
    this.learn(await this.client.addMembers(id, users.map((u) => u.userId)));
  }

  async removeMember(id: string, userId: string): Promise<void> {
    this.learn(await this.client.removeMember(id, userId));
  }

  async leave(id: string): Promise<void> {
    await this.client.removeMember(id, this.me);
    this.conversations.delete(id);
    if (this.selectedId === id) this.selectedId = undefined;
    this.changed();
  }

  dismissAnnouncement(announcementId: string): void {
    this.dismissed.add(announcementId);
    this.changed();
  }

  /** Skips the reconnect backoff (the "Retry now" button, the browser coming back online). */
  reconnectNow(): void {
    this.client.reconnect();
  }

  async logout(): Promise<void> {
    this.close();
    forgetSession();
    await this.session.logout().catch(() => undefined);
  }

  close(): void {
    this.client.close();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    if (this.receiptTimer !== undefined) clearTimeout(this.receiptTimer);
    if (this.relistTimer !== undefined) clearTimeout(this.relistTimer);
  }

  // ---- wiring -----------------------------------------------------------------------------------

  private connect(): void {
    this.client.connect(this.wsUrl, this.session.tokenProvider).catch((error: unknown) => {
      // The reason is shown from the `closed` state; a session that ended cannot resume after a reload either.
      this.ended = describe(error);
      forgetSession();
      this.changed();
    });
  }

  private wire(): void {
    const c = this.client;
    this.cleanups.push(
      c.on('state', (change) => {
        this.connection = { ...this.connection, change, everReady: this.connection.everReady || change.state === 'ready' };
        if (change.state === 'closed' && change.error) this.ended = describe(change.error);
        this.changed();
      }),
      c.on('synced', () => this.onSynced()),
      c.on('session', (frame) => {
        this.online.clear();
        for (const id of frame.onlineContactIds) this.online.add(id);
        this.changed();
      }),
      c.on('presence', (frame) => {
        if (frame.online) this.online.add(frame.userId);
        else this.online.delete(frame.userId);
        this.changed();
      }),
      c.on('message', (message) => this.onMessage(message)),
      c.on('receipt', (frame) => {
        const model = this.model(frame.conversationId);
        if (frame.userId === this.me) {
          if (frame.status === 'read') model.readSeq = Math.max(model.readSeq, frame.seq);
        } else {
          model.receipts.set(frame.userId, applyReceipt(model.receipts.get(frame.userId), frame.status, frame.seq));
        }
        this.changed();
      }),
      c.on('typing', (frame) => {
        const model = this.model(frame.conversationId);
        if (frame.active) {
          model.typing.set(frame.userId, Date.now() + TYPING_TTL_MS);
          // Re-render when it runs out, unless it is refreshed (a later expiry) meanwhile.
          setTimeout(() => this.changed(), TYPING_TTL_MS + 50);
        } else {
          model.typing.delete(frame.userId);
        }
        this.changed();
      }),
      c.on('conversation', (summary) => this.learn(summary)),
      c.on('memberAdded', (frame) => {
        if (frame.userIds.includes(this.me)) {
          this.model(frame.conversationId).removed = false;
          this.relist();
        }
        this.ensureNames(frame.userIds);
        this.changed();
      }),
      c.on('memberRemoved', (frame) => {
        if (frame.userId === this.me) {
          const model = this.conversations.get(frame.conversationId);
          if (model) {
            model.removed = true;
            model.pending = [];
          }
        }
        this.changed();
      }),
      c.on('groupUpdated', () => this.changed()),
      c.on('announcement', (announcement) => {
        this.announcements.push(announcement);
        this.ensureNames([announcement.senderId]);
        this.changed();
      }),
      c.on('error', (error) => this.report(error)),
    );
    const onOnline = () => {
      this.connection = { ...this.connection, offline: false };
      this.client.reconnect();
      this.changed();
    };
    const onOffline = () => {
      this.connection = { ...this.connection, offline: true };
      // The socket may still look open for a while; drop it so the banner and the outbox say what is true.
      this.client.reconnect();
      this.changed();
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible' && this.selectedId !== undefined) this.markRead(this.selectedId);
    };
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    document.addEventListener('visibilitychange', onVisible);
    this.cleanups.push(
      () => window.removeEventListener('online', onOnline),
      () => window.removeEventListener('offline', onOffline),
      () => document.removeEventListener('visibilitychange', onVisible),
    );
  }

  /** Caught up (first connect or a reconnect): learn every listed conversation, preview the ones without messages. */
  private onSynced(): void {
    for (const id of this.client.conversationIds()) {
      const summary = this.summaryOf(id);
      if (summary) this.learn(summary);
    }
    for (const model of this.conversations.values()) {
      if (!model.historyRequested && model.lastSeq > 0 && !model.removed) void this.loadOlder(model.id);
    }
    // Receipts for what arrived while away.
    for (const model of this.conversations.values()) if (model.messages.some((m) => m.senderId !== this.me)) this.receiptsDue.add(model.id);
    this.flushReceiptsSoon();
    this.changed();
  }

  private onMessage(message: ChatMessage): void {
    const model = this.model(message.conversationId);
    this.take(model, [message]);
    if (message.senderId === this.me) {
      // Our own messages count as read by us (the server does the same).
      model.readSeq = Math.max(model.readSeq, message.seq);
      model.pending = model.pending.filter((p) => p.clientMsgId !== message.clientMsgId);
    } else {
      model.typing.delete(message.senderId);
      this.receiptsDue.add(model.id);
      this.flushReceiptsSoon();
    }
    if (!this.summaryOf(model.id)) this.relist();
    this.ensureNames([message.senderId]);
    this.changed();
  }

  /** A conversation's summary (listed, answered or pushed): its members' names, its newest seq and our read position. */
  private learn(summary: ConversationSummary): void {
    const model = this.model(summary.conversationId);
    model.lastSeq = Math.max(model.lastSeq, summary.lastSeq);
    if (!model.listed) model.readSeq = Math.max(model.readSeq, summary.lastSeq - summary.unread);
    model.listed = true;
    if (summary.memberIds.includes(this.me)) model.removed = false;
    this.ensureNames(summary.memberIds);
    this.changed();
  }

  private take(model: ConversationModel, messages: readonly ChatMessage[]): void {
    model.messages = mergeMessages(model.messages, messages);
    // Sending moves the sender's own read position to the message (persistence does so without a
    // receipt frame): whoever wrote seq n has read everything up to n.
    for (const message of messages) {
      if (message.senderId !== this.me) model.receipts.set(message.senderId, applyReceipt(model.receipts.get(message.senderId), 'read', message.seq));
    }
    const newest = model.messages.at(-1)?.seq ?? 0;
    model.lastSeq = Math.max(model.lastSeq, newest);
  }

  /** A conversation we have no summary for (we were just added, or its first message came first): list again. */
  private relist(): void {
    if (this.relistTimer !== undefined) return;
    this.relistTimer = setTimeout(() => {
      this.relistTimer = undefined;
      this.client.listConversations().then(
        (items) => items.forEach((summary) => this.learn(summary)),
        (error: unknown) => this.report(error),
      );
    }, 0);
  }

  /** Delivered receipts for every conversation with news, read for the open one; batched per turn of the event loop. */
  private flushReceiptsSoon(): void {
    if (this.receiptTimer !== undefined) return;
    this.receiptTimer = setTimeout(() => {
      this.receiptTimer = undefined;
      for (const id of this.receiptsDue) {
        const model = this.conversations.get(id);
        const newest = model?.messages.at(-1)?.seq;
        if (!model || model.removed || newest === undefined) continue;
        const delivered = model.receipts.get(this.me)?.delivered ?? 0;
        if (newest > delivered) {
          this.trySend(() => this.client.markDelivered(id, newest));
          model.receipts.set(this.me, applyReceipt(model.receipts.get(this.me), 'delivered', newest));
        }
        if (id === this.selectedId) this.markRead(id);
      }
      this.receiptsDue.clear();
    }, 0);
  }

  private markRead(id: string): void {
    const model = this.conversations.get(id);
    const newest = model?.messages.at(-1)?.seq;
    if (!model || model.removed || newest === undefined || newest <= model.readSeq || document.visibilityState !== 'visible') return;
    if (this.client.state !== 'ready') return;
    if (this.trySend(() => this.client.markRead(id, newest))) {
      model.readSeq = newest;
      this.changed();
    }
  }

  private trySend(write: () => unknown): boolean {
    try {
      write();
      return true;
    } catch {
      // Not connected: receipts and typing are sent again after the reconnect's catch-up.
      return false;
    }
  }

  private model(id: string): ConversationModel {
    let model = this.conversations.get(id);
    if (!model) {
      model = {
        id,
        messages: [],
        pending: [],
        hasOlder: false,
        historyRequested: false,
        loadingOlder: false,
        lastSeq: 0,
        readSeq: 0,
        receipts: new Map(),
        typing: new Map(),
        removed: false,
        listed: false,
      };
      this.conversations.set(id, model);
    }
    return model;
  }

  private async lookup(usernames: string[]) {
    const users = await this.session.lookupUsers({ usernames });
    for (const user of users) this.names.set(user.userId, user.username);
    return users;
  }

  /** Every named user, or an error naming those that do not exist. */
  private async lookupAll(usernames: string[]) {
    if (usernames.length === 0) return [];
    const users = await this.lookup(usernames);
    const found = new Set(users.map((u) => u.username.toLowerCase()));
    const missing = usernames.filter((name) => !found.has(name.toLowerCase()));
    if (missing.length > 0) throw new Error(`no such user: ${missing.join(', ')}`);
    return users;
  }

  /** Names for ids we cannot show yet, from auth's directory, 100 at a time. */
  private ensureNames(userIds: readonly string[]): void {
    const unknown = [...new Set(userIds)].filter((id) => !this.names.has(id) && !this.lookingUp.has(id));
    for (let i = 0; i < unknown.length; i += 100) {
      const batch = unknown.slice(i, i + 100);
      batch.forEach((id) => this.lookingUp.add(id));
      this.session
        .lookupUsers({ userIds: batch })
        .then((users) => {
          for (const user of users) this.names.set(user.userId, user.username);
          this.changed();
        })
        .catch((error: unknown) => this.report(error))
        .finally(() => batch.forEach((id) => this.lookingUp.delete(id)));
    }
  }

  private report(error: unknown): void {
    // The UI shows what a user can act on; the rest is for the developer console.
    // eslint-disable-next-line no-console
    console.warn('[chat]', describe(error));
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}

/** A message a person can read, for any failure the SDK or auth reports. */
export function describe(error: unknown): string {
  if (error instanceof AuthError) {
    switch (error.code) {
      case 'invalid_credentials':
        return 'Wrong username or password.';
      case 'username_taken':
        return 'That username is taken.';
      case 'rate_limited':
        return `Too many attempts; try again in ${Math.ceil((error.retryAfterMs ?? 60_000) / 1000)} s.`;
      case 'account_disabled':
        return 'This account is disabled.';
      case 'network_error':
      case 'timeout':
        return 'The server cannot be reached; check the connection and try again.';
      default:
        return error.message.replace(/^\d+ [a-z_]+: /, '');
    }
  }
  if (error instanceof ChatRequestError) return error.message.replace(/^[a-z_]+ failed: [a-z_]+: /, '');
  return error instanceof Error ? error.message : String(error);
}
