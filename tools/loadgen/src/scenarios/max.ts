import type { ScenarioResult } from '../report/result';
import type { LagReading } from '../suite/consumer-lag';
import { cpuByLabel, cpuPerUnit } from '../suite/process-stats';
import { endCpuWindow, finishScenario, messagingClientMode, rounded, type ScenarioContext, ScenarioRecorder, sendLoad, startCpuWindow, startPool, waitForCount } from './context';
import { sleep } from '@chat/helpers';
import { pairsFor, setupPairs } from './messaging';

const LAG_SAMPLE_MS = 2000;
/** Grace after a step for in-flight messages before counting what was delivered. */
const STEP_DRAIN_MS = 3000;

export interface StepVerdict {
  rate: number;
  sent: number;
  accepted: number;
  /** Sends answered with an error or not accepted in time. */
  failed: number;
  delivered: number;
  /** Failed sends + accepted messages not delivered by the end of the step's drain. */
  errors: number;
  /** Consumer lag at the start and end of the step and its growth per second over the second half. */
  lagStart: number | null;
  lagEnd: number | null;
  lagSlopePerSecond: number | null;
  /** `flat`, `growing …` or `unknown` (no broker to read lag from). */
  lag: string;
  deliveredP50Ms: number;
  deliveredP99Ms: number;
  achievedRate: number;
  deliveredPerSecond: number;
  /** CPU µs per message sent over the step (first send until the drain ended): the suite, and with the load generator. */
  cpuUsPerMessageSuite: number | null;
  cpuUsPerMessageAll: number | null;
  /** The same per process (gw0, router, postgres, lg-w0, …). */
  cpuUsPerMessage: Record<string, number | null>;
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
 * Whether consumer lag kept growing over a step. Lag in flight is rate × latency of the hops; only a
 * rising trend (slope over max(5, 2% of the rate)/s) with more than max(200, 2 s of traffic) left
 * means falling behind.
 */
export function lagVerdict(rate: number, lagEnd: number | null, slope: number | null): { growing: boolean; text: string } {
  if (lagEnd === null || slope === null) return { growing: false, text: 'unknown' };
  const growing = slope > Math.max(5, rate * 0.02) && lagEnd > Math.max(200, rate * 2);
  const trend = `${slope >= 0 ? '+' : ''}${slope.toFixed(0)}/s, ${lagEnd} left`;
  return { growing, text: growing ? `growing (${trend})` : `flat (${trend})` };
}

/**
 * A step holds when the load generator sent (nearly) the rate, lag did not keep growing (see
 * lagVerdict), and delivery kept up (everything accepted arrived within the drain time).
 */
export function judgeStep(rate: number, durationS: number, sent: number, accepted: number, delivered: number, lagEnd: number | null, slope: number | null): { passed: boolean; reason: string } {
  const achieved = sent / durationS;
  if (achieved < rate * 0.95) return { passed: false, reason: `the load generator only sent ${achieved.toFixed(0)}/s` };
  if (accepted < sent) return { passed: false, reason: `${sent - accepted} sends not accepted` };
  if (delivered < accepted) return { passed: false, reason: `delivery fell behind: ${accepted - delivered} of ${accepted} not delivered ${STEP_DRAIN_MS / 1000} s after the step` };
  if (lagVerdict(rate, lagEnd, slope).growing) return { passed: false, reason: `lag grew by ${(slope ?? 0).toFixed(0)} records/s to ${lagEnd}` };
  return { passed: true, reason: 'held' };
}

function cell(value: number | null, digits = 0): string {
  if (value === null) return '-';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** CPU µs: whole µs from 100 on (a 10 ms tick over a step's messages is coarser than that), else one decimal. */
function cpuCell(value: number | null): string {
  return cell(value, value !== null && Math.abs(value) >= 100 ? 0 : 1);
}

/** The knee, as a stepped load plan prints it: one row per step. */
export function kneeTable(steps: StepVerdict[]): string[][] {
  const rows = [['target/s', 'sent/s', 'delivered/s', 'p50 ms', 'p99 ms', 'errors', 'lag', 'held', 'cpu µs/msg suite', 'cpu µs/msg all']];
  for (const step of steps) {
    rows.push([
      cell(step.rate),
      cell(step.achievedRate, 1),
      cell(step.deliveredPerSecond, 1),
      cell(step.deliveredP50Ms, 1),
      cell(step.deliveredP99Ms, 1),
      cell(step.errors),
      step.lag,
      step.passed ? 'yes' : `no: ${step.reason}`,
      cpuCell(step.cpuUsPerMessageSuite),
      cpuCell(step.cpuUsPerMessageAll),
    ]);
  }
  return rows;
}

/** CPU µs per message of every process, one row per step (columns: the processes measured in any step). */
export function stepCpuTable(steps: StepVerdict[]): string[][] {
  const labels: string[] = [];
  for (const step of steps) for (const label of Object.keys(step.cpuUsPerMessage)) if (!labels.includes(label)) labels.push(label);
  return [['target/s', ...labels], ...steps.map((step) => [cell(step.rate), ...labels.map((label) => cpuCell(step.cpuUsPerMessage[label] ?? null))])];
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
  // One client for every step: chosen by the highest rate the steps may reach.
  const clientMode = messagingClientMode(options.clientMode, topRate);
  const pool = await startPool(context, options.workers ?? 2, recorder, { clientMode });
  const steps: StepVerdict[] = [];
  try {
    progress.say(`max: ${pairs} pairs over ${gateways} gateway(s), ${clientMode} client, steps of ${options.maxStepSeconds} s from ${options.maxStart}/s by ${options.maxStep}/s`);
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
      const cpuWindow = startCpuWindow(context, pool);
      const started = Date.now();
      const sent = await sendLoad(pool, setup.senders, rate, options.maxStepSeconds * 1000, options.payloadBytes, `max${rate}`);
      const sendingMs = Date.now() - started;
      sampling = false;
      await sampler;
      const delivered = await waitForCount(() => recorder.totals.delivered, sent.accepted, { quietMs: STEP_DRAIN_MS, timeoutMs: STEP_DRAIN_MS + 1500 });
      const cpu = endCpuWindow(cpuWindow);
      progress.stop();
      const secondHalf = readings.filter((r) => r.at >= (readings[0]?.at ?? 0) + (options.maxStepSeconds * 1000) / 2);
      const slope = lagSlope(secondHalf.length >= 2 ? secondHalf : readings);
      const lagEnd = readings.at(-1)?.total ?? null;
      const verdict = judgeStep(rate, options.maxStepSeconds, sent.sent, sent.accepted, delivered, lagEnd, slope);
      const latency = recorder.delivered.summary();
      const cpuPerMessage = cpuPerUnit(cpu.spent, sent.sent, 1e6);
      steps.push({
        rate,
        sent: sent.sent,
        accepted: sent.accepted,
        failed: sent.failed,
        delivered,
        errors: sent.failed + Math.max(0, sent.accepted - delivered),
        lagStart: lagStart?.total ?? null,
        lagEnd,
        lagSlopePerSecond: slope === null ? null : rounded(slope),
        lag: lagVerdict(rate, lagEnd, slope).text,
        deliveredP50Ms: latency.p50,
        deliveredP99Ms: latency.p99,
        achievedRate: rounded(sent.sent / options.maxStepSeconds),
        deliveredPerSecond: rounded((delivered * 1000) / Math.max(options.maxStepSeconds * 1000, sendingMs)),
        cpuUsPerMessageSuite: cpuPerMessage.suite,
        cpuUsPerMessageAll: cpuPerMessage.all,
        cpuUsPerMessage: cpuByLabel(cpuPerMessage),
        ...verdict,
      });
      progress.say(
        `max ${rate}/s: ${verdict.passed ? 'held' : `did not hold (${verdict.reason})`}; p99 ${latency.p99} ms, lag ${lagEnd ?? '-'}, cpu ${cpuPerMessage.suite ?? '-'} µs/msg (suite), ${cpuPerMessage.all ?? '-'} with the load generator`,
      );
      if (!verdict.passed) break;
      // What the step left behind must not count against the next one.
      await waitForCount(() => recorder.totals.delivered, sent.accepted, { quietMs: 10_000, timeoutMs: 60_000 });
    }
    const held = steps.filter((s) => s.passed);
    const best = held.at(-1);
    // The per-process line of the highest step that held (else of the last step run).
    const cpuStep = best ?? steps.at(-1);
    const figures = {
      sustainedRate: best?.rate ?? 0,
      sustainedP99Ms: best?.deliveredP99Ms ?? null,
      firstFailingRate: steps.find((s) => !s.passed)?.rate ?? null,
      firstFailingReason: steps.find((s) => !s.passed)?.reason ?? null,
      steps: steps.length,
      stepSeconds: options.maxStepSeconds,
      pairs,
      client: clientMode,
      cpuStepRate: cpuStep?.rate ?? null,
      ...Object.fromEntries(Object.entries(cpuStep?.cpuUsPerMessage ?? {}).map(([label, value]) => [`cpuUsPerMessage.${label}`, value])),
    };
    const checks = [{ name: 'at least one step held', ok: held.length > 0, detail: steps.map((s) => `${s.rate}/s ${s.passed ? 'held' : s.reason}`).join('; ') }];
    const tables =
      steps.length === 0
        ? []
        : [
            { title: 'max: steps (latency send → delivered; errors = failed sends + missing deliveries)', rows: kneeTable(steps) },
            { title: 'max: cpu µs per message sent, by process', rows: stepCpuTable(steps) },
          ];
    return finishScenario('max', recorder, figures, checks, errors.length > 0 && context.lag ? errors : [], { steps, workers: pool.size, clientMode, notes: errors }, tables);
  } finally {
    progress.stop();
    await pool.stop();
  }
}
