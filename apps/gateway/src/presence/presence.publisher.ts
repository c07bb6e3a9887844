import { Inject, Injectable, Logger } from '@nestjs/common';
import { type OpenedSession, PresenceChanged, presenceKey, Topics } from '@chat/protocol';
import { backoffDelay, describeError, sleep, withTimeout } from '@chat/helpers';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import type { PresenceChange } from '../connections/connection-registry';
import { RECORD_PUBLISHER, type RecordPublisher } from '../publishing/record-publisher';
import { LeasePublisher } from './lease.publisher';

/**
 * Records per produce: a connect wave of thousands of users must not become one request that the
 * broker cannot acknowledge in time, holding up the lease and heartbeat sends queued behind it.
 */
export const MAX_PRESENCE_RECORDS_PER_SEND = 1000;

interface PresenceState {
  connections: number;
  at: number;
  /** Sockets opened since the last published record, waiting for their `session` frame. */
  openedSessions: OpenedSession[];
}

/**
 * Publishes how many sockets each user has on this gateway to the compacted `chat.presence`
 * (key `<gatewayId>/<userId>`), a tombstone when the count drops to 0. What is published is the
 * latest state per user, not each change: a burst of reconnects becomes one record, and a failed
 * produce is retried with the then-current count until Kafka has it, so the topic converges on the
 * truth even across a broker outage.
 */
@Injectable()
export class PresencePublisher {
  private readonly logger = new Logger(PresencePublisher.name);
  private readonly pending = new Map<string, PresenceState>();
  private flushing: Promise<void> | null = null;
  private accepting = true;
  private readonly stopping = new AbortController();
  private readonly stopped: Promise<void>;

  constructor(
    @Inject(RECORD_PUBLISHER) private readonly publisher: RecordPublisher,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly lease: LeasePublisher,
  ) {
    this.stopped = new Promise((resolve) => this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** Records the user's new socket count; `opened` is the socket that just opened, if any. */
  record(change: PresenceChange, at: number, opened?: OpenedSession): void {
    if (!this.accepting) return;
    const waiting = this.pending.get(change.userId)?.openedSessions ?? [];
    this.pending.set(change.userId, { connections: change.connections, at, openedSessions: opened ? [...waiting, opened] : waiting });
    this.schedule();
  }

  /** Publishes what is pending (the shutdown tombstones), then stops; bounded by `timeoutMs`. */
  async close(timeoutMs: number): Promise<void> {
    this.accepting = false;
    try {
      await withTimeout(
        (async () => {
          while (this.flushing) await this.flushing;
        })(),
        timeoutMs,
        `presence not published within ${timeoutMs} ms`,
      );
    } catch (error) {
      // Whatever is left is ignored by the router once this gateway's lease is gone or expired.
      this.logger.warn({ msg: 'presence not fully published before shutdown', users: this.pending.size, error: describeError(error) });
    }
    this.stopping.abort();
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = null;
      if (this.pending.size > 0 && !this.stopping.signal.aborted) this.schedule();
    });
  }

  private async flushLoop(): Promise<void> {
    await Promise.race([this.lease.renewed(), this.stopped]);
    for (let attempt = 1; this.pending.size > 0 && !this.stopping.signal.aborted; ) {
      const batch = this.takePending(MAX_PRESENCE_RECORDS_PER_SEND);
      try {
        await this.publish(batch);
        attempt = 1;
      } catch (error) {
        // Put the states back unless a newer one for the user arrived meanwhile; the sockets still
        // waiting for their session frame go with the newer state.
        for (const [userId, state] of batch) {
          const newer = this.pending.get(userId);
          if (newer) newer.openedSessions = [...state.openedSessions, ...newer.openedSessions];
          else this.pending.set(userId, state);
        }
        const retryInMs = backoffDelay(attempt, { initialMs: 200, maxMs: 5000 });
        attempt += 1;
        this.logger.warn({ msg: 'presence not published, retrying', users: batch.size, retryInMs, error: describeError(error) });
        await sleep(retryInMs, this.stopping.signal);
      }
    }
  }

  /** Moves up to `limit` of the oldest pending states out of `pending`. */
  private takePending(limit: number): Map<string, PresenceState> {
    const batch = new Map<string, PresenceState>();
    for (const [userId, state] of this.pending) {
      if (batch.size >= limit) break;
      batch.set(userId, state);
      this.pending.delete(userId);
    }
    return batch;
  }

  private async publish(batch: Map<string, PresenceState>): Promise<void> {
    const gatewayId = this.identity.instanceId;
    const online = [];
    const offline = [];
    for (const [userId, { connections, at, openedSessions }] of batch) {
      const key = presenceKey(gatewayId, userId);
      if (connections === 0) {
        // Every socket of the user is closed again: no session frame is wanted any more.
        offline.push(key);
        continue;
      }
      const sessions = openedSessions.length > 0 ? { openedSessions } : {};
      const envelope = PresenceChanged.create({ gatewayId, userId, connections, at, gatewayStartedAt: this.identity.startedAt, ...sessions });
      online.push({ key, envelope });
    }
    await Promise.all([
      online.length > 0 ? this.publisher.publish(Topics.presence.name, online) : undefined,
      offline.length > 0 ? this.publisher.tombstone(Topics.presence.name, offline) : undefined,
    ]);
  }
}
