import type { DataSource } from 'typeorm';
import type { DataKeyring } from '@chat/database';
import { SEALED_FIELDS, type SealedField, type SealedFieldSpec } from '../database/stored-content';

/** Rows read and rewritten per transaction unless told otherwise. */
export const DEFAULT_REENCRYPT_BATCH = 500;

/** How many rows of a field each key id holds (`plaintext` for rows written before encryption). */
export type KeyCounts = Record<string, number>;

export interface ReencryptProgress {
  field: SealedField;
  table: string;
  /** Rows of this field rewritten so far under the current key. */
  rewritten: number;
  /** Rows of this field not under the current key when the run began. */
  toDo: number;
}

export interface ReencryptSummary {
  currentKeyId: string;
  /** Per field: rows by key id before, rows rewritten, rows a concurrent writer changed first, rows by key id after. */
  fields: Record<SealedField, { before: KeyCounts; rewritten: number; changedConcurrently: number; after: KeyCounts }>;
  /** Rows still under another key (or plaintext) at the end: zero unless something wrote them during the run. */
  remaining: number;
}

/** Rows under a key the keyring does not hold: they cannot be read, so nothing is rewritten. */
export class UnknownDataKeysError extends Error {
  constructor(readonly unknown: Array<{ table: string; keyId: string; rows: number }>) {
    super(
      `rows under data keys that are not configured: ${unknown.map((u) => `${u.rows} in ${u.table} under ${u.keyId}`).join(', ')}; ` +
        'add those keys to DATA_ENCRYPTION_KEYS (or DATA_ENCRYPTION_KEYS_FILE) and run again',
    );
    this.name = 'UnknownDataKeysError';
  }
}

const PLAINTEXT = 'plaintext';
const BEFORE_EVERY_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Rewrites every sealed field still under another data key than the current one (or in plaintext,
 * from before encryption) under the current key, in batches of `batchSize` rows per transaction.
 *
 * Safe while the service runs: it walks each table once in the order of its unique id, and a row is
 * only replaced if its key id is still the one read (`WHERE key_id IS NOT DISTINCT FROM old`), so a
 * row a service instance rewrote in between is left alone and counted as changed concurrently.
 * Idempotent and resumable: rows already under the current key are skipped by the query, so a run
 * stopped half way is simply run again. Rows under a key the keyring does not hold stop the run
 * before anything is written.
 */
export async function reencrypt(
  dataSource: DataSource,
  keyring: DataKeyring,
  options: { batchSize?: number; onProgress?: (progress: ReencryptProgress) => void } = {},
): Promise<ReencryptSummary> {
  const batchSize = options.batchSize ?? DEFAULT_REENCRYPT_BATCH;
  const fields = Object.keys(SEALED_FIELDS) as SealedField[];
  const before = new Map<SealedField, KeyCounts>();
  for (const field of fields) before.set(field, await countByKey(dataSource, SEALED_FIELDS[field]));
  const unknown = fields.flatMap((field) =>
    Object.entries(before.get(field) as KeyCounts)
      .filter(([keyId]) => keyId !== PLAINTEXT && !keyring.has(keyId))
      .map(([keyId, rows]) => ({ table: SEALED_FIELDS[field].table, keyId, rows })),
  );
  if (unknown.length > 0) throw new UnknownDataKeysError(unknown);

  const summary: ReencryptSummary = { currentKeyId: keyring.currentKeyId, fields: {} as ReencryptSummary['fields'], remaining: 0 };
  for (const field of fields) {
    const counts = before.get(field) as KeyCounts;
    const toDo = Object.entries(counts).reduce((sum, [keyId, rows]) => (keyId === keyring.currentKeyId ? sum : sum + rows), 0);
    const { rewritten, changedConcurrently } = await reencryptField(dataSource, keyring, field, batchSize, (rewrittenSoFar) =>
      options.onProgress?.({ field, table: SEALED_FIELDS[field].table, rewritten: rewrittenSoFar, toDo }),
    );
    const after = await countByKey(dataSource, SEALED_FIELDS[field]);
    summary.fields[field] = { before: counts, rewritten, changedConcurrently, after };
    summary.remaining += Object.entries(after).reduce((sum, [keyId, rows]) => (keyId === keyring.currentKeyId ? sum : sum + rows), 0);
  }
  return summary;
}

/** Rows by key id (a full scan of the key column: fine for an operator's command, never on the hot path). */
export async function countByKey(dataSource: DataSource, spec: SealedFieldSpec): Promise<KeyCounts> {
  const rows = await dataSource.query<Array<{ key_id: string | null; rows: string }>>(`SELECT ${spec.keyColumn} AS key_id, count(*) AS rows FROM ${spec.table} WHERE ${spec.present} GROUP BY 1`);
  return Object.fromEntries(rows.map((row) => [row.key_id ?? PLAINTEXT, Number(row.rows)]));
}

async function reencryptField(
  dataSource: DataSource,
  keyring: DataKeyring,
  field: SealedField,
  batchSize: number,
  onBatch: (rewritten: number) => void,
): Promise<{ rewritten: number; changedConcurrently: number }> {
  const spec: SealedFieldSpec = SEALED_FIELDS[field];
  // A jsonb column holds a sealed value as a JSON string (#>> '{}' is its text) and a plaintext one as JSON.
  const stored = spec.jsonb ? `CASE WHEN ${spec.keyColumn} IS NULL THEN ${spec.column}::text ELSE ${spec.column} #>> '{}' END` : spec.column;
  const written = spec.jsonb ? 'to_jsonb(v.value)' : 'v.value';
  let after = BEFORE_EVERY_UUID;
  let rewritten = 0;
  let changedConcurrently = 0;
  for (;;) {
    const batch = await dataSource.transaction(async (manager) => {
      const rows = await manager.query<Array<{ id: string; value: string; key_id: string | null }>>(
        `SELECT ${spec.idColumn}::text AS id, ${stored} AS value, ${spec.keyColumn} AS key_id FROM ${spec.table}
          WHERE ${spec.idColumn} > $1::uuid AND ${spec.keyColumn} IS DISTINCT FROM $2 AND ${spec.present}
          ORDER BY ${spec.idColumn} LIMIT $3`,
        [after, keyring.currentKeyId, batchSize],
      );
      if (rows.length === 0) return { read: 0, updated: 0, last: after };
      const values = rows.map((row) => keyring.seal(keyring.open(row.value, row.key_id, spec.aad(row.id)), spec.aad(row.id)).value);
      const [, updated] = await manager.query<[unknown[], number]>(
        `UPDATE ${spec.table} t SET ${spec.column} = ${written}, ${spec.keyColumn} = $4
           FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(id, value, old_key_id)
          WHERE t.${spec.idColumn} = v.id AND t.${spec.keyColumn} IS NOT DISTINCT FROM v.old_key_id`,
        [rows.map((row) => row.id), values, rows.map((row) => row.key_id), keyring.currentKeyId],
      );
      return { read: rows.length, updated, last: rows[rows.length - 1].id };
    });
    if (batch.read === 0) break;
    after = batch.last;
    rewritten += batch.updated;
    changedConcurrently += batch.read - batch.updated;
    onBatch(rewritten);
  }
  return { rewritten, changedConcurrently };
}
