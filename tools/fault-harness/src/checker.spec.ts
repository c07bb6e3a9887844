import { check, describeViolation, type Violation } from './checker';
import type { CheckInput, Delivery, DeviceLog, SendRecord, StoredMessage } from './records';

/*
 * A small healthy run built by hand: a direct conversation (alice, bob) with three messages and a
 * group (alice, bob, carol) with two; bob has two devices. Each test breaks one thing the way a
 * real fault would and expects the checker to name it.
 */

const DIRECT = 'c-direct';
const GROUP = 'c-group';

function row(conversationId: string, seq: number, senderId: string): StoredMessage {
  return { conversationId, seq, messageId: `m-${conversationId}-${seq}`, senderId, clientMsgId: `k-${conversationId}-${seq}` };
}

function sendOf(message: StoredMessage): SendRecord {
  return {
    clientMsgId: message.clientMsgId,
    senderId: message.senderId,
    deviceId: `${message.senderId}#1`,
    conversationId: message.conversationId,
    sentAt: message.seq * 10,
    acceptedAt: message.seq * 10 + 1,
    seq: message.seq,
    outcome: 'stored',
  };
}

function deliveryOf(message: StoredMessage): Delivery {
  return { conversationId: message.conversationId, seq: message.seq, messageId: message.messageId, senderId: message.senderId, clientMsgId: message.clientMsgId, at: message.seq * 10 + 2 };
}

function healthyRun(): CheckInput {
  const stored = [row(DIRECT, 1, 'alice'), row(DIRECT, 2, 'bob'), row(DIRECT, 3, 'alice'), row(GROUP, 1, 'carol'), row(GROUP, 2, 'bob')];
  const members = [
    { conversationId: DIRECT, userId: 'alice' },
    { conversationId: DIRECT, userId: 'bob' },
    { conversationId: GROUP, userId: 'alice' },
    { conversationId: GROUP, userId: 'bob' },
    { conversationId: GROUP, userId: 'carol' },
  ];
  const device = (userId: string, deviceId: string, conversations: string[]): DeviceLog => ({
    deviceId,
    userId,
    deliveries: stored.filter((message) => conversations.includes(message.conversationId)).map(deliveryOf),
    redelivered: 1,
  });
  return {
    sends: stored.map(sendOf),
    devices: [device('alice', 'alice#1', [DIRECT, GROUP]), device('bob', 'bob#1', [DIRECT, GROUP]), device('bob', 'bob#2', [DIRECT, GROUP]), device('carol', 'carol#1', [GROUP])],
    stored,
    members,
    conversations: [
      { conversationId: DIRECT, lastSeq: 3 },
      { conversationId: GROUP, lastSeq: 2 },
    ],
    faults: [{ fault: 'router', injectedAtMs: 1000, recoveryMs: 4000 }],
  };
}

const kinds = (violations: Violation[]) => [...new Set(violations.map((violation) => violation.kind))].sort();

describe('check', () => {
  it('passes a healthy run and counts what it saw', () => {
    const { report, violations } = check(healthyRun());
    expect(violations).toEqual([]);
    expect(report).toEqual({
      accepted: 5,
      sendFailures: 0,
      stored: 5,
      storedWithoutAcceptance: 0,
      duplicatesStored: 0,
      seqGaps: 0,
      // direct: 3 messages × 3 devices; group: 2 × 4
      deliveriesExpected: 17,
      delivered: 17,
      lost: 0,
      outOfOrder: 0,
      duplicateDeliveries: 0,
      redelivered: 4,
      deadLetteredSends: 0,
      deadLetteredAccepted: 0,
      deadLetteredAcceptedTold: 0,
    });
  });

  it('fails when an accepted send was dead-lettered, even if a resend stored it; one never accepted only counts', () => {
    const run = healthyRun();
    const accepted = run.sends[1];
    run.sends.push({ clientMsgId: 'refused', senderId: 'alice', deviceId: 'alice#1', conversationId: DIRECT, sentAt: 1, outcome: 'failed', error: 'unavailable' });
    run.deadLettered = [
      { conversationId: accepted.conversationId, senderId: accepted.senderId, clientMsgId: accepted.clientMsgId },
      { conversationId: DIRECT, senderId: 'alice', clientMsgId: 'refused' },
    ];
    const { report, violations } = check(run);
    expect(report).toMatchObject({ deadLetteredSends: 2, deadLetteredAccepted: 1, deadLetteredAcceptedTold: 0, lost: 0 });
    expect(violations).toEqual([
      expect.objectContaining({ kind: 'dead_lettered_accepted', conversationId: DIRECT, clientMsgId: accepted.clientMsgId, deviceId: 'bob#1', detail: expect.stringMatching(/sender never told.*a resend stored it/) }),
    ]);
  });

  it('still fails on an accepted send dead-lettered whose sender was told not_stored, and counts the telling', () => {
    const run = healthyRun();
    run.sends.push({ clientMsgId: 'told', senderId: 'alice', deviceId: 'alice#1', conversationId: DIRECT, sentAt: 1, acceptedAt: 2, outcome: 'not_stored', error: 'send failed: not_stored: …' });
    run.deadLettered = [{ conversationId: DIRECT, senderId: 'alice', clientMsgId: 'told' }];
    const { report, violations } = check(run);
    expect(report).toMatchObject({ deadLetteredSends: 1, deadLetteredAccepted: 1, deadLetteredAcceptedTold: 1 });
    expect(violations).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'dead_lettered_accepted', clientMsgId: 'told', detail: expect.stringContaining('sender told not_stored') })]),
    );
  });

  it('does not count a send the SDK gave up on before acceptance as lost', () => {
    const run = healthyRun();
    run.sends.push({ clientMsgId: 'never', senderId: 'alice', deviceId: 'alice#1', conversationId: DIRECT, sentAt: 1, outcome: 'failed', error: 'unavailable' });
    const { report, violations } = check(run);
    expect(violations).toEqual([]);
    expect(report.sendFailures).toBe(1);
    expect(report.accepted).toBe(5);
  });

  it('accepts a message stored although its sender never saw `accepted`, if every member got it', () => {
    const run = healthyRun();
    run.sends = run.sends.filter((send) => !(send.conversationId === DIRECT && send.seq === 2));
    const { report, violations } = check(run);
    expect(violations).toEqual([]);
    expect(report.storedWithoutAcceptance).toBe(1);
  });

  it('fails when a stored message is deleted from the database: lost, a seq gap, and a delivery the database does not hold', () => {
    const run = healthyRun();
    run.stored = run.stored.filter((message) => !(message.conversationId === DIRECT && message.seq === 2));
    const { report, violations } = check(run);
    expect(kinds(violations)).toEqual(['delivery_mismatch', 'lost_accepted', 'seq_gap']);
    expect(violations.find((violation) => violation.kind === 'lost_accepted')).toMatchObject({ conversationId: DIRECT, seq: 2, clientMsgId: `k-${DIRECT}-2` });
    expect(violations.find((violation) => violation.kind === 'seq_gap')).toMatchObject({ conversationId: DIRECT, seq: 2 });
    expect(report.lost).toBe(1);
    expect(report.seqGaps).toBe(1);
  });

  it('fails when one device misses one delivery, naming the device, conversation and seq', () => {
    const run = healthyRun();
    const bob2 = run.devices.find((device) => device.deviceId === 'bob#2');
    if (!bob2) throw new Error('fixture');
    bob2.deliveries = bob2.deliveries.filter((delivery) => !(delivery.conversationId === GROUP && delivery.seq === 1));
    const { report, violations } = check(run);
    expect(violations).toEqual([expect.objectContaining({ kind: 'missing_delivery', conversationId: GROUP, seq: 1, deviceId: 'bob#2' })]);
    expect(report.lost).toBe(1);
    expect(report.delivered).toBe(16);
    expect(describeViolation(violations[0])).toBe(`missing_delivery (conversation ${GROUP}, seq 1, device bob#2): stored, never delivered to bob#2 (member bob)`);
  });

  it('fails on a duplicate stored row of one clientMsgId', () => {
    const run = healthyRun();
    run.stored.push({ ...row(DIRECT, 4, 'alice'), clientMsgId: `k-${DIRECT}-1` });
    run.conversations[0].lastSeq = 4;
    const { report, violations } = check(run);
    expect(violations).toContainEqual(expect.objectContaining({ kind: 'duplicate_stored', conversationId: DIRECT, seq: 4, clientMsgId: `k-${DIRECT}-1` }));
    expect(report.duplicatesStored).toBe(1);
  });

  it('fails on a seq gap, also one at the end (last_seq beyond the highest row)', () => {
    const run = healthyRun();
    run.conversations[1].lastSeq = 3;
    const { report, violations } = check(run);
    expect(violations).toEqual([expect.objectContaining({ kind: 'seq_gap', conversationId: GROUP, seq: 3 })]);
    expect(report.seqGaps).toBe(1);
  });

  it('fails on an out-of-order delivery', () => {
    const run = healthyRun();
    const carol = run.devices.find((device) => device.deviceId === 'carol#1');
    if (!carol) throw new Error('fixture');
    carol.deliveries.reverse();
    const { report, violations } = check(run);
    expect(violations).toEqual([expect.objectContaining({ kind: 'out_of_order', conversationId: GROUP, seq: 1, deviceId: 'carol#1' })]);
    expect(report.outOfOrder).toBe(1);
  });

  it('fails on a delivery seen twice by the app', () => {
    const run = healthyRun();
    const alice = run.devices[0];
    alice.deliveries.push(alice.deliveries[0]);
    const { violations } = check(run);
    expect(violations).toEqual([expect.objectContaining({ kind: 'duplicate_delivery', conversationId: DIRECT, seq: 1, deviceId: 'alice#1' })]);
  });

  it('fails when the sender was told another seq than the one stored', () => {
    const run = healthyRun();
    run.sends[0].seq = 7;
    expect(check(run).violations).toEqual([expect.objectContaining({ kind: 'seq_mismatch', conversationId: DIRECT, seq: 7 })]);
  });

  it('fails on a delivery to a device of a non-member', () => {
    const run = healthyRun();
    run.devices[3].deliveries.push(deliveryOf(run.stored[0]));
    expect(kinds(check(run).violations)).toEqual(['not_member_delivery']);
  });

  it('fails when a fault did not recover', () => {
    const run = healthyRun();
    run.faults.push({ fault: 'kafka', injectedAtMs: 5000, error: 'not serving again within 120 s' });
    expect(check(run).violations).toEqual([expect.objectContaining({ kind: 'not_recovered', detail: 'kafka: not serving again within 120 s' })]);
  });
});
