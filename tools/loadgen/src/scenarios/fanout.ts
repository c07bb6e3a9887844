import { sleep } from '@chat/helpers';
import { MAX_GROUP_MEMBERS } from '@chat/protocol';
import type { FigureValue, ScenarioResult } from '../report/result';
import { cpuFigures, cpuPerUnit } from '../suite/process-stats';
import type { SenderSpec } from '../workers/messages';
import {
  clientSpec,
  endCpuWindow,
  finishScenario,
  messagingClientMode,
  openClients,
  retryNotFound,
  rounded,
  type ScenarioContext,
  ScenarioRecorder,
  sendLoad,
  startCpuWindow,
  startPool,
  waitForCount,
  wireFigures,
  workerOf,
} from './context';

/** Per sender at most this many messages/s (the gateway allows 20 frames/s per connection). */
const PER_SENDER_RATE = 10;

/**
 * (c) Group fan-out: for each group size, disjoint groups of that size over the same connected
 * users, senders posting at `--fanout-rate` messages/s in total: deliveries per second received by
 * all members, and send → delivered latency. Fresh users, so no other scenario's conversations add
 * presence traffic.
 */
export async function runFanout(context: ScenarioContext): Promise<ScenarioResult> {
  const { options, suite, progress } = context;
  const recorder = new ScenarioRecorder();
  const errors: string[] = [];
  const members = options.fanoutMembers;
  const sizes = options.fanoutSizes.filter((size) => size <= members);
  const tooBig = sizes.find((size) => size > MAX_GROUP_MEMBERS);
  if (tooBig) throw new Error(`groups of ${tooBig} exceed MAX_GROUP_MEMBERS (${MAX_GROUP_MEMBERS})`);
  const gateways = suite.gatewayUrls.length;
  progress.say(`fanout: registering ${members} users…`);
  const users = await context.users.registeredUsers(members, { fresh: true, onProgress: (done) => done % 250 === 0 && progress.say(`fanout: ${done}/${members} users registered`) });
  const specs = users.map((user, i) => clientSpec(user, `fanout-${i}`, i % gateways));
  // What the receiving clients handle: every message once per other member.
  const clientMode = messagingClientMode(options.clientMode, options.fanoutRate * (Math.max(2, ...sizes) - 1));
  const pool = await startPool(context, options.workers ?? 2, recorder, { clientMode });
  const figures: Record<string, FigureValue> = { members, client: clientMode };
  const checks: ScenarioResult['checks'] = [];
  const phases: Array<Record<string, unknown>> = [];
  try {
    const opened = await openClients(pool, specs, 1000);
    if (opened.failed > 0) throw new Error(`fanout: ${opened.failed} of ${members} clients could not connect: ${opened.errors.slice(0, 3).join('; ')}`);
    for (const size of sizes) {
      const groups = Math.floor(members / size);
      progress.say(`fanout ${size}: creating ${groups} group(s) of ${size}…`);
      const conversations = await Promise.all(
        Array.from({ length: groups }, (_, g) => {
          const creator = g * size;
          const memberIds = users.slice(creator + 1, creator + size).map((user) => user.userId);
          return retryNotFound(() => pool.request<string>(workerOf(pool, creator), { type: 'create-group', key: specs[creator].key, title: `loadgen ${size} #${g}`, memberIds }));
        }),
      );
      // Enough senders per group that none exceeds PER_SENDER_RATE.
      const sendersPerGroup = Math.min(size, Math.max(1, Math.ceil(options.fanoutRate / groups / PER_SENDER_RATE)));
      const senders: Array<SenderSpec & { worker: number }> = [];
      conversations.forEach((conversationId, g) => {
        for (let s = 0; s < sendersPerGroup; s++) {
          const index = g * size + Math.floor((s * size) / sendersPerGroup);
          senders.push({ key: specs[index].key, conversationId, worker: workerOf(pool, index) });
        }
      });
      // Let the member_added fan-out of the creation pass before measuring.
      await context.lag?.read().catch(() => undefined);
      recorder.mark();
      const durationMs = options.fanoutSeconds * 1000;
      progress.start(`fanout ${size}`, () => `sent ${recorder.totals.sent} delivered ${recorder.totals.delivered}`, () => recorder.totals.sent / ((options.fanoutRate * durationMs) / 1000));
      // CPU from the first send until every member got every message (or the wait gave up).
      const cpuWindow = startCpuWindow(context, pool);
      const started = Date.now();
      const sent = await sendLoad(pool, senders, options.fanoutRate, durationMs, options.payloadBytes, `fanout${size}`);
      const expected = sent.accepted * (size - 1);
      const delivered = await waitForCount(() => recorder.totals.delivered, expected, { quietMs: 15_000, timeoutMs: 180_000 });
      const cpu = endCpuWindow(cpuWindow);
      const elapsedMs = Date.now() - started;
      progress.stop();
      // From the first posting second to the last second with deliveries: the rate the suite kept up over the phase.
      const firstSecond = Math.floor((started - recorder.startedAt) / 1000);
      const seconds = recorder.timeline().filter((b) => b.t >= firstSecond && b.counters.delivered > 0);
      const spanSeconds = seconds.length > 0 ? seconds[seconds.length - 1].t - firstSecond + 1 : 1;
      const deliveriesPerSecond = rounded(delivered / Math.max(options.fanoutSeconds, spanSeconds));
      const peakPerSecond = Math.max(0, ...seconds.map((b) => b.counters.delivered));
      const latency = recorder.delivered.summary();
      figures[`deliveriesPerSecond_${size}`] = deliveriesPerSecond;
      figures[`peakDeliveriesPerSecond_${size}`] = peakPerSecond;
      figures[`messagesPerSecond_${size}`] = rounded((sent.sent * 1000) / durationMs);
      figures[`deliveredP50Ms_${size}`] = latency.p50;
      figures[`deliveredP99Ms_${size}`] = latency.p99;
      figures[`deliveredMaxMs_${size}`] = latency.max;
      figures[`missing_${size}`] = expected - delivered;
      figures[`cpuWindowSeconds_${size}`] = cpu.seconds;
      Object.assign(figures, cpuFigures(`cpuUsPerMessage_${size}`, cpuPerUnit(cpu.spent, sent.sent, 1e6)), cpuFigures(`cpuUsPerDelivery_${size}`, cpuPerUnit(cpu.spent, delivered, 1e6, 2)));
      Object.assign(figures, wireFigures(context.codec, recorder.totals, cpu.spent, `_${size}`));
      checks.push({ name: `groups of ${size}: every message accepted`, ok: sent.failed === 0, detail: `${sent.accepted}/${sent.sent} accepted` });
      checks.push({ name: `groups of ${size}: every member got every message`, ok: delivered === expected, detail: `${delivered}/${expected} deliveries` });
      errors.push(...sent.errors.slice(0, 5));
      phases.push({ size, groups, sendersPerGroup, sent: sent.sent, accepted: sent.accepted, expected, delivered, elapsedMs, latencyMs: latency, accepted_latencyMs: recorder.accepted.summary(), cpuSeconds: cpu.spent });
      // Wait for the backlog of this phase to clear before the next.
      for (let i = 0; i < 60; i++) {
        const lag = await context.lag?.read().catch(() => undefined);
        if (!lag || lag.total <= 10) break;
        await sleep(1000);
      }
    }
    return finishScenario('fanout', recorder, figures, checks, errors, { phases, workers: pool.size, clientMode });
  } finally {
    progress.stop();
    await pool.stop();
  }
}
