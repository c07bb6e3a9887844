import { Logger } from '@nestjs/common';
import { GatewayMetrics } from '../telemetry/gateway.metrics';

/** What the budget needs of a connection; tests use plain objects. */
export interface BudgetedConnection {
  readonly id: string;
  /** Bytes queued for the client and not yet taken by the kernel (0 once cut). */
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
  /** Closes with 4005 (slow consumer); the backlog stays until the close grace ends or the socket is cut. */
  shed(reason: string): void;
  /** Destroys the TCP socket at once, dropping its backlog. */
  cut(): void;
}

/** After shedding, the sum is brought down to this share of the budget, so one more frame does not shed again. */
const LOW_WATER_SHARE = 0.75;
/** One warning per this interval says how many sockets the budget closed. */
const WARNING_INTERVAL_MS = 10_000;

/**
 * The process-wide budget of bytes queued for clients (GATEWAY_OUTBOUND_BUFFER_BUDGET_BYTES): the
 * per-socket limit alone lets 10,000 sockets that do not read hold 10,000 × 4 MiB. Every write is
 * charged first; counting the exact sum costs a pass over the sockets, so it is done only when the
 * running estimate (last count + bytes charged since, an upper bound) passes the budget, and at most
 * once per event-loop turn (within a turn the estimate is the count plus what was added: corked
 * writes leave at the turn's end). Over the budget, sockets already closing are cut first (they
 * were told), then the open sockets with the largest backlogs are closed with 4005, until the sum
 * is under three quarters of the budget. Broadcast bytes are shared between sockets but counted
 * once per socket, so the budget over-counts, never under-counts, what the backlogs hold.
 */
export class OutboundBudget<C extends BudgetedConnection = BudgetedConnection> {
  private readonly logger = new Logger(OutboundBudget.name);
  private countedBytes = 0;
  private chargedSinceCount = 0;
  private countedThisTurn = false;
  private shedSinceWarning = 0;
  private warnedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly budgetBytes: number,
    /** Every connection of the process, closing ones included (they still hold their backlog). */
    private readonly connections: () => readonly C[],
    private readonly now: () => number = Date.now,
  ) {}

  /** The last count plus bytes charged since: at least what all backlogs hold now. */
  get estimatedBytes(): number {
    return this.countedBytes + this.chargedSinceCount;
  }

  /**
   * Charges `bytes` about to be written to `connection`; over the budget, sheds the largest
   * backlogs (maybe this connection's). False when `connection` is no longer open to write to.
   */
  charge(connection: C, bytes: number): boolean {
    this.chargedSinceCount += bytes;
    if (this.estimatedBytes > this.budgetBytes) this.enforce();
    return connection.isOpen;
  }

  /** Counts the exact sum (once per turn) and sheds down to the low-water mark if it is over the budget. */
  enforce(): void {
    if (!this.countedThisTurn) this.count();
    if (this.estimatedBytes <= this.budgetBytes) return;
    this.shed();
  }

  /** The exact sum of every backlog, also published as chat_outbound_buffered_bytes. */
  count(): number {
    let total = 0;
    for (const connection of this.connections()) total += connection.bufferedAmount;
    this.countedBytes = total;
    this.chargedSinceCount = 0;
    GatewayMetrics.outboundBuffered.set({}, total);
    if (!this.countedThisTurn) {
      this.countedThisTurn = true;
      setImmediate(() => (this.countedThisTurn = false));
    }
    return total;
  }

  private shed(): void {
    const lowWater = this.budgetBytes * LOW_WATER_SHARE;
    let total = this.estimatedBytes;
    const byBacklog = this.connections()
      .map((connection) => ({ connection, bytes: connection.bufferedAmount }))
      .filter(({ bytes }) => bytes > 0)
      .sort((a, b) => b.bytes - a.bytes);
    let cut = 0;
    let closed = 0;
    // Sockets already closing were told why; their backlogs are dropped before any open socket is closed.
    for (const { connection, bytes } of byBacklog) {
      if (total <= lowWater) break;
      if (connection.isOpen) continue;
      connection.cut();
      total -= bytes;
      cut += 1;
    }
    for (const { connection, bytes } of byBacklog) {
      if (total <= lowWater) break;
      if (!connection.isOpen) continue;
      connection.shed('server send buffers full; reconnect and sync');
      total -= bytes;
      closed += 1;
    }
    // Closed sockets add nothing more; what they hold is dropped by the next shedding or their close grace.
    this.countedBytes = total;
    this.chargedSinceCount = 0;
    if (closed > 0) GatewayMetrics.slowConsumersClosed.inc({ limit: 'process' }, closed);
    this.warn(closed + cut);
  }

  private warn(shed: number): void {
    this.shedSinceWarning += shed;
    const now = this.now();
    if (this.shedSinceWarning === 0 || now - this.warnedAt < WARNING_INTERVAL_MS) return;
    this.logger.warn({ msg: 'outbound buffer budget exceeded: largest backlogs closed', socketsSinceLastWarning: this.shedSinceWarning, budgetBytes: this.budgetBytes });
    this.shedSinceWarning = 0;
    this.warnedAt = now;
  }
}
