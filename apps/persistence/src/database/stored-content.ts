import { DataKeyring, type SealedValue } from '@chat/database';

/*
 * The one place where user content is sealed on its way into the database and opened on its way
 * out (AES-256-GCM, see @chat/database's DataKeyring). Each value is bound to its row and column
 * (the additional authenticated data below), so a ciphertext copied into another row fails to open.
 *
 * The keyring is process-wide, installed once at start (StoredContentModule) before any command is
 * handled: the mappers below are called from free functions shared by many use cases (the row
 * mappers of history, sync, sends, announcements, processed commands), and a parameter threaded
 * through all of them would buy nothing but churn.
 */

let installed: DataKeyring | undefined;

/** Installs the keyring every seal and open below uses (at start, and by tests). */
export function installDataKeyring(keyring: DataKeyring): void {
  installed = keyring;
}

export function dataKeyring(): DataKeyring {
  if (!installed) throw new Error('no data keyring installed: StoredContentModule (or installDataKeyring in a test) must run first');
  return installed;
}

/** A sealed column: its table, the column of its key id, the unique uuid column that names the row, and its AAD. */
export interface SealedFieldSpec {
  table: string;
  column: string;
  keyColumn: string;
  idColumn: string;
  /** jsonb column: a sealed value is stored as a JSON string, a plaintext one as the JSON itself. */
  jsonb: boolean;
  /** SQL condition of the rows that have a value to seal (a direct conversation has no title). */
  present: string;
  aad(rowId: string): string;
}

/** What a stored field is bound to; also what the re-encryption command rewrites, table by table. */
export const SEALED_FIELDS = {
  messageBody: { table: 'messages', column: 'body', keyColumn: 'body_key_id', idColumn: 'id', jsonb: false, present: 'TRUE', aad: (messageId: string) => `messages.body|${messageId}` },
  announcementBody: { table: 'announcements', column: 'body', keyColumn: 'body_key_id', idColumn: 'id', jsonb: false, present: 'TRUE', aad: (announcementId: string) => `announcements.body|${announcementId}` },
  commandEffects: { table: 'processed_commands', column: 'effects', keyColumn: 'effects_key_id', idColumn: 'command_id', jsonb: true, present: 'TRUE', aad: (commandId: string) => `processed_commands.effects|${commandId}` },
  groupTitle: { table: 'conversations', column: 'title', keyColumn: 'title_key_id', idColumn: 'id', jsonb: false, present: 'title IS NOT NULL', aad: (conversationId: string) => `conversations.title|${conversationId}` },
} as const satisfies Record<string, SealedFieldSpec>;

export type SealedField = keyof typeof SEALED_FIELDS;

export function sealField(field: SealedField, rowId: string, plaintext: string): SealedValue {
  return dataKeyring().seal(plaintext, SEALED_FIELDS[field].aad(rowId));
}

/** The plaintext of a stored field; a null key id is a row written before encryption (plaintext). */
export function openField(field: SealedField, rowId: string, stored: string, keyId: string | null): string {
  return dataKeyring().open(stored, keyId, SEALED_FIELDS[field].aad(rowId));
}
