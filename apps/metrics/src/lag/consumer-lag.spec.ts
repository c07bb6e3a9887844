import { groupLag, isDeadLetterTopic, isReportedGroup, topicSize, type Watermarks } from './consumer-lag';

const marks = (list: [number, number, number][]): Watermarks[] => list.map(([partition, low, high]) => ({ partition, low: String(low), high: String(high) }));

describe('groupLag', () => {
  const watermarks = new Map([['chat.events', marks([[0, 0, 120], [1, 0, 40], [2, 0, 0]])]]);

  it('is the high watermark minus the committed offset per partition, summed for the group', () => {
    const lag = groupLag('router', 'Stable', [{ topic: 'chat.events', partitions: [{ partition: 0, offset: '100' }, { partition: 1, offset: '40' }] }], watermarks);
    expect(lag).toEqual({
      groupId: 'router',
      state: 'Stable',
      lag: 20,
      partitions: [
        { topic: 'chat.events', partition: 0, committedOffset: 100, highWatermark: 120, lag: 20 },
        { topic: 'chat.events', partition: 1, committedOffset: 40, highWatermark: 40, lag: 0 },
      ],
    });
  });

  it('leaves the lag unknown where the group never committed, instead of guessing where it starts', () => {
    const lag = groupLag('g', 'Stable', [{ topic: 'chat.events', partitions: [{ partition: 0, offset: '-1' }] }], watermarks);
    expect(lag.partitions[0]).toEqual({ topic: 'chat.events', partition: 0, committedOffset: null, highWatermark: 120, lag: null });
    expect(lag.lag).toBe(0);
  });

  it('does not count records that retention removed before the group read them', () => {
    const lag = groupLag('g', 'Empty', [{ topic: 't', partitions: [{ partition: 0, offset: '10' }] }], new Map([['t', marks([[0, 50, 80]])]]));
    expect(lag.partitions[0].lag).toBe(30);
  });

  it('leaves the lag unknown for a topic without watermarks (deleted since)', () => {
    const lag = groupLag('g', 'Empty', [{ topic: 'gone', partitions: [{ partition: 0, offset: '5' }] }], watermarks);
    expect(lag.partitions[0]).toMatchObject({ committedOffset: 5, highWatermark: null, lag: null });
  });

  it('never reports a negative lag (a commit read before the watermark it passed)', () => {
    expect(groupLag('g', 'Stable', [{ topic: 'chat.events', partitions: [{ partition: 1, offset: '41' }] }], watermarks).lag).toBe(0);
  });
});

describe('group and topic selection', () => {
  it('ignores per-run groups that never commit and reports every other group', () => {
    expect(isReportedGroup('router.views.router-1.1767225600000')).toBe(false);
    expect(isReportedGroup('metrics.samples.metrics-1')).toBe(false);
    for (const group of ['router', 'router.presence', 'persistence.commands', 'gateway.gateway-1', 'metrics.instances.metrics-1', 'e2e-order-1']) {
      expect(isReportedGroup(group)).toBe(true);
    }
  });

  it('recognises dead-letter topics by their suffix', () => {
    expect(isDeadLetterTopic('chat.commands.dlq')).toBe(true);
    expect(isDeadLetterTopic('chat.commands')).toBe(false);
  });

  it('sizes a topic as retained records over all partitions', () => {
    expect(topicSize('chat.commands.dlq', marks([[0, 2, 7], [1, 0, 0]]))).toEqual({ topic: 'chat.commands.dlq', records: 5 });
  });
});
