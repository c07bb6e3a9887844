import { DlqReplayed, encodeEnvelope } from '@chat/protocol';
import type { ConsumedRecord } from '@chat/kafka';

function consumedRecord({ value, ...fields }: Partial<Omit<ConsumedRecord, 'value'>> & { value: Buffer | string | null }): ConsumedRecord {
  return { topic: 't', partition: 0, offset: '0', key: null, headers: {}, rawHeaders: {}, timestamp: 0, traceId: undefined, ...fields, value: typeof value === 'string' ? Buffer.from(value) : value };
}
import { dlqTopicOf, isDeadLetterOf, ledgerEntry, replayHeaders, showValue, sourceTopicOf, summarize } from './dead-letters';

const deadLetterHeaders = {
  'trace-id': Buffer.from('0123456789abcdef0123456789abcdef'),
  'record-type': Buffer.from('chat.command.send-message'),
  'x-custom': Buffer.from([0xff, 0x00]),
  'dlq-error': Buffer.from('ProtocolError: payload.body: too long'),
  'dlq-source-topic': Buffer.from('chat.commands'),
  'dlq-source-partition': Buffer.from('7'),
  'dlq-source-offset': Buffer.from('1234'),
  'dlq-consumer-group': Buffer.from('persistence.commands'),
  'dlq-attempts': Buffer.from('1'),
  'dlq-failed-at': Buffer.from('2027-01-01T00:00:00.000Z'),
};

describe('replayHeaders', () => {
  it('keeps the original headers byte for byte, drops the dlq-* ones and says where the record was replayed from', () => {
    const headers = replayHeaders(deadLetterHeaders, 'chat.commands.dlq', 0, '3', new Date('2027-01-02T00:00:00Z'));
    expect(headers).toEqual({
      'trace-id': deadLetterHeaders['trace-id'],
      'record-type': deadLetterHeaders['record-type'],
      'x-custom': Buffer.from([0xff, 0x00]),
      'replayed-from': 'chat.commands.dlq/0/3',
      'replayed-at': '2027-01-02T00:00:00.000Z',
    });
  });

  it('a record replayed before carries only the newest replay position', () => {
    const again = replayHeaders({ ...deadLetterHeaders, 'replayed-from': 'chat.commands.dlq/0/1', 'replayed-at': 'then' }, 'chat.commands.dlq', 0, '9', new Date(0));
    expect(again['replayed-from']).toBe('chat.commands.dlq/0/9');
  });
});

describe('summarize', () => {
  it('reads where the dead letter came from and why from its headers, and its last replay from the ledger', () => {
    const record = { ...consumedRecord({ topic: 'chat.commands.dlq', partition: 0, offset: '3', key: 'conv-1', value: '{}' }), timestamp: Date.parse('2027-01-01T00:00:01Z') };
    const headers = Object.fromEntries(Object.entries(deadLetterHeaders).map(([name, value]) => [name, value.toString('utf8')]));
    const replay = { deadLetterTopic: 'chat.commands.dlq', partition: 0, offset: '3', sourceTopic: 'chat.commands', replayedAt: 5, replayedBy: 'ops@host', forced: false };
    expect(summarize({ ...record, headers }, new Map([['chat.commands.dlq/0/3', replay]]))).toEqual({
      deadLetterTopic: 'chat.commands.dlq',
      partition: 0,
      offset: '3',
      key: 'conv-1',
      time: '2027-01-01T00:00:01.000Z',
      recordType: 'chat.command.send-message',
      source: { topic: 'chat.commands', partition: 7, offset: '1234' },
      consumerGroup: 'persistence.commands',
      attempts: 1,
      error: 'ProtocolError: payload.body: too long',
      replayed: replay,
    });
  });
});

describe('showValue', () => {
  it('pretty-prints JSON, shows other text as it is, binary as base64', () => {
    expect(showValue(Buffer.from('{"a":[1]}'))).toEqual({ encoding: 'json', text: '{\n  "a": [\n    1\n  ]\n}', json: { a: [1] } });
    expect(showValue(Buffer.from('not json'))).toEqual({ encoding: 'text', text: 'not json' });
    expect(showValue(Buffer.from([0xff, 0xfe]))).toEqual({ encoding: 'base64', text: '//4=' });
    expect(showValue(null).encoding).toBe('null');
  });
});

describe('ledgerEntry', () => {
  it('reads a bookkeeping record and leaves out what it cannot read', () => {
    const payload = { deadLetterTopic: 'chat.commands.dlq', partition: 0, offset: '3', sourceTopic: 'chat.commands', replayedAt: 5, replayedBy: 'ops@host', forced: false };
    expect(ledgerEntry(consumedRecord({ topic: 'ops.dlq-replays', value: encodeEnvelope(DlqReplayed.create(payload)) }))).toEqual(payload);
    expect(ledgerEntry(consumedRecord({ topic: 'ops.dlq-replays', value: 'garbage' }))).toBeNull();
    expect(ledgerEntry(consumedRecord({ topic: 'ops.dlq-replays', value: null }))).toBeNull();
  });
});

describe('the dead letters of a delivery topic', () => {
  it('are in chat.deliveries.dlq, and a record there belongs to the delivery topic its dlq-source-topic names', () => {
    expect(dlqTopicOf('chat.delivery.gw-1')).toBe('chat.deliveries.dlq');
    expect(dlqTopicOf('chat.commands')).toBe('chat.commands.dlq');
    expect(sourceTopicOf('chat.deliveries.dlq')).toBe('chat.delivery.<gatewayId>');
    expect(sourceTopicOf('chat.commands.dlq')).toBe('chat.commands');
    const fromGw1 = consumedRecord({ topic: 'chat.deliveries.dlq', headers: { 'dlq-source-topic': 'chat.delivery.gw-1' }, value: 'x' });
    expect(isDeadLetterOf(fromGw1, 'chat.delivery.gw-1')).toBe(true);
    expect(isDeadLetterOf(fromGw1, 'chat.delivery.gw-2')).toBe(false);
    expect(isDeadLetterOf(consumedRecord({ topic: 'chat.deliveries.dlq', value: 'x' }), 'chat.delivery.gw-1')).toBe(false);
    // A `<topic>.dlq` holds only its topic's dead letters, whatever a header says.
    expect(isDeadLetterOf(consumedRecord({ topic: 'chat.commands.dlq', value: 'x' }), 'chat.commands')).toBe(true);
  });
});
