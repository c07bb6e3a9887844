import { ChatClient } from '@chat/client-sdk';
import { nodeSocketFactory } from '@chat/client-sdk/node';
import { sleep } from '@chat/helpers';
import { LatencyHistogram } from '../report/latency';
import type { ScenarioResult } from '../report/result';
import { cpuFigures, cpuPerUnit } from '../suite/process-stats';
import { timedBody, wallClockMs } from '../workers/timed-body';
import {
  clientSpec,
  connectionClientMode,
  endCpuWindow,
  finishScenario,
  openClients,
  rounded,
  type ScenarioContext,
  ScenarioRecorder,
  startCpuWindow,
  startPool,
  waitForCount,
  workerCount,
} from './context';
import { spreadOverGateways } from './idle';

/** Announcements are current at least this long; the scenario's are news only while it runs. */
const ANNOUNCEMENT_EXPIRY_SECONDS = 60;
/** Between two announcements: the previous one's stragglers are counted before the next is sent. */
const PAUSE_MS = 2000;
/** Workers report once a second: after the count is complete, one more tick brings the last latencies. */
const LAST_TICK_MS = 1500;

/**
 * (g) The broadcast: N connections spread over the gateways like `idle` (light clients by default),
 * then an administrator (a minted token with the admin role, on gateway 0, through the SDK) sends
 * `--announcements` announcements one after another. Each body carries the time it was sent, so
 * every connection measures send → reached itself; the figures are how many connections each
 * announcement reached and how long the slowest took (p50 / p99 / max over all of them).
 */
export async function runAnnounce(context: ScenarioContext): Promise<ScenarioResult> {
  const { options, suite, progress } = context;
  const recorder = new ScenarioRecorder();
  const errors: string[] = [];
  const count = options.connections;
  const gateways = spreadOverGateways(count, suite.gatewayUrls.length, options.perGateway);
  const admin = context.users.adminUser();
  progress.say(`announce: preparing ${count} connections over ${suite.gatewayUrls.length} gateways…`);
  const users = await context.users.connectionUsers(count);
  const specs = users.map((user, i) => clientSpec(user, `announce-${i}`, gateways[i]));
  const clientMode = connectionClientMode(context);
  const pool = await startPool(context, workerCount(context, count), recorder, { clientMode });
  const sender = new ChatClient({ socketFactory: nodeSocketFactory(), userId: admin.userId, codec: context.codec, connectTimeoutMs: 0, requestTimeoutMs: 60_000, reconnect: false });
  try {
    progress.start('announce: connecting', () => `${recorder.ready}/${count} ready`, () => recorder.ready / count);
    const connectStarted = Date.now();
    const opened = await openClients(pool, specs, options.connectRate);
    progress.stop();
    errors.push(...opened.errors);
    progress.say(`announce: ${opened.ready}/${count} ready in ${((Date.now() - connectStarted) / 1000).toFixed(1)} s`);
    await sender.connect(suite.gatewayUrls[0], admin.token ?? '');

    const all = new LatencyHistogram();
    const rows = [['announcement', 'connections ready', 'reached', 'p50 ms', 'p99 ms', 'max ms (all reached)']];
    const perAnnouncement: Array<{ listening: number; reached: number; maxMs: number }> = [];
    const window = startCpuWindow(context, pool);
    for (let i = 1; i <= options.announcements; i += 1) {
      await sleep(PAUSE_MS);
      const listening = recorder.ready;
      recorder.mark();
      progress.start(`announce: ${i}/${options.announcements}`, () => `${recorder.totals.delivered}/${listening} reached`, () => recorder.totals.delivered / Math.max(1, listening));
      await sender.announce(timedBody(`announce-${i}`, wallClockMs(), options.payloadBytes), { expiresInSeconds: ANNOUNCEMENT_EXPIRY_SECONDS });
      await waitForCount(() => recorder.totals.delivered, listening, { quietMs: 10_000, timeoutMs: 120_000 });
      await sleep(LAST_TICK_MS);
      progress.stop();
      const reached = recorder.totals.delivered;
      const summary = recorder.delivered.summary();
      all.add(recorder.delivered);
      perAnnouncement.push({ listening, reached, maxMs: summary.max });
      rows.push([String(i), String(listening), String(reached), String(summary.p50), String(summary.p99), String(summary.max)]);
    }
    const { spent, seconds } = endCpuWindow(window);
    recorder.delivered = all;
    const reached = perAnnouncement.reduce((sum, item) => sum + item.reached, 0);
    const overall = all.summary();

    const figures = {
      connectionsRequested: count,
      connectionsReady: opened.ready,
      gateways: suite.gatewayUrls.length,
      announcements: options.announcements,
      reached,
      reachP50Ms: overall.p50,
      reachP99Ms: overall.p99,
      reachMaxMs: overall.max,
      cpuWindowSeconds: seconds,
      ...cpuFigures('cpuUsPerReach', cpuPerUnit(spent, reached, 1e6, 2)),
    };
    const missed = perAnnouncement.filter((item) => item.reached < item.listening);
    const checks = [
      { name: 'every connection ready', ok: opened.ready === count, detail: `${opened.ready}/${count} ready, ${opened.failed} failed` },
      {
        name: 'every announcement reached every ready connection',
        ok: missed.length === 0 && perAnnouncement.length === options.announcements,
        detail: perAnnouncement.map((item) => `${item.reached}/${item.listening}`).join(', '),
      },
    ];
    const slowest = perAnnouncement.length > 0 ? rounded(Math.max(...perAnnouncement.map((item) => item.maxMs)), 1) : null;
    return finishScenario('announce', recorder, figures, checks, errors, { clientMode, workers: pool.size, slowestMs: slowest }, [{ title: 'announcements', rows }]);
  } finally {
    progress.stop();
    sender.close();
    await pool.stop();
  }
}
