import { runFaultHarness, stopHarnessRuns } from './support/fault-harness-run';

/*
 * The bounded form of the fault harness (tools/fault-harness): the built CLI, with a Kafka broker,
 * PostgreSQL and services of its own, SDK clients exchanging direct and group messages while every
 * fault is injected once. Its checker reconciles the clients' logs with the database; the second
 * test proves the checker fails when a stored message is deleted and a delivery dropped for real.
 * The longer form and its measured table: docs/reliability.md.
 */

const FAULTS = ['gateway', 'router', 'persistence', 'auth', 'metrics', 'kafka', 'postgres', 'slow-consumer'];
const TEN_MINUTES = 600_000;

afterAll(() => stopHarnessRuns());

describe('fault harness', () => {
  it('injects every fault once while clients talk, and nothing is lost, duplicated, reordered or left with a gap', async () => {
    const run = await runFaultHarness(['--duration-s', '90', '--users', '10', '--groups', '2', '--group-size', '5', '--rate', '20']);
    if (run.code !== 0 || !run.json) throw new Error(`the harness exited ${run.code}:\n${run.output}`);
    const { report, faults, violations } = run.json;
    expect(violations).toEqual([]);
    expect(report.accepted).toBeGreaterThan(0);
    expect(report.stored).toBeGreaterThanOrEqual(report.accepted);
    expect(report).toMatchObject({ lost: 0, duplicatesStored: 0, seqGaps: 0, outOfOrder: 0, duplicateDeliveries: 0, deadLetteredAccepted: 0 });
    expect(report.delivered).toBe(report.deliveriesExpected);
    expect(faults.map((fault) => fault.fault)).toEqual(FAULTS);
    for (const fault of faults) expect(fault).toEqual(expect.objectContaining({ recoveryMs: expect.any(Number) }));
  }, TEN_MINUTES);

  it('fails, naming the conversation, seq and device, when a stored message is deleted and a delivery dropped', async () => {
    const run = await runFaultHarness(['--duration-s', '10', '--users', '4', '--groups', '1', '--group-size', '3', '--rate', '10', '--faults', 'none', '--sabotage', 'delete-stored-message,drop-delivery']);
    if (run.code !== 1 || !run.json) throw new Error(`the harness should have exited 1, exited ${run.code}:\n${run.output}`);
    const deleted = /deleted the stored message of conversation (\S+) seq (\d+)/.exec(run.output);
    const dropped = /dropped delivery of conversation (\S+) seq (\d+) from the log of device (\S+)/.exec(run.output);
    if (!deleted || !dropped) throw new Error(`the harness did not say what it sabotaged:\n${run.output}`);
    const { report, violations } = run.json;
    expect(run.json.passed).toBe(false);
    expect(violations).toContainEqual(expect.objectContaining({ kind: 'lost_accepted', conversationId: deleted[1], seq: Number(deleted[2]) }));
    expect(violations).toContainEqual(expect.objectContaining({ kind: 'seq_gap', conversationId: deleted[1], seq: Number(deleted[2]) }));
    expect(violations).toContainEqual(expect.objectContaining({ kind: 'missing_delivery', conversationId: dropped[1], seq: Number(dropped[2]), deviceId: dropped[3] }));
    expect(report.lost).toBeGreaterThanOrEqual(2);
    expect(report.seqGaps).toBe(1);
    expect(run.output).toContain('FAIL:');
  }, TEN_MINUTES);
});
