import os from 'node:os';
import path from 'node:path';
import type { LoadOptions } from '../cli/options';
import type { Progress } from '../report/progress';
import { ScenarioRecorder } from '../report/recorder';
import type { Check, FigureValue, ScenarioResult, ScenarioTable } from '../report/result';
import type { ConsumerLagReader } from '../suite/consumer-lag';
import { type CpuReading, type CpuSpent, type CpuTarget, cpuFigures, cpuPerUnit, cpuSpent, readCpu } from '../suite/process-stats';
import type { SuiteUnderTest } from '../suite/suite-under-test';
import type { LoadUser } from '../users/user-pool';
import type { UserPool } from '../users/user-pool';
import type { ClientMode, ClientSpec, OpenResult, SenderSpec, SendLoadResult, TickCounters, WorkerConfig } from '../workers/messages';
import { MAX_SOCKETS_PER_WORKER, WorkerPool } from '../workers/worker-pool';
import { backoffDelay, sleep } from '@chat/helpers';
import type { CodecName } from '@chat/protocol';

export interface ScenarioContext {
  options: LoadOptions;
  /** The wire codec of this run of the scenario (one of options.codecs). */
  codec: CodecName;
  suite: SuiteUnderTest;
  users: UserPool;
  progress: Progress;
  /** main.js, forked in worker mode. */
  mainScript: string;
  lag: ConsumerLagReader | undefined;
  /** Worker processes started so far, for their CPU profiles (with --cpu-prof). */
  workersStarted: Array<{ instanceId: string; pid: number }>;
}

/** Workers for `clients` sockets: --workers, else enough for MAX_SOCKETS_PER_WORKER each (at least `minimum`). */
export function workerCount(context: ScenarioContext, clients: number, minimum = 1): number {
  return context.options.workers ?? Math.max(minimum, Math.ceil(clients / MAX_SOCKETS_PER_WORKER));
}

/** A worker pool whose ticks go into `recorder`. */
export async function startPool(context: ScenarioContext, workers: number, recorder: ScenarioRecorder, overrides: Partial<WorkerConfig> = {}): Promise<WorkerPool> {
  const pool = await WorkerPool.start(
    workers,
    {
      gatewayUrls: context.suite.gatewayUrls,
      authUrl: context.suite.authUrl,
      sourceAddresses: context.options.sourceAddresses,
      clientMode: context.options.clientMode ?? 'sdk',
      codec: context.codec,
      failover: false,
      ...overrides,
    },
    context.mainScript,
    context.options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(context.options.cpuProfDir)}`] : [],
  );
  for (const pid of pool.pids) context.workersStarted.push({ instanceId: `loadgen-worker-${context.workersStarted.length}`, pid });
  pool.onTick((tick) => recorder.record(tick));
  return pool;
}

/**
 * Connection-scale scenarios (idle, storm) default to the light client: `ready` is then the gateway
 * answering a `ping` (admitted, token verified), not the SDK's catch-up, whose list_conversations
 * round trip through Kafka and persistence per client would measure persistence, not connections.
 */
export function connectionClientMode(context: ScenarioContext): ClientMode {
  return context.options.clientMode ?? 'light';
}

export function clientSpec(user: LoadUser, key: string, gateway: number): ClientSpec {
  return { key, userId: user.userId, gateway, ...(user.token ? { token: user.token } : { pair: user.pair }) };
}

/** Which worker holds client `index` (round robin). */
export function workerOf(pool: WorkerPool, index: number): number {
  return index % pool.size;
}

/** Opens the clients (client i in worker i % workers) at `ratePerSecond` in total (0: all at once). */
export async function openClients(pool: WorkerPool, specs: ClientSpec[], ratePerSecond: number): Promise<OpenResult> {
  const shares: ClientSpec[][] = Array.from({ length: pool.size }, () => []);
  specs.forEach((spec, index) => shares[workerOf(pool, index)].push(spec));
  const perWorkerRate = ratePerSecond > 0 ? ratePerSecond / pool.size : 0;
  const results = await Promise.all(shares.map((share, worker) => pool.request<OpenResult>(worker, { type: 'open', clients: share, ratePerSecond: perWorkerRate })));
  return results.reduce(
    (sum, r) => ({
      requested: sum.requested + r.requested,
      ready: sum.ready + r.ready,
      failed: sum.failed + r.failed,
      firstReadyAt: sum.firstReadyAt === 0 ? r.firstReadyAt : r.firstReadyAt === 0 ? sum.firstReadyAt : Math.min(sum.firstReadyAt, r.firstReadyAt),
      lastReadyAt: Math.max(sum.lastReadyAt, r.lastReadyAt),
      errors: [...sum.errors, ...r.errors].slice(0, 20),
    }),
    { requested: 0, ready: 0, failed: 0, firstReadyAt: 0, lastReadyAt: 0, errors: [] } as OpenResult,
  );
}

/** Sends at `ratePerSecond` in total, each worker its senders' share. */
export async function sendLoad(pool: WorkerPool, senders: Array<SenderSpec & { worker: number }>, ratePerSecond: number, durationMs: number, payloadBytes: number, tag: string): Promise<SendLoadResult> {
  const byWorker: SenderSpec[][] = Array.from({ length: pool.size }, () => []);
  for (const sender of senders) byWorker[sender.worker].push({ key: sender.key, conversationId: sender.conversationId });
  const results = await Promise.all(
    byWorker.map((share, worker) =>
      share.length === 0
        ? Promise.resolve<SendLoadResult>({ sent: 0, accepted: 0, failed: 0, errors: [], lateSends: 0 })
        : pool.request<SendLoadResult>(worker, { type: 'send-load', senders: share, ratePerSecond: (ratePerSecond * share.length) / senders.length, durationMs, payloadBytes, tag }),
    ),
  );
  return results.reduce((sum, r) => ({
    sent: sum.sent + r.sent,
    accepted: sum.accepted + r.accepted,
    failed: sum.failed + r.failed,
    errors: [...sum.errors, ...r.errors].slice(0, 20),
    lateSends: sum.lateSends + r.lateSends,
  }));
}

/**
 * Waits until `count()` reaches `expected`, or stops growing for `quietMs`, or `timeoutMs` passes.
 * Returns the final count.
 */
export async function waitForCount(count: () => number, expected: number, { quietMs = 15_000, timeoutMs = 120_000 } = {}): Promise<number> {
  const started = Date.now();
  let last = count();
  let lastChange = Date.now();
  while (count() < expected && Date.now() - started < timeoutMs && Date.now() - lastChange < quietMs) {
    await sleep(200);
    const now = count();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    }
  }
  return count();
}

/** 250 ms doubling up to 3 s, jittered: the workers' batches retry at once and should spread out. */
const NOT_FOUND_BACKOFF = { initialMs: 250, maxMs: 3000 };

/** Retries `action` while it fails with a `not_found` (a user auth registered that persistence has not learned yet). */
export async function retryNotFound<T>(action: () => Promise<T>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await action();
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (!/not_found|does not exist/.test(text) || Date.now() > deadline) throw error;
      await sleep(backoffDelay(attempt, NOT_FOUND_BACKOFF));
    }
  }
}

export function finishScenario(
  name: string,
  recorder: ScenarioRecorder,
  figures: Record<string, FigureValue>,
  checks: Check[],
  errors: string[],
  details?: Record<string, unknown>,
  tables?: ScenarioTable[],
): ScenarioResult {
  const latencyMs = {
    ...(recorder.accepted.count > 0 ? { accepted: recorder.accepted.summary() } : {}),
    ...(recorder.delivered.count > 0 ? { delivered: recorder.delivered.summary() } : {}),
    ...(recorder.stored.count > 0 ? { stored: recorder.stored.summary() } : {}),
  };
  return {
    name,
    ok: errors.length === 0 && checks.every((check) => check.ok),
    errors,
    figures,
    latencyMs,
    checks,
    timeline: recorder.timeline(),
    details,
    ...(tables && tables.length > 0 ? { tables } : {}),
    durationMs: Date.now() - recorder.startedAt,
  };
}

/** Every process whose CPU time a scenario can attribute: the suite's (only those the load generator started and so knows) and the load generator's. */
export function cpuTargets(context: ScenarioContext, pool: WorkerPool): CpuTarget[] {
  const { suite } = context;
  const gatewayIds = suite.gatewayIds;
  const services = suite.servicePids();
  const gateways: CpuTarget[] = [];
  const others: CpuTarget[] = [];
  for (const service of services) {
    const gateway = gatewayIds.indexOf(service.instanceId);
    if (gateway >= 0) gateways.push({ label: `gw${gateway}`, group: 'gateway', pid: service.pid, includeDescendants: true });
    else others.push({ label: service.name, group: 'service', pid: service.pid, includeDescendants: true });
  }
  // The postmaster with its backends and helper processes; the broker's JVM.
  const infra = suite.infraPids().map((p): CpuTarget => ({ label: p.name, group: p.name === 'kafka' ? 'kafka' : 'postgres', pid: p.pid, includeDescendants: true }));
  const loadgen: CpuTarget[] = [
    ...pool.pids.map((pid, index): CpuTarget => ({ label: `lg-w${index}`, group: 'loadgen', pid, includeDescendants: true })),
    // This process (merges the workers' histograms, reads lag): its own time only, its children are the suite and the workers.
    { label: 'lg-main', group: 'loadgen', pid: process.pid, includeDescendants: false },
  ];
  return [...gateways, ...others, ...infra, ...loadgen];
}

export interface CpuWindow {
  targets: CpuTarget[];
  before: CpuReading;
}

/** Reads the CPU time of every process of cpuTargets now; endCpuWindow gives what each spent since. */
export function startCpuWindow(context: ScenarioContext, pool: WorkerPool): CpuWindow {
  const targets = cpuTargets(context, pool);
  return { targets, before: readCpu(targets) };
}

export function endCpuWindow(window: CpuWindow): { spent: CpuSpent[]; seconds: number } {
  const after = readCpu(window.targets);
  return { spent: cpuSpent(window.targets, window.before, after), seconds: rounded((after.at - window.before.at) / 1000, 1) };
}

/**
 * CPU time the processes spent per connection made while `connect` ran: gateways, the rest of the
 * suite (other services, Kafka, PostgreSQL with its backends, when started here) and the load
 * generator (workers and this process), plus each process (`cpuMsPerConnection.<process>`).
 * CPU time, unlike wall time, hardly depends on what else the machine runs.
 */
export async function measureConnectCpu<T extends { ready: number }>(
  context: ScenarioContext,
  pool: WorkerPool,
  connect: () => Promise<T>,
): Promise<{ result: T; figures: Record<string, FigureValue> }> {
  const window = startCpuWindow(context, pool);
  const loadAverage = os.loadavg()[0];
  const result = await connect();
  const perConnection = cpuPerUnit(endCpuWindow(window).spent, result.ready, 1e3, 3);
  return {
    result,
    figures: {
      gatewayCpuMsPerConnection: perConnection.gateways,
      restOfSuiteCpuMsPerConnection: perConnection.restOfSuite,
      loadgenCpuMsPerConnection: perConnection.loadgen,
      loadAverageAtConnect: rounded(loadAverage, 1),
      ...cpuFigures('cpuMsPerConnection', perConnection),
    },
  };
}

/** From this many messages (or, for fan-out, deliveries) per second on, throughput scenarios use the light client unless --client says otherwise. */
export const LIGHT_CLIENT_FROM_RATE = 1000;

/**
 * Client for a throughput scenario (direct, max, fanout): what --client asks for; else light when
 * the scenario's highest rate of frames a client process handles is at least LIGHT_CLIENT_FROM_RATE
 * (so the generator is not what saturates), the SDK below (full client behaviour, cheap enough).
 */
export function messagingClientMode(requested: ClientMode | undefined, ratePerSecond: number): ClientMode {
  return requested ?? (ratePerSecond >= LIGHT_CLIENT_FROM_RATE ? 'light' : 'sdk');
}

/**
 * What the codec costs on the wire, over a measured window (`totals` since recorder.mark(), `spent`
 * from its CPU window): the clients' frames each way with their mean payload size, and the gateways'
 * CPU time per frame they wrote or read (Kafka work included, which is the same for every codec, so
 * two codecs differ by what they cost). `suffix` tells the phases of one scenario apart.
 */
export function wireFigures(codec: CodecName, totals: TickCounters, spent: CpuSpent[], suffix = ''): Record<string, FigureValue> {
  const perFrame = (bytes: number, frames: number) => (frames > 0 ? rounded(bytes / frames) : null);
  const frames = totals.framesIn + totals.framesOut;
  return {
    [`codec${suffix}`]: codec,
    [`framesToClients${suffix}`]: totals.framesIn,
    [`bytesPerFrameToClients${suffix}`]: perFrame(totals.bytesIn, totals.framesIn),
    [`framesFromClients${suffix}`]: totals.framesOut,
    [`bytesPerFrameFromClients${suffix}`]: perFrame(totals.bytesOut, totals.framesOut),
    [`gatewayCpuUsPerFrame${suffix}`]: cpuPerUnit(spent, frames, 1e6, 2).gateways,
  };
}

export function rounded(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export { ScenarioRecorder };
