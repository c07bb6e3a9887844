import type { SenderSpec } from '../workers/messages';
import type { WorkerPool } from '../workers/worker-pool';
import { clientSpec, openClients, retryNotFound, type ScenarioContext, workerOf } from './context';

export interface PairSetup {
  senders: Array<SenderSpec & { worker: number }>;
  pairs: number;
  openErrors: string[];
}

const OPEN_DIRECT_BATCH = 50;

/**
 * `pairs` pairs of registered users, connected (partners on different workers and, with several
 * gateways, different gateways), each pair in its direct conversation; both partners send.
 */
export async function setupPairs(context: ScenarioContext, pool: WorkerPool, pairs: number, prefix: string, gatewayOf: (clientIndex: number) => number): Promise<PairSetup> {
  const users = await context.users.registeredUsers(pairs * 2, { onProgress: (done) => done % 200 === 0 && context.progress.say(`${prefix}: ${done} users registered`) });
  const specs = users.map((user, i) => clientSpec(user, `${prefix}-${i}`, gatewayOf(i)));
  const opened = await openClients(pool, specs, 1000);
  if (opened.failed > 0) throw new Error(`${prefix}: ${opened.failed} of ${specs.length} clients could not connect: ${opened.errors.slice(0, 3).join('; ')}`);

  const byWorker = new Map<number, Array<{ key: string; peerId: string; pair: number }>>();
  for (let p = 0; p < pairs; p++) {
    const worker = workerOf(pool, 2 * p);
    const items = byWorker.get(worker) ?? [];
    items.push({ key: specs[2 * p].key, peerId: users[2 * p + 1].userId, pair: p });
    byWorker.set(worker, items);
  }
  const conversations: string[] = new Array<string>(pairs);
  await Promise.all(
    [...byWorker.entries()].map(async ([worker, items]) => {
      for (let i = 0; i < items.length; i += OPEN_DIRECT_BATCH) {
        const batch = items.slice(i, i + OPEN_DIRECT_BATCH);
        const ids = await retryNotFound(() => pool.request<string[]>(worker, { type: 'open-directs', items: batch.map(({ key, peerId }) => ({ key, peerId })) }));
        batch.forEach((item, j) => (conversations[item.pair] = ids[j]));
      }
    }),
  );
  const senders: PairSetup['senders'] = [];
  for (let p = 0; p < pairs; p++) {
    senders.push({ key: specs[2 * p].key, conversationId: conversations[p], worker: workerOf(pool, 2 * p) });
    senders.push({ key: specs[2 * p + 1].key, conversationId: conversations[p], worker: workerOf(pool, 2 * p + 1) });
  }
  return { senders, pairs, openErrors: opened.errors };
}

/** Pairs for a total rate: each user sends at most 5 messages/s (the gateway allows 20 frames/s per connection). */
export function pairsFor(rate: number, requested?: number): number {
  return requested ?? Math.max(10, Math.ceil(rate / 10));
}
