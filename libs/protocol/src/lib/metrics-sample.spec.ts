import { ProtocolError } from '@chat/wire';
import { MetricsSample } from './metrics-sample';

const sample = {
  service: 'gateway' as const,
  instanceId: 'gateway-1',
  at: 1_700_000_000_000,
  intervalMs: 2000,
  counters: [{ name: 'chat_messages_total', labels: { stage: 'accepted' }, value: 42 }],
  gauges: [{ name: 'chat_connections', labels: {}, value: 3 }],
  histograms: [{ name: 'chat_latency_microseconds', labels: { span: 'send_to_accepted' }, count: 1, encoded: 'HISTFAAAACJ4nJNpmSzM' }],
};

describe('MetricsSample', () => {
  it('round-trips a sample', () => {
    expect(MetricsSample.decode(JSON.stringify(MetricsSample.create(sample))).payload).toEqual(sample);
  });

  it('names the offending field of a bad metric name or label', () => {
    expect(() => MetricsSample.create({ ...sample, counters: [{ name: 'bad name', labels: {}, value: 1 }] })).toThrow(ProtocolError);
    expect(() => MetricsSample.create({ ...sample, counters: [{ name: 'bad name', labels: {}, value: 1 }] })).toThrow(/payload\.counters\.0\.name/);
    expect(() => MetricsSample.create({ ...sample, gauges: [{ name: 'g', labels: { 'bad-label': 'x' }, value: 1 }] })).toThrow(/payload\.gauges\.0\.labels/);
  });
});
