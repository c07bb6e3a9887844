import type { Cluster, InstanceName } from './cluster';
import type { Device } from './device';
import { type FaultName, KILL_LEADER_DOWN_S } from './options';
import type { Population } from './population';
import type { FaultRecord, SendRecord } from './records';
import type { SendLog } from './traffic';
import { sleep } from '@chat/helpers';

/*
 * One fault at a time, while traffic flows. Time to recover runs from the injection until the
 * system serves fully again: every process answers /readyz 200, every device is connected and
 * caught up, and a probe message sent right after the injection (from gateway 0 to gateway 1) has
 * reached the other side.
 */

export interface FaultContext {
  cluster: Cluster;
  population: Population;
  sends: SendLog;
  /** Start of traffic (ms), the zero of injectedAtMs. */
  startedAt: number;
  log: (message: string) => void;
  /** How long a fault may take to recover before it is reported as not recovered. */
  recoveryTimeoutMs: number;
}

const POLL_MS = 100;
/** How long a stalled reader is left before the harness gives up waiting for the gateway to drop it. */
const SLOW_CONSUMER_DEADLINE_MS = 60_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const CRASHED_INSTANCE: Partial<Record<FaultName, InstanceName>> = {
  // One of two gateways: its devices reconnect (to the same gateway, once it is back), the other's carry on.
  gateway: 'gateway-1',
  router: 'router',
  persistence: 'persistence',
  auth: 'auth',
  metrics: 'metrics',
};

export async function injectFault(fault: FaultName, context: FaultContext): Promise<FaultRecord> {
  const { cluster, population, log } = context;
  const injectedAt = Date.now();
  const record: FaultRecord = { fault, injectedAtMs: injectedAt - context.startedAt };
  const instance = CRASHED_INSTANCE[fault];
  let probeSent = false;
  const sendProbe = () => {
    if (probeSent) return;
    probeSent = true;
    return context.sends.send(population.probe.from, population.probe.conversationId, `probe after ${fault}`, `probe-${fault}`);
  };
  try {
    if (instance) {
      log(`fault ${fault}: SIGKILL ${instance}, start again`);
      await cluster.crashAndRestart(instance);
    } else if (fault === 'kafka') {
      log('fault kafka: SIGKILL the broker, start again on the same port and data');
      const restarted = cluster.crashAndRestartBroker();
      sendProbe();
      await restarted;
    } else if (fault === 'kill-leader') {
      record.detail = await killLeader(context, sendProbe);
    } else if (fault === 'postgres') {
      log('fault postgres: stop PostgreSQL (fast shutdown), start again on the same data');
      const restarted = cluster.restartPostgres();
      sendProbe();
      await restarted;
    } else if (fault === 'slow-consumer') {
      record.detail = await stallReader(pickSlowDevice(population), context);
    }
  } catch (error) {
    record.error = `injecting failed: ${error instanceof Error ? error.message : String(error)}`;
    log(`fault ${fault}: ${record.error}`);
    return record;
  }
  const probe = sendProbe() ?? context.sends.records.find((send) => send.clientMsgId.startsWith(`probe-${fault}-`) && send.sentAt >= injectedAt);
  if (!probe) throw new Error('the probe was not sent');

  const deadline = injectedAt + context.recoveryTimeoutMs;
  for (;;) {
    const delivered = population.probe.to.hasDelivered(probe.conversationId, probe.clientMsgId);
    if (delivered && population.devices.every((device) => device.ready) && (await cluster.allReady())) break;
    if (Date.now() > deadline) {
      const waiting = [
        !delivered && 'probe not delivered',
        population.devices.filter((device) => !device.ready).length > 0 &&
          `devices not ready: ${population.devices.filter((device) => !device.ready).map((device) => `${device.deviceId} (${device.client.state})`).slice(0, 5).join(', ')}`,
        !(await cluster.allReady()) && 'not every service ready',
      ].filter(Boolean);
      record.error = `not serving fully again within ${seconds(context.recoveryTimeoutMs)}: ${waiting.join('; ')}`;
      log(`fault ${fault}: ${record.error}`);
      return record;
    }
    await sleep(POLL_MS);
  }
  record.recoveryMs = Date.now() - injectedAt;
  log(`fault ${fault}: recovered in ${seconds(record.recoveryMs)}${record.detail ? ` (${record.detail})` : ''}`);
  return record;
}

/**
 * SIGKILL of the broker leading the busiest chat.commands partitions while traffic flows; the other
 * brokers take over (their replicas were in sync: min.insync.replicas made every acknowledged record
 * reach them), the probe is sent at once, and the killed broker starts again KILL_LEADER_DOWN_S
 * later on its data, catching up as a follower.
 */
async function killLeader(context: FaultContext, sendProbe: () => SendRecord | undefined): Promise<string> {
  const { cluster, population, log } = context;
  const leader = await cluster.busiestLeader();
  const node = cluster.kafkaNode(leader.nodeId);
  const led = leader.partitions.map((p) => `${p.partition} (${p.records})`).join(', ');
  log(`fault kill-leader: SIGKILL broker ${leader.nodeId}, leader of ${leader.topic} partitions ${led}; start again in ${KILL_LEADER_DOWN_S} s`);
  const killedAt = Date.now();
  await node.kill();
  const probe = sendProbe();
  // Down for a fixed while (the fault's length, not a wait for a condition), noting whether the probe got through meanwhile.
  let probeWhileDown: number | undefined;
  while (Date.now() - killedAt < KILL_LEADER_DOWN_S * 1000) {
    if (probeWhileDown === undefined && probe && population.probe.to.hasDelivered(probe.conversationId, probe.clientMsgId)) probeWhileDown = Date.now() - killedAt;
    await sleep(POLL_MS);
  }
  await node.restart();
  log(`fault kill-leader: broker ${leader.nodeId} started again`);
  const through = probeWhileDown === undefined ? 'probe not through while it was down' : `probe delivered ${seconds(probeWhileDown)} after the kill, with the broker down`;
  return `killed broker ${leader.nodeId} (leader of ${leader.topic} partitions ${led}), down ${KILL_LEADER_DOWN_S} s; ${through}`;
}

/** A device of an ordinary user (not the probe pair), on gateway 0, preferably of a two-device user. */
function pickSlowDevice(population: Population): Device {
  const probes = new Set([population.probe.from, population.probe.to]);
  const candidates = population.devices.filter((device) => !probes.has(device) && device.gatewayIndex === 0);
  const device = candidates.find((candidate) => candidate.deviceId.endsWith('#2')) ?? candidates[0];
  if (!device) throw new Error('no device to stall');
  return device;
}

/** Sum of chat_connections_closed_total over all close codes on one gateway, by code. */
async function closedByCode(httpPort: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('chat_connections_closed_total{')) continue;
    const code = /code="(\d+)"/.exec(line)?.[1] ?? '?';
    counts.set(code, (counts.get(code) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

/**
 * The device stops reading its socket and keeps asking for history pages (as a client that
 * requested much and then hung would), so frames pile up: first in the kernel buffers, then in the
 * gateway's per-socket backlog. The gateway must drop it (4005 when the backlog is full, or 4000
 * when its pings go unanswered), not buffer without bound. Then the device reads again, sees the
 * close, reconnects and syncs.
 */
async function stallReader(device: Device, context: FaultContext): Promise<string> {
  const gateway = context.cluster.gateway(device.gatewayIndex);
  const before = await closedByCode(gateway.httpPort);
  const closesBefore = device.closeCodes.length;
  context.log(`fault slow-consumer: ${device.deviceId} stops reading its socket on gateway ${device.gatewayIndex}`);
  const stalledAt = Date.now();
  device.sockets.pause();
  let requests = 0;
  let droppedWith: string | undefined;
  const conversations = device.client.conversationIds();
  try {
    while (Date.now() - stalledAt < SLOW_CONSUMER_DEADLINE_MS) {
      for (let i = 0; i < 10 && conversations.length > 0; i += 1) {
        requests += 1;
        device.client.history(conversations[requests % conversations.length], { limit: 100 }).catch(() => undefined);
      }
      await sleep(250);
      const after = await closedByCode(gateway.httpPort);
      const grown = [...after.entries()].filter(([code, count]) => count > (before.get(code) ?? 0)).map(([code]) => code);
      if (grown.length > 0) {
        droppedWith = grown.join('/');
        break;
      }
    }
  } finally {
    device.sockets.resume();
  }
  const stalledFor = Date.now() - stalledAt;
  if (droppedWith === undefined) throw new Error(`the gateway did not drop ${device.deviceId} within ${seconds(SLOW_CONSUMER_DEADLINE_MS)} of not reading`);
  // The device learns of the close once it reads again.
  const deadline = Date.now() + 30_000;
  while (device.closeCodes.length === closesBefore && Date.now() < deadline) await sleep(POLL_MS);
  const seen = device.closeCodes.slice(closesBefore).join(', ') || 'none yet';
  return `gateway closed the socket (server close code ${droppedWith}) after ${seconds(stalledFor)} and ${requests} unread history pages; client saw ${seen}`;
}
