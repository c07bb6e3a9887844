import type { ScenarioResult } from '../report/result';
import { cpuCores, sampleProcess } from '../suite/process-stats';
import { clientSpec, connectionClientMode, measureConnectCpu, type ScenarioContext, finishScenario, openClients, rounded, ScenarioRecorder, startPool, workerCount } from './context';
import { sleep } from '@chat/helpers';

/**
 * Client i's gateway: as many as filling the gateways in order would put on each (at most
 * `perGateway`, so the first ones hold the most), but interleaved, so every gateway accepts its
 * share at the same time instead of one gateway's event loop taking the whole connect phase.
 */
export function spreadOverGateways(count: number, gateways: number, perGateway: number): number[] {
  if (count > gateways * perGateway) throw new Error(`${count} connections do not fit ${gateways} gateways × ${perGateway}; add --gateways or raise --per-gateway`);
  const left = Array.from({ length: gateways }, (_, g) => Math.max(0, Math.min(perGateway, count - g * perGateway)));
  const order: number[] = [];
  for (let g = 0; order.length < count; g = (g + 1) % gateways) {
    if (left[g] === 0) continue;
    left[g]--;
    order.push(g);
  }
  return order;
}

/**
 * (a) N authenticated connections held with heartbeats running: how many the gateways hold, their
 * memory per connection (RSS growth over the connections they hold) and their CPU while idle
 * (server pings every WS_PING_INTERVAL_MS, 15 s by default, answered by the clients' ws pongs).
 */
export async function runIdle(context: ScenarioContext): Promise<ScenarioResult> {
  const { options, suite, progress } = context;
  const recorder = new ScenarioRecorder();
  const errors: string[] = [];
  const count = options.connections;
  const gateways = spreadOverGateways(count, suite.gatewayUrls.length, options.perGateway);
  progress.say(`idle: preparing ${count} connections (${context.users.canMint ? 'minted tokens' : 'registering users'})…`);
  const users = await context.users.connectionUsers(count);
  const specs = users.map((user, i) => clientSpec(user, `idle-${i}`, gateways[i]));
  const gatewayPids = suite.gatewayUrls.map((_, i) => suite.gatewayPid(i));
  const before = gatewayPids.map((pid) => (pid === undefined ? undefined : sampleProcess(pid)));

  const clientMode = connectionClientMode(context);
  const pool = await startPool(context, workerCount(context, count), recorder, { clientMode });
  try {
    const workerRssBefore = pool.pids.map((pid) => sampleProcess(pid)?.rssBytes ?? 0);
    progress.start('idle: connecting', () => `${recorder.ready}/${count} ready`, () => recorder.ready / count);
    const connectStarted = Date.now();
    const { result: opened, figures: connectCpu } = await measureConnectCpu(context, pool, () => openClients(pool, specs, options.connectRate));
    const connectMs = Date.now() - connectStarted;
    progress.stop();
    errors.push(...opened.errors);
    progress.say(`idle: ${opened.ready}/${count} ready in ${(connectMs / 1000).toFixed(1)} s; holding ${options.holdSeconds} s`);

    await sleep(2000);
    const holdStart = gatewayPids.map((pid) => (pid === undefined ? undefined : sampleProcess(pid)));
    const lostBefore = recorder.totals.lost;
    progress.start('idle: holding', () => `${recorder.ready}/${count} ready, ${recorder.totals.lost - lostBefore} lost`, () => (Date.now() - connectStarted - connectMs) / 1000 / options.holdSeconds);
    await sleep(options.holdSeconds * 1000);
    progress.stop();
    const holdEnd = gatewayPids.map((pid) => (pid === undefined ? undefined : sampleProcess(pid)));
    await sleep(1500);
    const held = recorder.ready;
    const heldByGateway = recorder.readyByGateway;
    const lostDuringHold = recorder.totals.lost - lostBefore;
    const workerRssAfter = pool.pids.map((pid) => sampleProcess(pid)?.rssBytes ?? 0);

    const perGateway = suite.gatewayUrls.map((url, i) => {
      const connections = heldByGateway[i] ?? 0;
      const b = before[i];
      const s = holdStart[i];
      const e = holdEnd[i];
      return {
        gateway: i,
        url,
        connections,
        rssBeforeBytes: b?.rssBytes ?? null,
        rssHeldBytes: e?.rssBytes ?? null,
        rssPerConnectionBytes: b && e && connections > 0 ? Math.round((e.rssBytes - b.rssBytes) / connections) : null,
        idleCpuCores: s && e ? rounded(cpuCores(s, e), 3) : null,
      };
    });
    const measured = perGateway.filter((g) => g.rssPerConnectionBytes !== null && g.connections > 0);
    const rssPerConnection = measured.length > 0 ? Math.round(measured.reduce((sum, g) => sum + (g.rssPerConnectionBytes ?? 0) * g.connections, 0) / measured.reduce((sum, g) => sum + g.connections, 0)) : null;
    const idleCpu = perGateway.every((g) => g.idleCpuCores !== null) ? rounded(perGateway.reduce((sum, g) => sum + (g.idleCpuCores ?? 0), 0), 3) : null;
    const clientBytes = workerRssAfter.reduce((a, b) => a + b, 0) - workerRssBefore.reduce((a, b) => a + b, 0);

    const figures = {
      connectionsRequested: count,
      connectionsHeld: held,
      maxOnOneGateway: Math.max(0, ...heldByGateway),
      connectSeconds: rounded(connectMs / 1000),
      lostDuringHold,
      gatewayRssPerConnectionBytes: rssPerConnection,
      gatewayIdleCpuCores: idleCpu,
      loadgenRssPerClientBytes: count > 0 ? Math.round(clientBytes / count) : null,
      holdSeconds: options.holdSeconds,
      ...connectCpu,
    };
    const checks = [
      { name: 'every connection held', ok: held === count && opened.failed === 0, detail: `${held}/${count} ready after the hold, ${opened.failed} failed to connect` },
      { name: 'none lost while idle', ok: lostDuringHold === 0, detail: `${lostDuringHold} connections lost during the hold` },
    ];
    return finishScenario('idle', recorder, figures, checks, errors, { gateways: perGateway, clientMode, workers: pool.size });
  } finally {
    progress.stop();
    await pool.stop();
  }
}
