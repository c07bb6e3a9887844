import type { ReceiptStatus } from './receipt-tracker';

/** A conversation as the client shows it: names instead of ids. */
export interface ConversationInfo {
  conversationId: string;
  kind: 'direct' | 'group';
  /** The other member's username (direct) or the title (group). */
  name: string;
  members: string[];
  owner?: string;
  admins?: string[];
  lastSeq: number;
  unread: number;
  /** The newest message, when known. */
  lastMessage?: { seq: number; from: string; body: string };
}

/**
 * Everything the client tells its user, one type per `event`: rendered as lines for people, or one
 * JSON object per line (`--json`) for scripts.
 */
export type CliEvent =
  | { event: 'ready'; userId: string; username: string; conversations: number; reconnected: boolean }
  | { event: 'state'; state: 'reconnecting' | 'closed'; firstConnect: boolean; attempt?: number; delayMs?: number; closeCode?: number; reason?: string }
  | { event: 'conversations'; items: ConversationInfo[] }
  | ({ event: 'conversation'; action: 'opened' | 'created' | 'updated' | 'closed' } & ConversationInfo)
  | {
      event: 'message';
      conversationId: string;
      conversation: string;
      seq: number;
      from: string;
      fromId: string;
      mine: boolean;
      body: string;
      sentAt: number;
      /** In the open conversation (false: marked with the conversation's name). */
      open: boolean;
      /** Loaded by /open or /history rather than arriving now. */
      history: boolean;
    }
  | { event: 'history'; conversationId: string; conversation: string; count: number; hasMore: boolean; older: boolean }
  | { event: 'sent'; conversationId: string; conversation: string; seq: number; clientMsgId: string }
  | { event: 'receipt'; conversationId: string; conversation: string; user: string; userId: string; status: ReceiptStatus; seq: number; covers: number[] }
  | { event: 'typing'; conversationId: string; conversation: string; user: string; userId: string; active: boolean }
  | { event: 'member'; change: 'added' | 'removed'; conversationId: string; conversation: string; users: string[]; by: string; me: boolean }
  | { event: 'announcement'; announcementId: string; from: string; body: string; sentAt: number; expiresAt: number }
  | { event: 'members'; conversationId: string; conversation: string; members: Array<{ username: string; role: 'owner' | 'admin' | 'member' | 'direct' }> }
  | { event: 'info'; text: string }
  | { event: 'waited'; condition: string }
  | { event: 'error'; code: string; message: string };

export type EventSink = (event: CliEvent) => void;
