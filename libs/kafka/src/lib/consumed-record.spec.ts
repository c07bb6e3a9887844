import type { KafkaMessage } from 'kafkajs';
import { toConsumedRecord } from './consumed-record';

describe('toConsumedRecord', () => {
  it('exposes key and headers as text, keeps the raw headers and picks up the trace id', () => {
    const binary = Buffer.from([0, 255]);
    const message: KafkaMessage = {
      key: Buffer.from('conversation-1'),
      value: Buffer.from('{}'),
      timestamp: '1700000000000',
      attributes: 0,
      offset: '41',
      headers: { 'trace-id': Buffer.from('0123456789abcdef0123456789abcdef'), list: [Buffer.from('a'), Buffer.from('b')], binary },
    };
    const record = toConsumedRecord('chat.events', 2, message);
    expect(record).toMatchObject({
      topic: 'chat.events',
      partition: 2,
      offset: '41',
      key: 'conversation-1',
      timestamp: 1700000000000,
      traceId: '0123456789abcdef0123456789abcdef',
      headers: { 'trace-id': '0123456789abcdef0123456789abcdef', list: 'a' },
    });
    expect(record.rawHeaders['binary']).toBe(binary);
  });

  it('treats a missing key as null and a record without headers as untraced', () => {
    const record = toConsumedRecord('t', 0, { key: null, value: null, timestamp: '0', attributes: 0, offset: '0', size: 0 });
    expect(record.key).toBeNull();
    expect(record.traceId).toBeUndefined();
    expect(record.rawHeaders).toEqual({});
  });
});
