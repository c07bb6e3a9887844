import { judgeStep, kneeTable, lagSlope, lagVerdict, type StepVerdict, stepCpuTable } from './max';

describe('max steps', () => {
  const reading = (seconds: number, total: number) => ({ at: seconds * 1000, total, byGroup: {} });

  it('fits the lag trend in records per second', () => {
    expect(lagSlope([reading(0, 100), reading(2, 300), reading(4, 500)])).toBeCloseTo(100);
    expect(lagSlope([reading(0, 50)])).toBeNull();
  });

  it('holds when the rate was sent, everything arrived and lag stayed flat', () => {
    expect(judgeStep(1000, 60, 60_000, 60_000, 60_000, 400, 1)).toEqual({ passed: true, reason: 'held' });
  });

  it('does not hold when lag keeps growing, delivery falls behind or the generator could not send the rate', () => {
    expect(judgeStep(1000, 60, 60_000, 60_000, 60_000, 50_000, 800).reason).toMatch(/lag grew/);
    expect(judgeStep(1000, 60, 60_000, 60_000, 58_000, 100, 0).reason).toMatch(/delivery fell behind/);
    expect(judgeStep(1000, 60, 30_000, 30_000, 30_000, 0, 0).reason).toMatch(/only sent/);
  });
});

describe('max knee table', () => {
  const step = (rate: number, passed: boolean, extra: Partial<StepVerdict> = {}): StepVerdict => ({
    rate,
    sent: rate * 60,
    accepted: rate * 60,
    failed: 0,
    delivered: rate * 60,
    errors: 0,
    lagStart: 0,
    lagEnd: 120,
    lagSlopePerSecond: 1,
    lag: lagVerdict(rate, 120, 1).text,
    deliveredP50Ms: 41.26,
    deliveredP99Ms: 180,
    achievedRate: rate,
    deliveredPerSecond: rate,
    cpuUsPerMessageSuite: 812.34,
    cpuUsPerMessageAll: 1100,
    cpuUsPerMessage: { gw0: 100, postgres: 90.5, suite: 812.3 },
    passed,
    reason: passed ? 'held' : 'lag grew by 800 records/s to 50000',
    ...extra,
  });

  it('calls lag flat or growing with its trend', () => {
    expect(lagVerdict(1000, 120, 1)).toEqual({ growing: false, text: 'flat (+1/s, 120 left)' });
    expect(lagVerdict(1000, 50_000, 800)).toEqual({ growing: true, text: 'growing (+800/s, 50000 left)' });
    expect(lagVerdict(1000, null, null).text).toBe('unknown');
  });

  it('has one row per step: rates, latency, errors, lag, held and cpu per message', () => {
    const rows = kneeTable([step(1000, true), step(2000, false, { achievedRate: 1990.5, deliveredPerSecond: 1500, errors: 31, lag: 'growing (+800/s, 50000 left)' })]);
    expect(rows[0]).toEqual(['target/s', 'sent/s', 'delivered/s', 'p50 ms', 'p99 ms', 'errors', 'lag', 'held', 'cpu µs/msg suite', 'cpu µs/msg all']);
    expect(rows[1]).toEqual(['1,000', '1,000.0', '1,000.0', '41.3', '180.0', '0', 'flat (+1/s, 120 left)', 'yes', '812', '1,100']);
    expect(rows[2]).toEqual(['2,000', '1,990.5', '1,500.0', '41.3', '180.0', '31', 'growing (+800/s, 50000 left)', 'no: lag grew by 800 records/s to 50000', '812', '1,100']);
  });

  it('has the cpu per message of every process as columns, one row per step', () => {
    const rows = stepCpuTable([step(1000, true), step(2000, false, { cpuUsPerMessage: { gw0: 120, kafka: 50 } })]);
    expect(rows).toEqual([
      ['target/s', 'gw0', 'postgres', 'suite', 'kafka'],
      ['1,000', '100', '90.5', '812', '-'],
      ['2,000', '120', '-', '-', '50.0'],
    ]);
  });
});
