import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { useChatUsers } from './support/chat-users';
import { useOwnDatabase } from './support/own-database';
import { e2e } from './support/environment';

/*
 * Message bodies encrypted at rest, read straight from PostgreSQL while the whole system runs:
 * no text in the table, a key id on every row; then a key rotation as docs/operations.md tells it
 * (a restart with a new current key, the re-encryption command, a restart without the old key), with
 * history readable at every step. Persistence gets a database of its own here: the re-encryption
 * rewrites whole tables, and other files' rows are under other files' keys.
 */

const run = promisify(execFile);
const keys = { old: `at-rest-1:${randomBytes(32).toString('base64')}`, next: `at-rest-2:${randomBytes(32).toString('base64')}` };
const onlyOld = { DATA_ENCRYPTION_KEYS: keys.old, DATA_ENCRYPTION_KEY_ID: 'at-rest-1' };
const both = { DATA_ENCRYPTION_KEYS: `${keys.old},${keys.next}`, DATA_ENCRYPTION_KEY_ID: 'at-rest-2' };
const onlyNext = { DATA_ENCRYPTION_KEYS: keys.next, DATA_ENCRYPTION_KEY_ID: 'at-rest-2' };

// Declared before the suite: persistence migrates this database when it starts.
const ownDatabase = useOwnDatabase('chat_persistence_at_rest');
const database = ownDatabase.name;

const suite = useChatSuite({ label: 'at-rest', persistenceDatabase: database, dataEncryption: onlyOld });
const users = useChatUsers(suite);

function rows(conversationId: string) {
  return ownDatabase.client.query<{ seq: string; body: string; body_key_id: string | null }>('SELECT seq, body, body_key_id FROM messages WHERE conversation_id = $1 ORDER BY seq', [conversationId]).then((result) => result.rows);
}

async function keyIdsInDatabase(): Promise<string[]> {
  const result = await ownDatabase.client.query<{ key_id: string | null }>(
    `SELECT body_key_id AS key_id FROM messages UNION SELECT body_key_id FROM announcements UNION SELECT effects_key_id FROM processed_commands
     UNION SELECT title_key_id FROM conversations WHERE title IS NOT NULL`,
  );
  return result.rows.map((row) => row.key_id ?? 'plaintext').sort();
}

/** `node dist/apps/persistence/main.js reencrypt …` with the database and these keys; never throws. */
async function reencrypt(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const main = path.join(e2e.workspaceRoot, 'dist', 'apps', 'persistence', 'main.js');
  try {
    const { stdout, stderr } = await run(process.execPath, [main, 'reencrypt', ...args], { env: { PATH: process.env['PATH'], DATABASE_URL: e2e.databaseUrlFor(database), ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

describe('message bodies encrypted at rest, end to end', () => {
  it('stores no text, reads it back, and survives a key rotation with re-encryption and the old key removed', async () => {
    const alice = await users.register('alice');
    const bob = await users.register('bob');
    const aliceDevice = await users.connect(alice);
    const { conversationId } = await aliceDevice.client.openDirect(bob.userId);
    const before = ['the vault code is 4711', 'meet at the old mill', 'grüße 🙂'];
    for (const text of before) await aliceDevice.client.sendAndWaitStored(conversationId, text);

    // The raw table: ciphertext under the current key id, no text anywhere in it.
    const stored = await rows(conversationId);
    expect(stored.map((row) => row.body_key_id)).toEqual(['at-rest-1', 'at-rest-1', 'at-rest-1']);
    const dump = JSON.stringify((await ownDatabase.client.query('SELECT * FROM messages')).rows);
    for (const text of [...before, 'vault', 'mill']) expect(dump).not.toContain(text);
    const bobDevice = await users.connect(bob);
    expect((await bobDevice.client.history(conversationId, { limit: 50 })).messages.map((m) => m.body)).toEqual(before);

    // Rotation, step 1: the new key is added and made current; persistence restarts with both.
    await suite().kill('persistence');
    await suite().startAgain('persistence', both);
    const after = ['under the new key', 'still readable'];
    for (const text of after) await aliceDevice.client.sendAndWaitStored(conversationId, text);
    expect((await rows(conversationId)).map((row) => row.body_key_id)).toEqual(['at-rest-1', 'at-rest-1', 'at-rest-1', 'at-rest-2', 'at-rest-2']);
    expect((await bobDevice.client.history(conversationId, { limit: 50 })).messages.map((m) => m.body)).toEqual([...before, ...after]);

    // Without the old key the command refuses, names it, and writes nothing.
    const refused = await reencrypt(onlyNext);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('under at-rest-1');
    expect((await rows(conversationId)).filter((row) => row.body_key_id === 'at-rest-1')).toHaveLength(3);

    // Step 2: re-encryption while persistence runs, in small batches, with progress; a second run has nothing to do.
    const first = await reencrypt(both, '--batch', '2');
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toContain('re-encrypted a batch');
    expect(first.stdout).toContain('re-encryption complete');
    expect(first.stdout).not.toContain(keys.old.split(':')[1]);
    expect(await keyIdsInDatabase()).toEqual(['at-rest-2']);
    const second = await reencrypt(both);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/"field":"messageBody","before":\{"at-rest-2":\d+\},"rewritten":0/);

    // Step 3: the old key removed; history and a fresh device's sync still read every message.
    await suite().kill('persistence');
    await suite().startAgain('persistence', onlyNext);
    expect((await bobDevice.client.history(conversationId, { limit: 50 })).messages.map((m) => m.body)).toEqual([...before, ...after]);
    const laterDevice = await users.connect(bob);
    await expectEventually(() => expect(laterDevice.seen(conversationId).map(([, body]) => body)).toEqual([...before, ...after]));
  }, 240_000);

  it('refuses to start with a key that is not 32 bytes, naming the variable and not the key', async () => {
    const main = path.join(e2e.workspaceRoot, 'dist', 'apps', 'persistence', 'main.js');
    const short = randomBytes(16).toString('base64');
    const env = { PATH: process.env['PATH'], KAFKA_BROKERS: '127.0.0.1:9', HTTP_PORT: '1', DATABASE_URL: e2e.databaseUrlFor(database), DATA_ENCRYPTION_KEYS: `k1:${short}`, DATA_ENCRYPTION_KEY_ID: 'k1' };
    const failure = await run(process.execPath, [main, '--check-config'], { env }).then(
      () => ({ code: 0, output: '' }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
    );
    expect(failure.code).toBe(78);
    expect(failure.output).toContain('DATA_ENCRYPTION_KEYS');
    expect(failure.output).toContain('must be 32 bytes');
    expect(failure.output).not.toContain(short);
  });
});
