import { hostname, userInfo } from 'node:os';
import type { Message } from 'kafkajs';
import { DLQ_SUFFIX, DlqReplayed, dlqReplayKey, Headers, isSharedDeadLetterTopic, Topics, type DlqReplayedPayload } from '@chat/protocol';
import type { ConsumedRecord, PartitionEnd } from '@chat/kafka';
import type { DeadLetterPosition } from '../cli/commands';
import { count, table, type Report } from '../cli/output';
import { CommandFailed, type Cluster } from '../kafka/cluster';
import { dlqTopicOf, isDeadLetterOf, ledgerEntry, replayHeaders, showValue, sourceTopicOf, summarize, type DeadLetterSummary } from './dead-letters';

/** Who replays, for the bookkeeping record: the operator's login on this host. */
export function operatorName(): string {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (some containers): the host still says where it came from.
  }
  return `${name}@${hostname()}`.slice(0, 100);
}

/** Every replay recorded on `ops.dlq-replays`, by dlqReplayKey (the newest per key; the topic is compacted). */
export async function loadLedger(cluster: Cluster): Promise<Map<string, DlqReplayedPayload>> {
  const ledger = new Map<string, DlqReplayedPayload>();
  if (!(await cluster.topicExists(Topics.dlqReplays.name))) return ledger;
  const ends = await cluster.ends([Topics.dlqReplays.name]);
  await cluster.read(Topics.dlqReplays.name, ends.map(wholePartition), (record) => {
    const entry = ledgerEntry(record);
    if (entry) ledger.set(dlqReplayKey(entry.deadLetterTopic, entry.partition, entry.offset), entry);
  }, { purpose: 'replay bookkeeping' });
  return ledger;
}

function wholePartition(end: PartitionEnd) {
  return { partition: end.partition, from: BigInt(end.low), to: BigInt(end.high) };
}

/**
 * `dlq list`: every dead-letter topic (or one) with its count, and its newest dead letters. For one
 * delivery topic, the dead letters of the shared `chat.deliveries.dlq` that came from it (the whole
 * topic is read to count them).
 */
export async function listDeadLetters(cluster: Cluster, options: { sourceTopic?: string; limit: number }): Promise<Report> {
  const topics = (await cluster.admin.listTopics()).filter((topic) => topic.endsWith(DLQ_SUFFIX) && (options.sourceTopic === undefined || topic === dlqTopicOf(options.sourceTopic))).sort();
  if (topics.length === 0) {
    const text = options.sourceTopic === undefined ? 'no dead-letter topics: nothing was ever dead-lettered' : `${dlqTopicOf(options.sourceTopic)} does not exist: nothing from ${options.sourceTopic} was ever dead-lettered`;
    return { ok: true, text, json: { topics: [] } };
  }
  const ends = await cluster.ends(topics);
  const ledger = await loadLedger(cluster);
  const result: Array<{ topic: string; sourceTopic: string; count: number; shown: number; deadLetters: DeadLetterSummary[] }> = [];
  for (const topic of topics) {
    const partitions = ends.filter((end) => end.topic === topic);
    const deadLetters: DeadLetterSummary[] = [];
    const sourceTopic = options.sourceTopic;
    const filtered = sourceTopic !== undefined && isSharedDeadLetterTopic(topic);
    let total = partitions.reduce((sum, end) => sum + Number(BigInt(end.high) - BigInt(end.low)), 0);
    if (filtered) {
      await cluster.read(topic, partitions.map(wholePartition), (record) => void (isDeadLetterOf(record, sourceTopic) && deadLetters.push(summarize(record, ledger))), { purpose: 'dead letters' });
      total = deadLetters.length;
    } else {
      // The newest `limit` of each partition, then the newest `limit` of those: a DLQ has one partition unless an operator added some.
      const ranges = partitions.map((end) => ({ partition: end.partition, from: maxBigInt(BigInt(end.low), BigInt(end.high) - BigInt(options.limit)), to: BigInt(end.high) }));
      await cluster.read(topic, ranges, (record) => void deadLetters.push(summarize(record, ledger)), { purpose: 'dead letters' });
    }
    deadLetters.sort((a, b) => a.time.localeCompare(b.time) || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    const shown = deadLetters.slice(-options.limit);
    result.push({ topic, sourceTopic: filtered ? sourceTopic : sourceTopicOf(topic), count: total, shown: shown.length, deadLetters: shown });
  }

  const summary = table(
    ['dead-letter topic', 'dead letters', 'replayed'],
    result.map((entry) => [entry.topic, entry.count, entry.deadLetters.filter((letter) => letter.replayed).length]),
  );
  const sections = result
    .filter((entry) => entry.count > 0)
    .map((entry) => {
      // A shared dead-letter topic names each record's source topic (where replay puts it back).
      const shared = isSharedDeadLetterTopic(entry.topic);
      const heading = `${entry.topic}${shared ? ` (from ${entry.sourceTopic})` : ''}: ${count(entry.count, 'dead letter')}${entry.shown < entry.count ? ` (the newest ${entry.shown}; --limit)` : ''}`;
      return `${heading}\n${table(
        ['partition:offset', ...(shared ? ['source'] : []), 'key', 'time', 'type', 'group', 'attempts', 'replayed', 'error'],
        entry.deadLetters.map((letter) => [
          `${letter.partition}:${letter.offset}`,
          ...(shared ? [letter.source.topic] : []),
          letter.key,
          letter.time,
          letter.recordType,
          letter.consumerGroup,
          letter.attempts,
          letter.replayed ? new Date(letter.replayed.replayedAt).toISOString() : 'no',
          letter.error === null ? null : truncate(letter.error, 100),
        ]),
      )}`;
    });
  return { ok: true, text: [summary, ...sections].join('\n\n'), json: { topics: result } };
}

/** `dlq inspect`: one dead letter in full. */
export async function inspectDeadLetter(cluster: Cluster, sourceTopic: string, position: DeadLetterPosition): Promise<Report> {
  const topic = dlqTopicOf(sourceTopic);
  const [record] = await readDeadLetters(cluster, topic, [position], sourceTopic);
  const ledger = await loadLedger(cluster);
  const summary = summarize(record as ConsumedRecord, ledger);
  const value = showValue((record as ConsumedRecord).value);
  const lines = [
    `${topic} ${position.partition}:${position.offset}` +
      (summary.source.topic ? ` (from ${summary.source.topic} ${summary.source.partition ?? '?'}:${summary.source.offset ?? '?'}, group ${summary.consumerGroup ?? '?'})` : ''),
    `key:       ${summary.key ?? '(none)'}`,
    `time:      ${summary.time}`,
    `replayed:  ${summary.replayed ? `at ${new Date(summary.replayed.replayedAt).toISOString()} by ${summary.replayed.replayedBy}${summary.replayed.forced ? ' (forced)' : ''}` : 'no'}`,
    'headers:',
    ...Object.entries((record as ConsumedRecord).headers).map(([name, headerValue]) => `  ${name}: ${JSON.stringify(headerValue).slice(1, -1)}`),
    `value (${value.encoding}):`,
    ...value.text.split('\n').map((line) => `  ${line}`),
  ];
  return {
    ok: true,
    text: lines.join('\n'),
    json: { ...summary, headers: (record as ConsumedRecord).headers, value: value.json ?? value.text, valueEncoding: value.encoding },
  };
}

/**
 * `dlq replay`: produces dead letters back to their source topic, in their order, then records each
 * on `ops.dlq-replays`. One already recorded there is skipped unless forced. The dead letters stay
 * where they are. A crash between the two steps replays a record again on the next run, which the
 * consumers' idempotency keys make harmless (as for any redelivery).
 */
export async function replayDeadLetters(cluster: Cluster, options: { sourceTopic: string; positions: DeadLetterPosition[] | 'all'; force: boolean }): Promise<Report> {
  const topic = dlqTopicOf(options.sourceTopic);
  if (!(await cluster.topicExists(options.sourceTopic))) throw new CommandFailed(`source topic ${options.sourceTopic} does not exist`);
  // From a shared dead-letter topic (every gateway's delivery topic), only the dead letters of this source.
  const records = options.positions === 'all' ? (await readAll(cluster, topic)).filter((record) => isDeadLetterOf(record, options.sourceTopic)) : await readDeadLetters(cluster, topic, options.positions, options.sourceTopic);
  const ledger = await loadLedger(cluster);
  const now = new Date();
  const by = operatorName();
  const outcomes: Array<{ partition: number; offset: string; key: string | null; outcome: 'replayed' | 'skipped'; previousReplay: DlqReplayedPayload | null }> = [];
  const toSource: Message[] = [];
  const bookkeeping: DlqReplayedPayload[] = [];
  for (const record of records) {
    const previous = ledger.get(dlqReplayKey(topic, record.partition, record.offset)) ?? null;
    if (previous && !options.force) {
      outcomes.push({ partition: record.partition, offset: record.offset, key: record.key, outcome: 'skipped', previousReplay: previous });
      continue;
    }
    toSource.push({ key: record.key, value: record.value, headers: replayHeaders(record.rawHeaders, topic, record.partition, record.offset, now) });
    bookkeeping.push({ deadLetterTopic: topic, partition: record.partition, offset: record.offset, sourceTopic: options.sourceTopic, replayedAt: now.getTime(), replayedBy: by, forced: previous !== null });
    outcomes.push({ partition: record.partition, offset: record.offset, key: record.key, outcome: 'replayed', previousReplay: previous });
  }
  if (toSource.length > 0) {
    try {
      await cluster.sendRaw(options.sourceTopic, toSource);
    } catch (error) {
      throw new CommandFailed(`producing ${count(toSource.length, 'record')} to ${options.sourceTopic} failed, nothing recorded as replayed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    try {
      await cluster.send(
        Topics.dlqReplays.name,
        bookkeeping.map((entry) => ({ key: dlqReplayKey(entry.deadLetterTopic, entry.partition, entry.offset), envelope: DlqReplayed.create(entry) })),
      );
    } catch (error) {
      throw new CommandFailed(
        `${count(toSource.length, 'record')} replayed to ${options.sourceTopic}, but recording them on ${Topics.dlqReplays.name} failed (a new replay would send them again; consumers are idempotent): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
  const replayed = outcomes.filter((entry) => entry.outcome === 'replayed').length;
  const skipped = outcomes.length - replayed;
  const headline =
    records.length === 0
      ? `${topic} holds no dead letters${isSharedDeadLetterTopic(topic) ? ` of ${options.sourceTopic}` : ''}: nothing to replay`
      : `${count(replayed, 'dead letter')} of ${topic} replayed to ${options.sourceTopic}${skipped > 0 ? `, ${skipped} skipped as already replayed (--force replays them again)` : ''}`;
  const text = outcomes.length === 0
    ? headline
    : `${headline}\n${table(
        ['partition:offset', 'key', 'outcome', 'replayed before'],
        outcomes.map((entry) => [
          `${entry.partition}:${entry.offset}`,
          entry.key,
          entry.outcome === 'skipped' ? 'skipped: already replayed' : 'replayed',
          entry.previousReplay ? `${new Date(entry.previousReplay.replayedAt).toISOString()} by ${entry.previousReplay.replayedBy}` : null,
        ]),
      )}`;
  return { ok: true, text, json: { deadLetterTopic: topic, sourceTopic: options.sourceTopic, replayed, skipped, records: outcomes } };
}

async function readAll(cluster: Cluster, topic: string): Promise<ConsumedRecord[]> {
  if (!(await cluster.topicExists(topic))) return [];
  const records: ConsumedRecord[] = [];
  await cluster.read(topic, (await cluster.ends([topic])).map(wholePartition), (record) => void records.push(record), { purpose: 'dead letters' });
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/**
 * The dead letters of `sourceTopic` at these positions, in the order given; fails naming a position
 * that holds none, or (in a shared dead-letter topic) one that came from another topic.
 */
async function readDeadLetters(cluster: Cluster, topic: string, positions: DeadLetterPosition[], sourceTopic: string): Promise<ConsumedRecord[]> {
  if (!(await cluster.topicExists(topic))) throw new CommandFailed(`${topic} does not exist: nothing from ${sourceTopic} was ever dead-lettered`);
  const ends = await cluster.ends([topic]);
  for (const position of positions) {
    const end = ends.find((candidate) => candidate.partition === position.partition);
    if (!end) throw new CommandFailed(`${topic} has no partition ${position.partition} (it has ${ends.map((e) => e.partition).join(', ')})`);
    if (position.offset < BigInt(end.low) || position.offset >= BigInt(end.high)) {
      throw new CommandFailed(`no dead letter at ${topic} ${position.partition}:${position.offset} (partition ${position.partition} holds offsets ${end.low} to ${BigInt(end.high) - 1n}${BigInt(end.high) === BigInt(end.low) ? ': none' : ''})`);
    }
  }
  const found = new Map<string, ConsumedRecord>();
  const wanted = new Set(positions.map((position) => `${position.partition}:${position.offset}`));
  // One read per partition, from its lowest wanted offset to just past its highest.
  const ranges = [...new Set(positions.map((position) => position.partition))].map((partition) => {
    const offsets = positions.filter((position) => position.partition === partition).map((position) => position.offset);
    return { partition, from: offsets.reduce(minBigInt), to: offsets.reduce(maxBigInt) + 1n };
  });
  await cluster.read(topic, ranges, (record) => {
    const position = `${record.partition}:${record.offset}`;
    if (wanted.has(position)) found.set(position, record);
  }, { purpose: 'dead letters' });
  return positions.map((position) => {
    const record = found.get(`${position.partition}:${position.offset}`);
    // Compaction or a transaction marker can leave an offset empty inside the range.
    if (!record) throw new CommandFailed(`no dead letter at ${topic} ${position.partition}:${position.offset}`);
    if (!isDeadLetterOf(record, sourceTopic)) {
      const from = record.headers[Headers.dlqSourceTopic];
      throw new CommandFailed(`the dead letter at ${topic} ${position.partition}:${position.offset} came from ${from ?? 'an unknown topic (no dlq-source-topic header)'}, not from ${sourceTopic}`);
    }
    return record;
  });
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

function maxBigInt(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function minBigInt(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
