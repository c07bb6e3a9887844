import type { ScenarioResult } from '../report/result';
import { cpuFigures, cpuPerUnit } from '../suite/process-stats';
import { endCpuWindow, finishScenario, messagingClientMode, rounded, type ScenarioContext, ScenarioRecorder, sendLoad, startCpuWindow, startPool, waitForCount, wireFigures } from './context';
import { pairsFor, setupPairs } from './messaging';

const WARM_UP_SECONDS = 3;

/**
 * (b) Pairs of users exchanging direct messages at a target total rate: send → accepted and
 * send → delivered (to the partner) latency, throughput, and a count that every message arrived.
 */
export async function runDirect(context: ScenarioContext): Promise<ScenarioResult> {
  const { options, progress } = context;
  const recorder = new ScenarioRecorder();
  const errors: string[] = [];
  const pairs = pairsFor(options.rate, options.pairs);
  const gateways = context.suite.gatewayUrls.length;
  const clientMode = messagingClientMode(options.clientMode, options.rate);
  const pool = await startPool(context, context.options.workers ?? (options.rate > 2000 ? 2 : 1), recorder, { clientMode });
  try {
    progress.say(`direct: ${pairs} pairs (${pairs * 2} users) over ${gateways} gateway(s), ${pool.size} worker(s), ${clientMode} client`);
    const setup = await setupPairs(context, pool, pairs, 'direct', (i) => i % gateways);

    progress.say(`direct: warming up ${WARM_UP_SECONDS} s`);
    const warm = await sendLoad(pool, setup.senders, Math.min(options.rate, 200), WARM_UP_SECONDS * 1000, options.payloadBytes, 'warmup');
    await waitForCount(() => recorder.totals.delivered, warm.accepted, { quietMs: 5000, timeoutMs: 30_000 });
    recorder.mark();

    const durationMs = options.durationSeconds * 1000;
    progress.start(
      `direct ${options.rate}/s`,
      () => `sent ${recorder.totals.sent} delivered ${recorder.totals.delivered} p99 ${recorder.delivered.count > 0 ? recorder.delivered.summary().p99.toFixed(1) : '-'} ms`,
      () => recorder.totals.sent / ((options.rate * durationMs) / 1000),
    );
    // CPU from the first send until everything accepted was delivered (or the wait gave up).
    const cpuWindow = startCpuWindow(context, pool);
    const started = Date.now();
    const sent = await sendLoad(pool, setup.senders, options.rate, durationMs, options.payloadBytes, 'direct');
    const sendingMs = Date.now() - started;
    const delivered = await waitForCount(() => recorder.totals.delivered, sent.accepted);
    const cpu = endCpuWindow(cpuWindow);
    progress.stop();
    errors.push(...sent.errors.slice(0, 10));

    const deliveredLatency = recorder.delivered.summary();
    const figures = {
      targetRate: options.rate,
      pairs,
      sent: sent.sent,
      accepted: sent.accepted,
      delivered,
      missing: sent.accepted - delivered,
      sendRatePerSecond: rounded((sent.sent * 1000) / durationMs),
      deliveredPerSecond: rounded((delivered * 1000) / Math.max(durationMs, sendingMs)),
      acceptedP99Ms: recorder.accepted.summary().p99,
      deliveredP50Ms: deliveredLatency.p50,
      deliveredP99Ms: deliveredLatency.p99,
      deliveredP999Ms: deliveredLatency.p999,
      deliveredMaxMs: deliveredLatency.max,
      lateSends: sent.lateSends,
      client: clientMode,
      cpuWindowSeconds: cpu.seconds,
      ...cpuFigures('cpuUsPerMessage', cpuPerUnit(cpu.spent, sent.sent, 1e6)),
      ...wireFigures(context.codec, recorder.totals, cpu.spent),
    };
    const checks = [
      { name: 'every message accepted', ok: sent.failed === 0 && sent.accepted === sent.sent, detail: `${sent.accepted}/${sent.sent} accepted, ${sent.failed} failed` },
      { name: 'every message delivered once', ok: delivered === sent.accepted, detail: `${delivered} delivered of ${sent.accepted} accepted` },
    ];
    return finishScenario('direct', recorder, figures, checks, errors, { workers: pool.size, sendingMs, clientMode, cpuSeconds: cpu.spent });
  } finally {
    progress.stop();
    await pool.stop();
  }
}
