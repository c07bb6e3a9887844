import type { ScenarioResult } from '../report/result';
import type { LagReading } from '../suite/consumer-lag';
import { finishScenario, rounded, type ScenarioContext, ScenarioRecorder, sendLoad, sleep, startPool, waitForCount } from './context';
import { pairsFor, setupPairs } from './messaging';

const LAG_SAMPLE_MS = 2000;
/** Grace after a step for in-flight messages before counting what was delivered. */
const STEP_DRAIN_MS = 3000;

export interface StepVerdict {
  rate: number;
  sent: number;
  accepted: number;
  delivered: number;
  /** Consumer lag at the start and end of the step and its growth per second over the second half. */
  lagStart: number | null;
  lagEnd: number | null;
  lagSlopePerSecond: number | null;
  deliveredP99Ms: number;
  achievedRate: number;
  passed: boolean;
  reason: string;
}

/** Least-squares slope of lag (records) per second. */
export function lagSlope(readings: LagReading[]): number | null {
  if (readings.length < 2) return null;
  const t0 = readings[0].at;
  const xs = readings.map((r) => (r.at - t0) / 1000);
  const ys = readings.map((r) => r.total);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i] - my), 0);
  const den = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return den > 0 ? num / den : null;
}

/**
 * A step holds when the load generator sent (nearly) the rate, lag did not keep growing (slope over
 * the step's second half under 2% of the rate per second, or the lag left at the end under two
 * seconds of traffic), and delivery kept up (everything accepted arrived within the drain time).
 */
export function judgeStep(rate: number, durationS: number, sent: number, accepted: number, delivered: number, lagEnd: number | null, slope: number | null): { passed: boolean; reason: string } {
  const achieved = sent / durationS;
  if (achieved < rate * 0.95) return { passed: false, reason: `the load generator only sent ${achieved.toFixed(0)}/s` };
  if (accepted < sent) return { passed: false, reason: `${sent - accepted} sends not accepted` };
  if (delivered < accepted) return { passed: false, reason: `delivery fell behind: ${accepted - delivered} of ${accepted} not delivered ${STEP_DRAIN_MS / 1000} s after the step` };
  // Lag in flight is rate × latency of the hops; only a rising trend above a floor means falling behind.
  if (lagEnd !== null && slope !== null && slope > Math.max(5, rate * 0.02) && lagEnd > Math.max(200, rate * 2)) {
    return { passed: false, reason: `lag grew by ${slope.toFixed(0)} records/s to ${lagEnd}` };
  }
  return { passed: true, reason: 'held' };
}

/**
 * (e) The highest direct-message rate the suite sustains: steps of `--max-step-s` seconds from
 * `--max-start`, `--max-step` higher each, until a step does not hold (see judgeStep).
 */
export async function runMax(context: ScenarioContext): Promise<ScenarioResult> {
  const { options, progress } = context;
  const recorder = new ScenarioRecorder();
  const errors: string[] = [];
  const topRate = options.maxStart + options.maxStep * (options.maxSteps - 1);
  const pairs = pairsFor(topRate, options.pairs);
  const gateways = context.suite.gatewayUrls.length;
  if (!context.lag) errors.push('no Kafka broker known: lag cannot be read, only delivery is judged');
  const pool = await startPool(context, options.workers ?? 2, recorder);
  const steps: StepVerdict[] = [];
  try {
    progress.say(`max: ${pairs} pairs over ${gateways} gateway(s), steps of ${options.maxStepSeconds} s from ${options.maxStart}/s by ${options.maxStep}/s`);
    const setup = await setupPairs(context, pool, pairs, 'max', (i) => i % gateways);
    for (let step = 0; step < options.maxSteps; step++) {
      const rate = options.maxStart + step * options.maxStep;
      await sleep(1000);
      recorder.mark();
      const readings: LagReading[] = [];
      const lagStart = await context.lag?.read().catch(() => undefined);
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          await sleep(LAG_SAMPLE_MS);
          const reading = await context.lag?.read().catch(() => undefined);
          if (reading) readings.push(reading);
        }
      })();
      progress.start(`max ${rate}/s`, () => `sent ${recorder.totals.sent} delivered ${recorder.totals.delivered} lag ${readings.at(-1)?.total ?? '-'}`, () => recorder.totals.sent / (rate * options.maxStepSeconds));
      const sent = await sendLoad(pool, setup.senders, rate, options.maxStepSeconds * 1000, options.payloadBytes, `max${rate}`);
      sampling = false;
      await sampler;
      const delivered = await waitForCount(() => recorder.totals.delivered, sent.accepted, { quietMs: STEP_DRAIN_MS, timeoutMs: STEP_DRAIN_MS + 1500 });
      progress.stop();
      const secondHalf = readings.filter((r) => r.at >= (readings[0]?.at ?? 0) + (options.maxStepSeconds * 1000) / 2);
      const slope = lagSlope(secondHalf.length >= 2 ? secondHalf : readings);
      const lagEnd = readings.at(-1)?.total ?? null;
      const verdict = judgeStep(rate, options.maxStepSeconds, sent.sent, sent.accepted, delivered, lagEnd, slope);
      steps.push({
        rate,
        sent: sent.sent,
        accepted: sent.accepted,
        delivered,
        lagStart: lagStart?.total ?? null,
        lagEnd,
        lagSlopePerSecond: slope === null ? null : rounded(slope),
        deliveredP99Ms: recorder.delivered.summary().p99,
        achievedRate: rounded(sent.sent / options.maxStepSeconds),
        ...verdict,
      });
      progress.say(`max ${rate}/s: ${verdict.passed ? 'held' : `did not hold (${verdict.reason})`}; p99 ${recorder.delivered.summary().p99} ms, lag ${lagEnd ?? '-'}`);
      if (!verdict.passed) break;
      // What the step left behind must not count against the next one.
      await waitForCount(() => recorder.totals.delivered, sent.accepted, { quietMs: 10_000, timeoutMs: 60_000 });
    }
    const held = steps.filter((s) => s.passed);
    const best = held.at(-1);
    const figures = {
      sustainedRate: best?.rate ?? 0,
      sustainedP99Ms: best?.deliveredP99Ms ?? null,
      firstFailingRate: steps.find((s) => !s.passed)?.rate ?? null,
      firstFailingReason: steps.find((s) => !s.passed)?.reason ?? null,
      steps: steps.length,
      stepSeconds: options.maxStepSeconds,
      pairs,
    };
    const checks = [{ name: 'at least one step held', ok: held.length > 0, detail: steps.map((s) => `${s.rate}/s ${s.passed ? 'held' : s.reason}`).join('; ') }];
    return finishScenario('max', recorder, figures, checks, errors.length > 0 && context.lag ? errors : [], { steps, workers: pool.size, notes: errors });
  } finally {
    progress.stop();
    await pool.stop();
  }
}
