import { randomBytes } from 'node:crypto';
import { DataKeyring } from '@chat/database';
import { answerTo, answersTo, commands, type Harness, startHarness, storedMessages } from '../../test/harness';
import { countByKey, reencrypt, UnknownDataKeysError } from '../reencrypt/reencrypt';
import { installDataKeyring, openField, SEALED_FIELDS } from './stored-content';

/*
 * Content at rest, read straight from the tables: what the use cases store is ciphertext under a
 * key id, and what they answer is the text. Rotation as an operator does it: a new current key
 * (a restart with DATA_ENCRYPTION_KEY_ID changed), the re-encryption, then the old key removed.
 */
describe('content encrypted at rest (PostgreSQL)', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  let h: Harness;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    h = await startHarness({ DATA_ENCRYPTION_KEYS: `k1:${k1.toString('base64')}`, DATA_ENCRYPTION_KEY_ID: 'k1' });
    [alice, bob] = await h.users(2);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  async function newGroup(title = 'Team'): Promise<string> {
    const create = commands.createGroup(alice, title, [bob]);
    return answerTo(await h.run(create), create, 'conversation').conversationId;
  }

  async function history(conversationId: string): Promise<string[]> {
    const request = commands.history(bob, conversationId, 100);
    return answerTo(await h.run(request), request, 'history_page').messages.map((message) => message.body);
  }

  async function synced(conversationId: string): Promise<string[]> {
    const request = commands.sync(bob, [{ conversationId, afterSeq: 0 }]);
    return answersTo(await h.run(request), request).flatMap((frame) => (frame.type === 'message' ? [frame.body] : []));
  }

  function rawMessages(conversationId: string) {
    return h.dataSource.query<Array<{ id: string; seq: string; body: string; body_key_id: string | null }>>(
      'SELECT id, seq, body, body_key_id FROM messages WHERE conversation_id = $1 ORDER BY seq',
      [conversationId],
    );
  }

  it('stores message bodies as ciphertext with their key id; history, sync and a resend give the text back', async () => {
    const conversationId = await newGroup();
    const texts = ['the eagle lands at noon', 'bring the blue folder', 'ünïcödé ✓ 🙂'];
    const stored = storedMessages(await h.run(...texts.map((text, i) => commands.send(alice, conversationId, `c${i}`, text))));
    expect(stored.map((event) => event.message.body)).toEqual(texts);

    const rows = await rawMessages(conversationId);
    expect(rows.map((row) => row.body_key_id)).toEqual(['k1', 'k1', 'k1']);
    for (const row of rows) {
      expect(row.body).toMatch(/^v1:/);
      for (const text of texts) expect(row.body).not.toContain(text);
    }
    expect(await history(conversationId)).toEqual(texts);
    expect(await synced(conversationId)).toEqual(texts);
    // A retried send finds the stored row and announces its text, seq and all.
    const [again] = storedMessages(await h.run(commands.send(alice, conversationId, 'c1', texts[1])));
    expect(again.message).toEqual(stored[1].message);
  });

  it('binds each ciphertext to its row: a body copied into another row does not open', async () => {
    const conversationId = await newGroup();
    await h.run(commands.send(alice, conversationId, 'a', 'first'), commands.send(alice, conversationId, 'b', 'second'));
    const [first, second] = await rawMessages(conversationId);
    expect(openField('messageBody', first.id, first.body, first.body_key_id)).toBe('first');
    expect(() => openField('messageBody', second.id, first.body, first.body_key_id)).toThrow(/failed authentication under data key k1/);
  });

  it('keeps rows from before encryption (no key id) readable', async () => {
    const conversationId = await newGroup();
    await h.run(commands.send(alice, conversationId, 'old', 'sealed now'), commands.send(alice, conversationId, 'new', 'sealed too'));
    await h.dataSource.query(`UPDATE messages SET body = 'written before encryption', body_key_id = NULL WHERE conversation_id = $1 AND seq = 1`, [conversationId]);
    expect(await history(conversationId)).toEqual(['written before encryption', 'sealed too']);
  });

  it('seals announcement bodies and the recorded results of commands (group titles), and a retry or replay reads them', async () => {
    const announce = commands.announce(alice, 'maintenance at midnight', { clientAnnouncementId: 'maint-1' });
    await h.run(announce);
    const [announcement] = await h.dataSource.query<Array<{ id: string; body: string; body_key_id: string }>>(
      'SELECT id, body, body_key_id FROM announcements WHERE sender_id = $1',
      [alice],
    );
    expect(announcement.body_key_id).toBe('k1');
    expect(announcement.body).not.toContain('midnight');
    const retry = commands.announce(alice, 'maintenance at midnight', { clientAnnouncementId: 'maint-1' });
    expect(answerTo(await h.run(retry), retry, 'announcement')).toMatchObject({ announcementId: announcement.id, body: 'maintenance at midnight' });

    const create = commands.createGroup(alice, 'Operation Nightingale', [bob]);
    const first = await h.run(create);
    const [recorded] = await h.dataSource.query<Array<{ effects: string; effects_key_id: string }>>(
      'SELECT effects::text AS effects, effects_key_id FROM processed_commands WHERE command_id = $1',
      [create.id],
    );
    expect(recorded.effects_key_id).toBe('k1');
    expect(recorded.effects).not.toContain('Nightingale');
    // The same command delivered again (an uncommitted offset) re-publishes what was recorded.
    expect(await h.run(create)).toEqual(first.map((effect) => ({ ...effect, envelope: expect.objectContaining({ id: effect.envelope.id, payload: effect.envelope.payload }) })));
  });

  it('seals group titles; creating, renaming, listing and a retried create give the text back', async () => {
    const create = commands.createGroup(alice, 'Project Bluebird', [bob], 'bluebird');
    const { conversationId } = answerTo(await h.run(create), create, 'conversation');
    const rawTitle = () => h.dataSource.query<Array<{ title: string; title_key_id: string }>>('SELECT title, title_key_id FROM conversations WHERE id = $1', [conversationId]).then(([row]) => row);
    expect(await rawTitle()).toEqual({ title: expect.stringMatching(/^v1:/), title_key_id: 'k1' });
    const retry = commands.createGroup(alice, 'Project Bluebird', [bob], 'bluebird');
    expect(answerTo(await h.run(retry), retry, 'conversation').title).toBe('Project Bluebird');

    const rename = commands.renameGroup(alice, conversationId, 'Project Redwing');
    await h.run(rename);
    expect((await rawTitle()).title).not.toContain('Redwing');
    const list = commands.list(bob);
    const listed = answerTo(await h.run(list), list, 'conversations').items.find((item) => item.conversationId === conversationId);
    expect(listed?.title).toBe('Project Redwing');
    // Renaming to the title it has is still recognised as no change (compared with the opened title).
    const same = commands.renameGroup(alice, conversationId, 'Project Redwing');
    expect(answersTo(await h.run(same), same)).toEqual([expect.objectContaining({ type: 'conversation', title: 'Project Redwing' })]);
  });

  it('rotates: new rows under the new key, old ones readable; re-encryption moves every row; then the old key can go', async () => {
    const conversationId = await newGroup();
    await h.run(commands.send(alice, conversationId, 'r1', 'under k1'));
    await h.dataSource.query(`UPDATE messages SET body = 'plaintext of old', body_key_id = NULL WHERE conversation_id = $1 AND seq = 1`, [conversationId]);
    await h.run(commands.send(alice, conversationId, 'r2', 'also under k1'));

    // A restart with k2 added and current.
    const both = new DataKeyring(new Map([['k1', k1], ['k2', k2]]), 'k2');
    installDataKeyring(both);
    await h.run(commands.send(bob, conversationId, 'r3', 'under k2'));
    expect((await rawMessages(conversationId)).map((row) => row.body_key_id)).toEqual([null, 'k1', 'k2']);
    expect(await history(conversationId)).toEqual(['plaintext of old', 'also under k1', 'under k2']);

    // Without k1 the re-encryption refuses before writing anything.
    const k2Only = new DataKeyring(new Map([['k2', k2]]), 'k2');
    await expect(reencrypt(h.dataSource, k2Only)).rejects.toThrow(UnknownDataKeysError);
    expect((await rawMessages(conversationId)).map((row) => row.body_key_id)).toEqual([null, 'k1', 'k2']);

    const progress: number[] = [];
    const summary = await reencrypt(h.dataSource, both, { batchSize: 2, onProgress: (p) => p.field === 'messageBody' && progress.push(p.rewritten) });
    expect(summary.remaining).toBe(0);
    expect(summary.fields.messageBody.before).toMatchObject({ plaintext: expect.any(Number), k1: expect.any(Number), k2: 1 });
    expect(summary.fields.messageBody.after).toEqual({ k2: expect.any(Number) });
    expect(progress.length).toBeGreaterThan(1);
    for (const spec of Object.values(SEALED_FIELDS)) expect(Object.keys(await countByKey(h.dataSource, spec))).toEqual(['k2']);
    // Idempotent: a second run finds nothing to do.
    expect((await reencrypt(h.dataSource, both)).fields.messageBody.rewritten).toBe(0);

    // k1 removed: everything still reads.
    installDataKeyring(k2Only);
    expect(await history(conversationId)).toEqual(['plaintext of old', 'also under k1', 'under k2']);
    expect(await synced(conversationId)).toEqual(['plaintext of old', 'also under k1', 'under k2']);
    const retry = commands.announce(alice, 'maintenance at midnight', { clientAnnouncementId: 'maint-1' });
    expect(answerTo(await h.run(retry), retry, 'announcement').body).toBe('maintenance at midnight');
    for (const row of await rawMessages(conversationId)) expect(row.body).not.toMatch(/plaintext of old|under k/);
  });
});
