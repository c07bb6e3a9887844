import { ChatClient, ChatRequestError } from '@chat/client-sdk';
import { nodeSocketFactory } from '@chat/client-sdk/node';
import { sleep } from '@chat/helpers';
import type { LatencySummary } from '../report/latency';
import type { ScenarioResult } from '../report/result';
import { finishScenario, rounded, type ScenarioContext, ScenarioRecorder, sendLoad, startPool, waitForCount } from './context';
import { setupPairs } from './messaging';

/** Messages in the conversation the stormers read (each sync from the start brings them all, in pages). */
const BACKLOG_MESSAGES = 400;
const BACKLOG_BODY_CHARS = 1000;
/** Longest wait after a refusal, whatever `retry in N ms` said. */
const MAX_RETRY_WAIT_MS = 1000;

interface StormCounts {
  answered: number;
  refused: number;
  failed: number;
}

/**
 * Issue 16, reads must not stall writes: pairs chat at --read-storm-rate for --read-storm-s seconds
 * (the baseline), then again for as long while --read-storm-users users flood reads from this process
 * (sync of a big conversation from its start, history pages, list_conversations pages), each as fast as
 * answers and its read quota allow. Measured: send → delivered p50/p99 without and with the storm, the
 * reads answered and refused (rate_limited by READS_PER_USER_PER_SECOND), and that every message sent
 * in either phase was delivered.
 */
export async function runReadStorm(context: ScenarioContext): Promise<ScenarioResult> {
  const { options, progress, suite } = context;
  const recorder = new ScenarioRecorder();
  const errors: string[] = [];
  const rate = options.readStormRate;
  const durationMs = options.readStormSeconds * 1000;
  const pairs = Math.max(5, Math.ceil(rate / 5));
  const gateways = suite.gatewayUrls.length;
  const pool = await startPool(context, 1, recorder, { clientMode: 'sdk' });
  const stormers: ChatClient[] = [];
  try {
    progress.say(`read-storm: ${pairs} pairs chatting at ${rate}/s, ${options.readStormUsers} users reading`);
    const chat = await setupPairs(context, pool, pairs, 'readstorm-chat', (i) => i % gateways);

    // The stormers, and the conversation they read: all of them in one group, BACKLOG_MESSAGES long.
    // One more user, never connected, so that a single stormer's group has a member besides its owner.
    const users = await context.users.registeredUsers(pairs * 2 + options.readStormUsers + 1);
    const readers = users.slice(pairs * 2, -1);
    const silentMember = users[users.length - 1];
    for (const [i, user] of readers.entries()) {
      const client = new ChatClient({ socketFactory: nodeSocketFactory(), userId: user.userId, codec: context.codec, requestTimeoutMs: 60_000, reconnect: false });
      await client.connect(suite.gatewayUrls[i % gateways], user.pair?.accessToken ?? user.token ?? '');
      stormers.push(client);
    }
    const [owner] = stormers;
    const group = await owner.createGroup('read storm', [...readers.slice(1), silentMember].map((user) => user.userId));
    const perWriter = Math.ceil(BACKLOG_MESSAGES / stormers.length);
    await Promise.all(
      stormers.map(async (client, w) => {
        for (let i = 0; i < perWriter; i += 1) await client.sendAndWaitStored(group.conversationId, `backlog ${w}/${i} `.padEnd(BACKLOG_BODY_CHARS, 'x'));
      }),
    );

    const phase = async (label: string, tag: string): Promise<{ sent: number; accepted: number; delivered: number; latency: LatencySummary }> => {
      recorder.mark();
      progress.start(`read-storm: ${label}`, () => `sent ${recorder.totals.sent} delivered ${recorder.totals.delivered}`, () => recorder.totals.sent / ((rate * durationMs) / 1000));
      const sent = await sendLoad(pool, chat.senders, rate, durationMs, options.payloadBytes, tag);
      const delivered = await waitForCount(() => recorder.totals.delivered, sent.accepted, { quietMs: 10_000, timeoutMs: 60_000 });
      progress.stop();
      errors.push(...sent.errors.slice(0, 5));
      return { sent: sent.sent, accepted: sent.accepted, delivered, latency: recorder.delivered.summary() };
    };

    const baseline = await phase('baseline', 'baseline');
    const counts: StormCounts = { answered: 0, refused: 0, failed: 0 };
    let storming = true;
    const storm = Promise.all(
      stormers.map(async (client, s) => {
        for (let i = s; storming; i += 1) {
          try {
            if (i % 3 === 0) await client.sync([{ conversationId: group.conversationId, afterSeq: 0 }]);
            else if (i % 3 === 1) await client.history(group.conversationId, { limit: 100 });
            else await client.listConversationsPage({ limit: 100 });
            counts.answered += 1;
          } catch (error) {
            if (error instanceof ChatRequestError && error.code === 'rate_limited') {
              counts.refused += 1;
              const retryIn = Number(/retry in (\d+) ms/.exec(error.message)?.[1] ?? MAX_RETRY_WAIT_MS);
              await sleep(Math.min(retryIn, MAX_RETRY_WAIT_MS));
            } else {
              counts.failed += 1;
              if (counts.failed <= 3) errors.push(`storm read failed: ${error instanceof Error ? error.message : String(error)}`);
              await sleep(MAX_RETRY_WAIT_MS);
            }
          }
        }
      }),
    );
    const stormed = await phase('with the read storm', 'readstorm');
    storming = false;
    await storm;

    const stormSeconds = durationMs / 1000;
    const figures = {
      chatRate: rate,
      pairs,
      readers: stormers.length,
      backlogMessages: perWriter * stormers.length,
      baselineDeliveredP50Ms: baseline.latency.p50,
      baselineDeliveredP99Ms: baseline.latency.p99,
      stormDeliveredP50Ms: stormed.latency.p50,
      stormDeliveredP99Ms: stormed.latency.p99,
      readsAnsweredPerSecond: rounded(counts.answered / stormSeconds),
      readsRefusedPerSecond: rounded(counts.refused / stormSeconds),
      readsFailed: counts.failed,
    };
    const table = {
      title: 'send → delivered (ms), baseline vs read storm',
      rows: [
        ['phase', 'sent', 'delivered', 'p50', 'p99', 'max'],
        ['baseline', String(baseline.sent), String(baseline.delivered), baseline.latency.p50.toFixed(1), baseline.latency.p99.toFixed(1), baseline.latency.max.toFixed(1)],
        ['read storm', String(stormed.sent), String(stormed.delivered), stormed.latency.p50.toFixed(1), stormed.latency.p99.toFixed(1), stormed.latency.max.toFixed(1)],
      ],
    };
    progress.say(`read-storm: p50/p99 ${baseline.latency.p50.toFixed(1)}/${baseline.latency.p99.toFixed(1)} ms baseline, ${stormed.latency.p50.toFixed(1)}/${stormed.latency.p99.toFixed(1)} ms in the storm (${figures.readsAnsweredPerSecond} reads/s answered, ${figures.readsRefusedPerSecond}/s refused)`);
    const checks = [
      { name: 'every message delivered, baseline', ok: baseline.delivered === baseline.accepted && baseline.accepted === baseline.sent, detail: `${baseline.delivered}/${baseline.sent}` },
      { name: 'every message delivered, read storm', ok: stormed.delivered === stormed.accepted && stormed.accepted === stormed.sent, detail: `${stormed.delivered}/${stormed.sent}` },
      { name: 'reads answered during the storm', ok: counts.answered > 0 && counts.failed === 0, detail: `${counts.answered} answered, ${counts.refused} refused, ${counts.failed} failed` },
    ];
    return finishScenario('read-storm', recorder, figures, checks, errors, { readStormSeconds: stormSeconds }, [table]);
  } finally {
    progress.stop();
    for (const client of stormers) client.close();
    await pool.stop();
  }
}
