export type ReceiptStatus = 'delivered' | 'read';

export interface ReceiptLike {
  conversationId: string;
  userId: string;
  seq: number;
  status: ReceiptStatus;
}

/**
 * How far each other member got in each conversation (delivered, read), and which of this user's
 * own messages a receipt newly covers: what the ✓✓ lines show. A receipt covers every earlier seq,
 * and a read covers delivery too.
 */
export class ReceiptTracker {
  private readonly mine = new Map<string, number[]>();
  private readonly positions = new Map<string, Map<string, { delivered: number; read: number }>>();

  /** One of this user's messages is stored with `seq`. */
  noteMine(conversationId: string, seq: number): void {
    const seqs = this.mine.get(conversationId) ?? [];
    if (!seqs.includes(seq)) {
      seqs.push(seq);
      seqs.sort((a, b) => a - b);
    }
    this.mine.set(conversationId, seqs);
  }

  /** The newest of this user's messages known in the conversation. */
  lastMine(conversationId: string): number | undefined {
    return this.mine.get(conversationId)?.at(-1);
  }

  position(conversationId: string, userId: string, status: ReceiptStatus): number {
    const position = this.positions.get(conversationId)?.get(userId);
    if (!position) return 0;
    return status === 'read' ? position.read : Math.max(position.delivered, position.read);
  }

  /** Takes a receipt in; returns this user's messages it newly covers at its status (ascending, maybe none). */
  apply(receipt: ReceiptLike): number[] {
    let members = this.positions.get(receipt.conversationId);
    if (!members) this.positions.set(receipt.conversationId, (members = new Map()));
    const position = members.get(receipt.userId) ?? { delivered: 0, read: 0 };
    const before = this.position(receipt.conversationId, receipt.userId, receipt.status);
    if (receipt.status === 'read') position.read = Math.max(position.read, receipt.seq);
    else position.delivered = Math.max(position.delivered, receipt.seq);
    members.set(receipt.userId, position);
    const after = this.position(receipt.conversationId, receipt.userId, receipt.status);
    return (this.mine.get(receipt.conversationId) ?? []).filter((seq) => seq > before && seq <= after);
  }
}
