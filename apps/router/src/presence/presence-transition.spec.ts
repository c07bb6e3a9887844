import { randomUUID } from 'node:crypto';
import { PresenceView } from '@chat/delivery';
import { presenceTransition, type PresenceAnnouncement } from './presence-transition';

const alice = randomUUID();

interface TestRecord {
  gatewayId: string;
  userId: string;
  connections: number | null;
  at: number;
  partition: number;
  offset: string;
}

/** Records as a topic holds them; each router instance's view applies some of them, in its own order. */
function record(gatewayId: string, connections: number | null, at: number, partition: number, offset: number, userId = alice): TestRecord {
  return { gatewayId, userId, connections, at, partition, offset: String(offset) };
}

function viewOf(...records: TestRecord[]): PresenceView {
  const view = new PresenceView();
  for (const gatewayId of ['gw-1', 'gw-2', 'gw-3']) view.applyLease(gatewayId, { startedAt: 1, at: 0, ttlMs: 600_000 }, 0, 0);
  return apply(view, ...records);
}

function apply(view: PresenceView, ...records: TestRecord[]): PresenceView {
  for (const r of records) {
    const value = r.connections === null ? null : { connections: r.connections, at: r.at, gatewayStartedAt: 1 };
    view.applyPresence(r.gatewayId, r.userId, value, { partition: r.partition, offset: r.offset, timestamp: r.at }, r.at);
  }
  return view;
}

function judge(view: PresenceView, r: TestRecord): PresenceAnnouncement | null {
  return presenceTransition(view, r);
}

describe('presenceTransition', () => {
  it('announces the first socket and the last one, not the counts in between', () => {
    const up = record('gw-1', 1, 100, 0, 0);
    const more = record('gw-1', 2, 110, 0, 1);
    const less = record('gw-1', 1, 120, 0, 2);
    const down = record('gw-1', null, 130, 0, 3);

    expect(judge(viewOf(up), up)).toEqual({ userId: alice, online: true, at: 100 });
    expect(judge(viewOf(up, more), more)).toBeNull();
    expect(judge(viewOf(up, more, less), less)).toBeNull();
    expect(judge(viewOf(up, more, less, down), down)).toEqual({ userId: alice, online: false, at: 130 });
  });

  it('counts a zero count like a tombstone, and a tombstone after it as nothing new', () => {
    const up = record('gw-1', 1, 100, 0, 0);
    const zero = record('gw-1', 0, 130, 0, 1);
    const tombstone = record('gw-1', null, 131, 0, 2);
    expect(judge(viewOf(up, zero), zero)).toEqual({ userId: alice, online: false, at: 130 });
    expect(judge(viewOf(up, zero, tombstone), tombstone)).toBeNull();
  });

  it('keeps a user online across devices on several gateways', () => {
    const phone = record('gw-1', 1, 100, 1, 0);
    const laptop = record('gw-2', 1, 200, 4, 0);
    const phoneGone = record('gw-1', null, 300, 1, 1);
    const laptopGone = record('gw-2', null, 400, 4, 1);

    expect(judge(viewOf(phone, laptop), laptop)).toBeNull();
    expect(judge(viewOf(phone, laptop, phoneGone), phoneGone)).toBeNull();
    expect(judge(viewOf(phone, laptop, phoneGone, laptopGone), laptopGone)).toEqual({ userId: alice, online: false, at: 400 });
  });

  it('announces the first connection once when the instance judging it already sees a later one', () => {
    const first = record('gw-1', 1, 100, 1, 0);
    const second = record('gw-2', 1, 105, 4, 0);
    const both = viewOf(first, second);
    expect(judge(both, first)).toEqual({ userId: alice, online: true, at: 100 });
    expect(judge(both, second)).toBeNull();
  });

  it('never misses a first connection raced on two gateways, whatever each instance sees', () => {
    const first = record('gw-1', 1, 100, 1, 0);
    const second = record('gw-2', 1, 105, 4, 0);
    for (const firstSeesOther of [false, true]) {
      for (const secondSeesOther of [false, true]) {
        const onFirst = judge(firstSeesOther ? viewOf(second, first) : viewOf(first), first);
        const onSecond = judge(secondSeesOther ? viewOf(first, second) : viewOf(second), second);
        const announced = [onFirst, onSecond].filter((a) => a !== null);
        expect(announced.length).toBeGreaterThanOrEqual(1);
        expect(announced.every((a) => a?.online === true)).toBe(true);
        if (secondSeesOther) expect(announced).toHaveLength(1);
      }
    }
  });

  it('breaks a tie of equal times by gateway id', () => {
    const a = record('gw-1', 1, 100, 1, 0);
    const b = record('gw-2', 1, 100, 4, 0);
    const both = viewOf(a, b);
    expect(judge(both, a)).not.toBeNull();
    expect(judge(both, b)).toBeNull();
  });

  it('never misses a last disconnection raced on two gateways (one of the two instances sees both)', () => {
    const phone = record('gw-1', 1, 100, 1, 0);
    const laptop = record('gw-2', 1, 110, 4, 0);
    const phoneGone = record('gw-1', null, 200, 1, 1);
    const laptopGone = record('gw-2', null, 205, 4, 1);
    // Deciding waits for the view to hold what the topic held then, so whichever record came later
    // is judged with a view holding both; the other may or may not see the later one.
    const cases: Array<[boolean, boolean]> = [
      [true, true],
      [true, false],
      [false, true],
    ];
    for (const [phoneJudgeSeesBoth, laptopJudgeSeesBoth] of cases) {
      const onPhone = judge(phoneJudgeSeesBoth ? viewOf(phone, laptop, laptopGone, phoneGone) : viewOf(phone, laptop, phoneGone), phoneGone);
      const onLaptop = judge(laptopJudgeSeesBoth ? viewOf(phone, laptop, phoneGone, laptopGone) : viewOf(phone, laptop, laptopGone), laptopGone);
      const announced = [onPhone, onLaptop].filter((a) => a !== null);
      expect(announced.length).toBeGreaterThanOrEqual(1);
      expect(announced.every((a) => a?.online === false)).toBe(true);
    }
  });

  it('leaves a record superseded by a later flip of its key to the later record', () => {
    const up = record('gw-1', 1, 100, 0, 0);
    const down = record('gw-1', null, 101, 0, 1);
    const view = viewOf(up, down);
    expect(judge(view, up)).toBeNull();
    expect(judge(view, down)).toEqual({ userId: alice, online: false, at: 101 });
  });

  it('still announces a first connection when more sockets followed before it was judged', () => {
    const up = record('gw-1', 1, 100, 0, 0);
    const more = record('gw-1', 3, 101, 0, 1);
    const view = viewOf(up, more);
    expect(judge(view, up)).toEqual({ userId: alice, online: true, at: 100 });
    expect(judge(view, more)).toBeNull();
  });

  it('leaves gateways without a live lease to the lease: nothing is announced from their records', () => {
    const view = new PresenceView();
    const early = record('gw-9', 1, 100, 0, 0);
    apply(view, early);
    expect(judge(view, early)).toBeNull();

    view.applyLease('gw-1', { startedAt: 1, at: 0, ttlMs: 1000 }, 0, 0);
    const up = record('gw-1', 1, 100, 1, 0);
    apply(view, up);
    view.expire(5000);
    const down = record('gw-1', null, 5100, 1, 1);
    apply(view, down);
    expect(judge(view, down)).toBeNull();
  });

  it('announces a clean gateway shutdown once, whichever of its tombstones the view applies first', () => {
    const up = record('gw-1', 1, 100, 0, 0);
    const gone = record('gw-1', null, 200, 0, 1);

    // Presence tombstone first, then the lease tombstone: the presence record announces.
    const presenceFirst = viewOf(up, gone);
    expect(presenceFirst.applyLease('gw-1', null, 210, 210)).toEqual([]);
    expect(judge(presenceFirst, gone)).toEqual({ userId: alice, online: false, at: 200 });

    // Lease tombstone first: the lease change announces, the presence record finds nothing.
    const leaseFirst = viewOf(up);
    expect(leaseFirst.applyLease('gw-1', null, 190, 190)).toEqual([{ userId: alice, online: false, at: 190, partition: 0 }]);
    apply(leaseFirst, gone);
    expect(judge(leaseFirst, gone)).toBeNull();
  });

  it('announces nothing for records of an earlier run of the gateway, or for unknown keys', () => {
    const view = viewOf();
    view.applyLease('gw-1', { startedAt: 50, at: 60, ttlMs: 600_000 }, 60, 60);
    view.applyPresence('gw-1', alice, { connections: 1, at: 40, gatewayStartedAt: 1 }, { partition: 0, offset: '7', timestamp: 40 }, 70);
    expect(judge(view, record('gw-1', 1, 40, 0, 7))).toBeNull();
    expect(judge(view, record('gw-2', null, 40, 0, 8))).toBeNull();
  });
});
