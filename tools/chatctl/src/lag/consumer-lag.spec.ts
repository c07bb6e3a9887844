import { groupLag, lagReport } from './consumer-lag';

describe('groupLag', () => {
  const ends = [
    { topic: 'chat.commands', partition: 0, high: '120', low: '0' },
    { topic: 'chat.commands', partition: 1, high: '50', low: '40' },
    { topic: 'chat.users', partition: 0, high: '7', low: '0' },
  ];

  it('is the end minus the committed offset per partition, summed per group', () => {
    const lag = groupLag('persistence.commands', 'Stable', 1, [{ topic: 'chat.commands', partitions: [{ partition: 1, offset: '45' }, { partition: 0, offset: '100' }] }], ends);
    expect(lag).toEqual({
      group: 'persistence.commands',
      state: 'Stable',
      members: 1,
      lag: 25,
      partitions: [
        { topic: 'chat.commands', partition: 0, committed: 100, end: 120, lag: 20 },
        { topic: 'chat.commands', partition: 1, committed: 45, end: 50, lag: 5 },
      ],
    });
  });

  it('does not count records retention removed before the group read them, nor partitions never committed', () => {
    const lag = groupLag('g', 'Empty', 0, [{ topic: 'chat.commands', partitions: [{ partition: 1, offset: '10' }, { partition: 0, offset: '-1' }] }], ends);
    expect(lag.partitions).toEqual([
      { topic: 'chat.commands', partition: 0, committed: null, end: 120, lag: null },
      { topic: 'chat.commands', partition: 1, committed: 10, end: 50, lag: 10 },
    ]);
    expect(lag.lag).toBe(10);
  });

  it('knows no lag of a topic that is gone', () => {
    expect(groupLag('g', 'Empty', 0, [{ topic: 'gone', partitions: [{ partition: 0, offset: '3' }] }], ends).partitions).toEqual([{ topic: 'gone', partition: 0, committed: 3, end: null, lag: null }]);
  });
});

describe('lagReport', () => {
  it('prints totals per group, then every partition', () => {
    const report = lagReport([groupLag('router', 'Stable', 2, [{ topic: 'chat.users', partitions: [{ partition: 0, offset: '4' }] }], [{ topic: 'chat.users', partition: 0, high: '7', low: '0' }])]);
    expect(report.text).toBe(
      ['group   state   members  lag', 'router  Stable        2    3', '', 'group   topic       partition  committed  end  lag', 'router  chat.users          0          4    7    3'].join('\n'),
    );
    expect(report.ok).toBe(true);
  });
});
