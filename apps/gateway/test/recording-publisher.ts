// Test support for the specs of this app, outside src/ so no build ships it.
import type { Envelope } from '@chat/protocol';
import type { PublishedRecord, RecordPublisher } from '../src/publishing/record-publisher';

/** One record as Kafka would hold it; `envelope` null for a tombstone. */
export interface RecordedRecord {
  topic: string;
  key: string;
  envelope: Envelope | null;
}

/** A RecordPublisher for unit tests: records what would have been produced, and fails on demand. */
export class RecordingPublisher implements RecordPublisher {
  readonly records: RecordedRecord[] = [];
  /** While set, every produce rejects with it, as the Kafka producer does when the broker is away. */
  failure: Error | null = null;
  /** Records of each successful publish or tombstone call, in order. */
  readonly sendSizes: number[] = [];

  async publish(topic: string, records: PublishedRecord[]): Promise<void> {
    this.check();
    for (const { key, envelope } of records) this.records.push({ topic, key, envelope });
    this.sendSizes.push(records.length);
  }

  async tombstone(topic: string, keys: string[]): Promise<void> {
    this.check();
    for (const key of keys) this.records.push({ topic, key, envelope: null });
    this.sendSizes.push(keys.length);
  }

  on(topic: string): RecordedRecord[] {
    return this.records.filter((record) => record.topic === topic);
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}
