/**
 * The fault harness: drives SDK clients through a chat system of its own while crashing its parts
 * one at a time, then proves from the clients' logs and the database that nothing was lost,
 * duplicated, reordered or left with a gap.
 *
 *   node dist/tools/fault-harness/main.js [--duration-s 600] [--users 40] [--faults all] [--json out.json] …
 *
 * Exit 0: every check passed; 1: a violation (named on stdout); 2: bad usage; 3: the run itself failed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findWorkspaceRoot } from '@chat/local-infra';
import { SeededRandom } from '@chat/testing';
import { check } from './checker';
import { Cluster } from './cluster';
import { type DatabaseRows, deleteStoredMessage, readDatabase } from './database';
import { readDeadLetteredSends } from './dead-letters';
import { type FaultContext, injectFault } from './faults';
import { type HarnessOptions, parseOptions, USAGE, UsageError } from './options';
import { createPopulation, type Population } from './population';
import type { FaultRecord } from './records';
import { formatReport } from './report';
import { catchUpDevices, waitForSendsToSettle } from './settle';
import { SendLog, TrafficDriver } from './traffic';
import { sleep } from '@chat/helpers';
import { Topics } from '@chat/protocol';

const started = Date.now();
const say = (message: string) => console.log(`[fault-harness ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);

/** A fault not serving fully again within this is reported as not recovered (the run goes on). */
const RECOVERY_TIMEOUT_MS = 180_000;
const SETTLE_TIMEOUT_MS = 180_000;

let cluster: Cluster | undefined;

/** Traffic without faults after each recovery (and at the end), whatever the slots say. */
const MIN_QUIET_MS = 5_000;

/**
 * Faults spread over the run: each in a slot of its own, injected a fifth into the slot, the rest
 * quiet. A recovery that overruns its slot pushes the next fault back (at least MIN_QUIET_MS of
 * quiet traffic in between), so the run can last longer than --duration-s.
 */
async function runFaults(options: HarnessOptions, context: FaultContext): Promise<FaultRecord[]> {
  const records: FaultRecord[] = [];
  const durationMs = options.durationS * 1000;
  const slotMs = durationMs / Math.max(1, options.faults.length);
  let quietUntil = 0;
  for (const [index, fault] of options.faults.entries()) {
    const injectAt = Math.max(context.startedAt + index * slotMs + slotMs / 5, quietUntil);
    await sleep(injectAt - Date.now());
    records.push(await injectFault(fault, context));
    quietUntil = Date.now() + MIN_QUIET_MS;
  }
  await sleep(Math.max(context.startedAt + durationMs, quietUntil) - Date.now());
  return records;
}

/** Damage done on purpose to the real database or device log, so the checker must fail. */
async function sabotage(options: HarnessOptions, population: Population, databaseUrl: string): Promise<void> {
  const rows = await readDatabase(databaseUrl);
  const busiest = [...rows.conversations].sort((a, b) => b.lastSeq - a.lastSeq)[0];
  if (options.sabotage.includes('delete-stored-message')) {
    if (!busiest || busiest.lastSeq < 1) throw new Error('sabotage: no stored message to delete');
    const seq = Math.ceil(busiest.lastSeq / 2);
    await deleteStoredMessage(databaseUrl, busiest.conversationId, seq);
    say(`SABOTAGE: deleted the stored message of conversation ${busiest.conversationId} seq ${seq} from the database`);
  }
  if (options.sabotage.includes('drop-delivery')) {
    // A device and a delivery away from the deleted row, so each sabotage shows up on its own.
    const device = population.devices.find((candidate) => candidate.deliveries.some((delivery) => delivery.conversationId !== busiest?.conversationId));
    const index = device?.deliveries.findIndex((delivery) => delivery.conversationId !== busiest?.conversationId) ?? -1;
    if (!device || index < 0) throw new Error('sabotage: no delivery to drop');
    const [dropped] = device.deliveries.splice(index, 1);
    say(`SABOTAGE: dropped delivery of conversation ${dropped.conversationId} seq ${dropped.seq} from the log of device ${device.deviceId}`);
  }
}

async function run(options: HarnessOptions): Promise<number> {
  const workspaceRoot = findWorkspaceRoot();
  const workDir = await mkdtemp(path.join(tmpdir(), 'fault-harness-'));
  const random = new SeededRandom(options.seed);
  say(`starting Kafka (${options.brokers} broker${options.brokers > 1 ? 's' : ''}), PostgreSQL and the services (two gateways) in ${workDir}`);
  cluster = await Cluster.start({ workDir, workspaceRoot, brokers: options.brokers, log: say });
  say('services ready; registering users and connecting devices');
  const databaseUrl = () => cluster?.postgres.urlFor('chat_persistence') ?? '';
  let population: Population | undefined;
  let passed = false;
  try {
    population = await createPopulation(cluster, options, random);
    say(`${population.users.length} users, ${population.devices.length} devices, ${population.conversations.length} conversations (+ probe); ${options.rate} messages/s for ${options.durationS} s; faults: ${options.faults.join(', ') || 'none'}`);
    const sends = new SendLog();
    for (const device of population.devices) device.onOwnMessage((message) => sends.noteStored(message));

    const traffic = new TrafficDriver(sends, population.conversations, options.rate, random);
    const startedAt = Date.now();
    traffic.start();
    const faults = await runFaults(options, { cluster, population, sends, startedAt, log: say, recoveryTimeoutMs: RECOVERY_TIMEOUT_MS });
    traffic.stop();
    say(`traffic stopped after ${traffic.count} sends; waiting for outboxes to drain`);

    const unsettled = await waitForSendsToSettle(sends, SETTLE_TIMEOUT_MS);
    if (unsettled > 0) say(`${unsettled} sends still without their stored copy; the checker decides`);
    // How complete the devices were from live pushes, gap fills and reconnect syncs alone, before the forced catch-up.
    const beforeCatchUp = check({ sends: sends.records, devices: population.devices.map((device) => device.log()), ...(await readDatabase(databaseUrl())), faults: [] }).report;
    const missingBeforeCatchUp = beforeCatchUp.deliveriesExpected - beforeCatchUp.delivered;
    say(`before the final catch-up sync the devices missed ${missingBeforeCatchUp} of ${beforeCatchUp.deliveriesExpected} deliveries`);
    const lagging = await catchUpDevices(population.devices, () => readDatabase(databaseUrl()), SETTLE_TIMEOUT_MS);
    if (lagging.length > 0) say(`devices still behind the database after catching up: ${lagging.slice(0, 10).join(', ')}`);

    if (options.sabotage.length > 0) await sabotage(options, population, databaseUrl());
    const rows: DatabaseRows = await readDatabase(databaseUrl());
    const deadLetters = await readDeadLetters(cluster);
    if (deadLetters.undecodable > 0) say(`${deadLetters.undecodable} records in chat.commands.dlq are not valid commands`);
    const replication = await cluster.replicationOf(Topics.commands.name);
    say(`${Topics.commands.name}: ${replication.replicas} replicas, min.insync.replicas ${replication.minInsyncReplicas ?? 'not set'}`);
    const { report, violations } = check({ sends: sends.records, devices: population.devices.map((device) => device.log()), ...rows, deadLettered: deadLetters.sends, faults });
    console.log(`\n${formatReport(report, faults, violations)}\n`);
    passed = violations.length === 0;
    if (options.jsonFile) {
      const json = { options, passed, report, replication, missingBeforeCatchUp, faults, violations: violations.slice(0, 200), violationCount: violations.length, durationMs: Date.now() - started, workDir };
      await writeFile(options.jsonFile, `${JSON.stringify(json, null, 2)}\n`);
    }
    return passed ? 0 : 1;
  } finally {
    for (const device of population?.devices ?? []) device.client.close();
    say('stopping the services, Kafka and PostgreSQL');
    await cluster.stop();
    cluster = undefined;
    // A sabotaged run is meant to fail; only an unexpected failure keeps the logs for a look.
    if ((passed || options.sabotage.length > 0) && !options.keep) await rm(workDir, { recursive: true, force: true });
    else say(`logs kept in ${workDir}`);
  }
}

async function readDeadLetters(running: Cluster): Promise<Awaited<ReturnType<typeof readDeadLetteredSends>>> {
  const admin = running.kafkaAdmin();
  await admin.connect();
  try {
    return await readDeadLetteredSends(admin, (topic, count) => running.readTopic(topic, count));
  } finally {
    await admin.disconnect();
  }
}

function onSignal(signal: NodeJS.Signals): void {
  say(`${signal}: stopping everything`);
  // The 'exit' hooks of local-infra kill the processes if stopping takes too long.
  void (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  let options: HarnessOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, onSignal);
  process.exitCode = await run(options);
  // Sockets and timers of the SDK clients must not keep the process alive.
  process.exit();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  void (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(3));
});
