import pg from 'pg';
import type { ConversationRow, Membership, StoredMessage } from './records';

/*
 * persistence's tables as the checker needs them (apps/persistence/src/database/entities):
 * messages (conversation_id, seq, id, sender_id, client_msg_id), members (conversation_id,
 * user_id), conversations (id, last_seq). Read in one read-only transaction, so the three agree.
 */

export interface DatabaseRows {
  stored: StoredMessage[];
  members: Membership[];
  conversations: ConversationRow[];
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function readDatabase(url: string): Promise<DatabaseRows> {
  return withClient(url, async (client) => {
    await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const messages = await client.query<{ conversation_id: string; seq: string; id: string; sender_id: string; client_msg_id: string }>(
        'SELECT conversation_id, seq, id, sender_id, client_msg_id FROM messages ORDER BY conversation_id, seq',
      );
      const members = await client.query<{ conversation_id: string; user_id: string }>('SELECT conversation_id, user_id FROM members');
      const conversations = await client.query<{ id: string; last_seq: string }>('SELECT id, last_seq FROM conversations');
      return {
        stored: messages.rows.map((row) => ({
          conversationId: row.conversation_id,
          seq: Number(row.seq),
          messageId: row.id,
          senderId: row.sender_id,
          clientMsgId: row.client_msg_id,
        })),
        members: members.rows.map((row) => ({ conversationId: row.conversation_id, userId: row.user_id })),
        conversations: conversations.rows.map((row) => ({ conversationId: row.id, lastSeq: Number(row.last_seq) })),
      };
    } finally {
      await client.query('ROLLBACK');
    }
  });
}

/** Sabotage only: deletes one stored message, as a bug that loses a row would. */
export async function deleteStoredMessage(url: string, conversationId: string, seq: number): Promise<void> {
  await withClient(url, async (client) => {
    const { rowCount } = await client.query('DELETE FROM messages WHERE conversation_id = $1 AND seq = $2', [conversationId, seq]);
    if (rowCount !== 1) throw new Error(`sabotage: expected to delete one row (${conversationId} seq ${seq}), deleted ${rowCount}`);
  });
}
