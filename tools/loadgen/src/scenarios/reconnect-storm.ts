import type { ScenarioResult } from '../report/result';
import { clientSpec, finishScenario, openClients, rounded, type ScenarioContext, ScenarioRecorder, sendLoad, startPool, workerCount } from './context';
import { sleep } from '@chat/helpers';
import { setupPairs } from './messaging';

const BEFORE_KILL_MS = 8000;
const ALL_BACK_TIMEOUT_MS = 180_000;
const READINESS_POLL_MS = 500;

/**
 * Issue 4, reconnects: thousands of clients spread over ≥ 3 gateways, one gateway SIGKILLed. Its
 * clients reconnect with the SDK's backoff (full jitter) to a random gateway (what a load balancer
 * in front of them would do; attempts at the dead one fail fast). Measured: reconnects per second,
 * time until all are ready again, whether the surviving gateways stayed ready (/readyz), and the
 * send → delivered latency of chat between clients of the surviving gateways meanwhile.
 */
export async function runReconnectStorm(context: ScenarioContext): Promise<ScenarioResult> {
  const { options, suite, progress } = context;
  const gateways = suite.gatewayUrls.length;
  if (!suite.owned) throw new Error('reconnect-storm kills a gateway: it needs a suite the load generator started');
  if (gateways < 3) throw new Error(`reconnect-storm needs at least 3 gateways (has ${gateways}); pass --gateways 3`);
  const victim = gateways - 1;
  const recorder = new ScenarioRecorder();
  const errors: string[] = [];
  const count = options.reconnectConnections;
  const users = await context.users.connectionUsers(count);
  const specs = users.map((user, i) => clientSpec(user, `storm-${i}`, i % gateways));
  const onVictim = specs.filter((spec) => spec.gateway === victim).length;
  const pool = await startPool(context, workerCount(context, count + 40, 2), recorder, { failover: true });
  try {
    progress.start('reconnect-storm: connecting', () => `${recorder.ready}/${count} ready`, () => recorder.ready / count);
    const opened = await openClients(pool, specs, 2000);
    progress.stop();
    if (opened.failed > 0) throw new Error(`${opened.failed} of ${count} clients could not connect: ${opened.errors.slice(0, 3).join('; ')}`);
    // Chat between clients of the surviving gateways only.
    const chatPairs = Math.max(5, Math.ceil(options.reconnectChatRate / 10));
    const chat = await setupPairs(context, pool, chatPairs, 'chat', (i) => i % (gateways - 1));
    const expectedReady = count + chatPairs * 2;
    await sleep(1500);
    recorder.mark();

    const stormMs = BEFORE_KILL_MS + ALL_BACK_TIMEOUT_MS;
    let chatting = true;
    const chatLoad = (async () => {
      let sent = 0;
      let accepted = 0;
      // In 5 s slices, so the chat stops soon after everyone is back.
      for (let elapsed = 0; chatting && elapsed < stormMs; elapsed += 5000) {
        const slice = await sendLoad(pool, chat.senders, options.reconnectChatRate, 5000, options.payloadBytes, 'chat');
        sent += slice.sent;
        accepted += slice.accepted;
        errors.push(...slice.errors.slice(0, 3));
      }
      return { sent, accepted };
    })();

    await sleep(BEFORE_KILL_MS);
    const killSecond = Math.floor((Date.now() - recorder.startedAt) / 1000);
    const readyBefore = recorder.ready;
    progress.say(`reconnect-storm: SIGKILL gateway ${victim} (${onVictim} clients), ${readyBefore} ready before`);
    const killedAt = Date.now();
    await suite.killGateway(victim);

    const notReady: Array<{ gateway: number; at: number }> = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const states = await Promise.all(Array.from({ length: gateways - 1 }, (_, i) => suite.gatewayReady(i)));
        states.forEach((ready, gateway) => !ready && notReady.push({ gateway, at: Date.now() - killedAt }));
        await sleep(READINESS_POLL_MS);
      }
    })();

    progress.start('reconnect-storm: reconnecting', () => `${recorder.ready}/${expectedReady} ready, ${recorder.totals.readyAgain} back, ${recorder.totals.reconnectAttempts} attempts`, () => recorder.totals.readyAgain / Math.max(1, onVictim));
    // Lost connections show in the ticks within a second; wait for them to be counted before waiting for the way back.
    await sleep(1500);
    const deadline = killedAt + ALL_BACK_TIMEOUT_MS;
    let allBackMs: number | null = null;
    while (Date.now() < deadline) {
      if (recorder.totals.lost >= onVictim && recorder.totals.readyAgain >= recorder.totals.lost && recorder.ready >= expectedReady) {
        allBackMs = Date.now() - killedAt;
        break;
      }
      await sleep(200);
    }
    progress.stop();
    await sleep(3000);
    chatting = false;
    polling = false;
    const chatTotals = await chatLoad;
    await poller;
    const deliveredBefore = recorder.totals.delivered;
    const delivered = deliveredBefore >= chatTotals.accepted ? deliveredBefore : await waitForDeliveries(recorder, chatTotals.accepted);

    // Chat latency per second: before the kill vs during the storm (kill → all back).
    const timeline = recorder.timeline();
    const backSecond = allBackMs === null ? Number.POSITIVE_INFINITY : killSecond + Math.ceil(allBackMs / 1000);
    const p99Of = (from: number, to: number) => Math.max(0, ...timeline.filter((b) => b.t >= from && b.t < to && b.deliveredMs).map((b) => b.deliveredMs?.p99 ?? 0));
    const reconnectsPerSecond = timeline.filter((b) => b.t >= killSecond).map((b) => b.counters.readyAgain);
    const figures = {
      gateways,
      clients: count,
      clientsOnKilledGateway: onVictim,
      lost: recorder.totals.lost,
      readyAgain: recorder.totals.readyAgain,
      timeUntilAllBackMs: allBackMs,
      peakReconnectsPerSecond: Math.max(0, ...reconnectsPerSecond),
      reconnectAttempts: recorder.totals.reconnectAttempts,
      survivingGatewaysNotReadyPolls: notReady.length,
      chatSent: chatTotals.sent,
      chatDelivered: delivered,
      chatWorstSecondP99BeforeMs: p99Of(0, killSecond),
      chatWorstSecondP99DuringMs: p99Of(killSecond, Math.min(backSecond + 1, killSecond + 3600)),
      chatP99WholeRunMs: recorder.delivered.summary().p99,
    };
    const checks = [
      { name: 'all clients back', ok: allBackMs !== null, detail: `${recorder.ready}/${expectedReady} ready, ${recorder.totals.readyAgain} of ${recorder.totals.lost} lost came back` },
      { name: 'surviving gateways stayed ready', ok: notReady.length === 0, detail: notReady.length === 0 ? 'every /readyz poll answered 200' : `${notReady.length} polls not ready, first at +${notReady[0].at} ms on gateway ${notReady[0].gateway}` },
      { name: 'chat between unaffected clients delivered', ok: delivered === chatTotals.accepted, detail: `${delivered}/${chatTotals.accepted}` },
    ];
    return finishScenario('reconnect-storm', recorder, figures, checks, errors, {
      killSecond,
      reconnectsPerSecond,
      notReady: notReady.slice(0, 20),
      reconnectBackoff: 'SDK default (250 ms doubling to 30 s, full jitter)',
      timeUntilAllBackSeconds: allBackMs === null ? null : rounded(allBackMs / 1000),
    });
  } finally {
    progress.stop();
    await pool.stop();
  }
}

async function waitForDeliveries(recorder: ScenarioRecorder, expected: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (recorder.totals.delivered < expected && Date.now() < deadline) await sleep(200);
  return recorder.totals.delivered;
}
