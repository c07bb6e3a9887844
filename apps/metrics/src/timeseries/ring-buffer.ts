/** Fixed-capacity buffer keeping the newest items; the oldest is overwritten when full. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`RingBuffer: capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  get length(): number {
    return this.size;
  }

  /** The newest `count` items (all by default), oldest first. */
  latest(count = this.size): T[] {
    const n = Math.max(0, Math.min(count, this.size));
    const result: T[] = [];
    for (let i = this.size - n; i < this.size; i += 1) {
      result.push(this.items[(this.next - this.size + i + this.capacity) % this.capacity] as T);
    }
    return result;
  }
}
