import { randomUUID } from 'node:crypto';
import type { ServerFrame } from '@chat/protocol';
import { answersTo, answerTo, commands, type Harness, membershipChanges, startHarness } from '../../test/harness';
import type { Effect } from '../outcomes/effects';

/** The operator's limits on groups, set small: 3 groups per user and hour, 4 members per group. */
describe('group quotas (PostgreSQL)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ GROUPS_PER_USER_PER_HOUR: '3', GROUP_MAX_MEMBERS: '4' });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  async function create(creator: string, members: string[], clientGroupId = `g-${randomUUID()}`) {
    const command = commands.createGroup(creator, 'Quota', members, clientGroupId);
    return { command, effects: await h.run(command) };
  }

  /** What a create was answered with: the group, or the error. */
  function outcome({ command, effects }: { command: ReturnType<typeof commands.createGroup>; effects: Effect[] }): ServerFrame {
    const [frame] = answersTo(effects, command);
    if (!frame) throw new Error('the create was not answered');
    return frame;
  }

  /** Moves the creator's groups an hour and a minute back in time, as if that hour had passed. */
  async function anHourPasses(creator: string): Promise<void> {
    await h.dataSource.query(`UPDATE conversations SET created_at = created_at - interval '61 minutes' WHERE created_by = $1`, [creator]);
  }

  it('lets a user create GROUPS_PER_USER_PER_HOUR groups in any hour, saying when the next is possible; retries and refusals do not count', async () => {
    const [alice, bob, carol] = await h.users(3);
    const keys = ['q-1', 'q-2', 'q-3'];
    for (const key of keys) expect(outcome(await create(alice, [bob], key))).toMatchObject({ type: 'conversation', ownerId: alice });
    // A create that fails (an unknown member) creates nothing, so it counts nothing either.
    expect(outcome(await create(alice, [randomUUID()]))).toMatchObject({ type: 'error', code: 'not_found' });
    const fourth = await create(alice, [bob]);
    const refusal = answerTo(fourth.effects, fourth.command, 'error');
    expect(refusal).toMatchObject({ code: 'quota_exceeded', message: expect.stringMatching(/^you may create at most 3 groups per hour; the next one in (59|60) min \(at \d{4}-\d\d-\d\dT/) });
    expect(membershipChanges(fourth.effects)).toEqual([]);

    // A retried create (same clientGroupId) is answered with its group, quota or not, and makes nothing new.
    const retry = await create(alice, [bob], 'q-2');
    expect(answerTo(retry.effects, retry.command, 'conversation')).toMatchObject({ title: 'Quota', ownerId: alice });
    expect(membershipChanges(retry.effects)).toEqual([]);
    // The quota is per user.
    const bobs = await create(bob, [alice]);
    expect(answerTo(bobs.effects, bobs.command, 'conversation').ownerId).toBe(bob);

    await anHourPasses(alice);
    const later = await create(alice, [carol]);
    expect(answerTo(later.effects, later.command, 'conversation').memberIds).toContain(carol);
    const count = await h.dataSource.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM conversations WHERE created_by = $1`, [alice]);
    expect(Number(count[0].n)).toBe(4);
  });

  it('counts the creates of one user in concurrent batches one after the other', async () => {
    const [dave, erin] = await h.users(2);
    await create(dave, [erin]);
    await create(dave, [erin]);
    // Two batches in two transactions at once, each with one create: room for exactly one.
    const [first, second] = [commands.createGroup(dave, 'Race', [erin], 'race-1'), commands.createGroup(dave, 'Race', [erin], 'race-2')];
    const [one, other] = await Promise.all([h.processor.apply([first]), h.processor.apply([second])]);
    const frames = [outcome({ command: first, effects: one }), outcome({ command: second, effects: other })];
    expect(frames.map((frame) => (frame.type === 'error' ? frame.code : frame.type)).sort()).toEqual(['conversation', 'quota_exceeded']);
  });

  it('keeps groups at GROUP_MAX_MEMBERS members, the owner included', async () => {
    const [owner, ...others] = await h.users(6);
    const tooBig = await create(owner, others.slice(0, 4));
    expect(answerTo(tooBig.effects, tooBig.command, 'error')).toMatchObject({
      code: 'quota_exceeded',
      message: 'a group may have at most 4 members, its owner included; this one would have 5',
    });
    const made = await create(owner, others.slice(0, 2));
    const { conversationId } = answerTo(made.effects, made.command, 'conversation');
    const fill = commands.addMembers(owner, conversationId, [others[2]]);
    expect(answerTo(await h.run(fill), fill, 'conversation').memberIds).toHaveLength(4);
    const overflow = commands.addMembers(owner, conversationId, [others[3]]);
    const effects = await h.run(overflow);
    expect(answerTo(effects, overflow, 'error')).toMatchObject({ code: 'quota_exceeded', message: 'a group may have at most 4 members, its owner included; this one would have 5' });
    expect(membershipChanges(effects)).toEqual([]);
  });
});
