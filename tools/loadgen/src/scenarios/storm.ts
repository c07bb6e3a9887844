import type { ScenarioResult } from '../report/result';
import { clientSpec, connectionClientMode, finishScenario, measureConnectCpu, openClients, rounded, type ScenarioContext, ScenarioRecorder, startPool, workerCount } from './context';

/**
 * (d) N clients connecting at once (spread evenly over the gateways): connections per second and
 * the time until all are connected and authenticated: `ready` = past the gateway's token check and
 * caught up (the SDK's list_conversations answered through Kafka and persistence).
 */
export async function runStorm(context: ScenarioContext): Promise<ScenarioResult> {
  const { options, suite, progress } = context;
  const recorder = new ScenarioRecorder();
  const count = options.stormConnections;
  const gateways = suite.gatewayUrls.length;
  const users = await context.users.connectionUsers(count);
  const specs = users.map((user, i) => clientSpec(user, `storm-${i}`, i % gateways));
  // At least two workers: one process creating thousands of sockets would measure itself.
  const clientMode = connectionClientMode(context);
  const pool = await startPool(context, workerCount(context, count, Math.min(2, Math.ceil(count / 1000))), recorder, { clientMode });
  try {
    recorder.mark();
    progress.start('storm: connecting', () => `${recorder.ready}/${count} ready`, () => recorder.ready / count);
    const startedWall = performance.timeOrigin + performance.now();
    const { result: opened, figures: connectCpu } = await measureConnectCpu(context, pool, () => openClients(pool, specs, 0));
    progress.stop();
    const allReadyMs = opened.lastReadyAt > 0 ? opened.lastReadyAt - startedWall : null;
    const timeline = recorder.timeline();
    const peak = Math.max(0, ...timeline.map((second) => second.counters.ready));
    const figures = {
      connections: count,
      ready: opened.ready,
      failed: opened.failed,
      timeToAllReadyMs: allReadyMs === null ? null : Math.round(allReadyMs),
      connectionsPerSecond: allReadyMs ? rounded((opened.ready * 1000) / allReadyMs) : null,
      peakReadyPerSecond: peak,
      firstReadyMs: opened.firstReadyAt > 0 ? Math.round(opened.firstReadyAt - startedWall) : null,
      reconnectAttempts: recorder.totals.reconnectAttempts,
      workers: pool.size,
      ...connectCpu,
    };
    const checks = [{ name: 'every client connected', ok: opened.ready === count, detail: `${opened.ready}/${count} ready, ${opened.failed} failed` }];
    return finishScenario('storm', recorder, figures, checks, opened.errors, { workers: pool.size, clientMode });
  } finally {
    progress.stop();
    await pool.stop();
  }
}
