import { judgeStep, lagSlope } from './max';

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
