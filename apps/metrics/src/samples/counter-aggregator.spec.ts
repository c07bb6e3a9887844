import { CounterAggregator } from './counter-aggregator';

const accepted = (value: number) => ({ name: 'chat_messages_total', labels: { stage: 'accepted' }, value });
const allLive = () => true;

function figures(aggregator: CounterAggregator, isLive: (instance: string) => boolean = allLive) {
  return aggregator.series(isLive, 'chat_messages_total').map(({ labels, total, perSecond }) => ({ stage: labels['stage'], total, perSecond }));
}

describe('CounterAggregator', () => {
  it('takes the first sample of an instance as its total so far, and rates from the deltas after it', () => {
    const counters = new CounterAggregator(10_000);
    counters.record('gateway/g1', 0, [accepted(500)]);
    expect(figures(counters)).toEqual([{ stage: 'accepted', total: 500, perSecond: 0 }]);
    counters.record('gateway/g1', 2000, [accepted(520)]);
    counters.record('gateway/g1', 4000, [accepted(560)]);
    expect(figures(counters)).toEqual([{ stage: 'accepted', total: 560, perSecond: 15 }]);
  });

  it('measures the rate over the window only', () => {
    const counters = new CounterAggregator(10_000);
    counters.record('gateway/g1', 0, [accepted(0)]);
    counters.record('gateway/g1', 10_000, [accepted(1000)]);
    counters.record('gateway/g1', 20_000, [accepted(1000)]);
    expect(figures(counters)[0].perSecond).toBe(0);
    counters.record('gateway/g1', 22_000, [accepted(1040)]);
    // The baseline is the newest point at least a window older: 10 s → 22 s.
    expect(figures(counters)[0].perSecond).toBeCloseTo(40 / 12);
  });

  it('counts the whole value after a restart (counters went down) so totals never go backwards', () => {
    const counters = new CounterAggregator(10_000);
    const stored = (value: number) => ({ name: 'chat_messages_total', labels: { stage: 'stored' }, value });
    counters.record('persistence/p1', 0, [accepted(0), stored(100)]);
    counters.record('persistence/p1', 2000, [accepted(0), stored(110)]);
    // The process restarted: "stored" went down, and "accepted" (still 0 → 3) is new counts too.
    counters.record('persistence/p1', 4000, [accepted(3), stored(4)]);
    expect(figures(counters)).toEqual([
      { stage: 'accepted', total: 3, perSecond: expect.closeTo(3 / 4) },
      { stage: 'stored', total: 114, perSecond: expect.closeTo(14 / 4) },
    ]);
  });

  it('treats a labelled series appearing on a known instance as counted from zero at the previous sample', () => {
    const counters = new CounterAggregator(10_000);
    const delivered = (value: number) => ({ name: 'chat_messages_total', labels: { stage: 'delivered' }, value });
    counters.record('gateway/g1', 0, [accepted(0)]);
    counters.record('gateway/g1', 2000, [accepted(4), delivered(4)]);
    expect(figures(counters)).toEqual([
      { stage: 'accepted', total: 4, perSecond: 2 },
      { stage: 'delivered', total: 4, perSecond: 2 },
    ]);
  });

  it('sums instances; a missing instance keeps its total but adds no rate', () => {
    const counters = new CounterAggregator(10_000);
    for (const [at, g1, g2] of [[0, 0, 0], [2000, 10, 30]]) {
      counters.record('gateway/g1', at, [accepted(g1)]);
      counters.record('gateway/g2', at, [accepted(g2)]);
    }
    expect(figures(counters)).toEqual([{ stage: 'accepted', total: 40, perSecond: 20 }]);
    expect(figures(counters, (instance) => instance !== 'gateway/g2')).toEqual([{ stage: 'accepted', total: 40, perSecond: 5 }]);
  });

  it('keeps label sets apart whatever order the labels were written in', () => {
    const counters = new CounterAggregator(10_000);
    counters.record('router/r1', 0, [{ name: 'kafka_consumed_records_total', labels: { group: 'router', topic: 'chat.events' }, value: 5 }]);
    counters.record('router/r2', 0, [{ name: 'kafka_consumed_records_total', labels: { topic: 'chat.events', group: 'router' }, value: 7 }]);
    expect(counters.series(allLive)).toEqual([{ name: 'kafka_consumed_records_total', labels: { group: 'router', topic: 'chat.events' }, total: 12, perSecond: 0 }]);
  });
});

describe('CounterAggregator.retire', () => {
  it('keeps a retired instance\'s totals, and counts it afresh should it come back', () => {
    const counters = new CounterAggregator(10_000);
    counters.record('gateway/g1', 0, [accepted(10)]);
    counters.record('gateway/g2', 0, [accepted(5)]);
    counters.retire('gateway/g1');
    expect(figures(counters)).toEqual([{ stage: 'accepted', total: 15, perSecond: 0 }]);
    counters.record('gateway/g1', 5000, [accepted(3)]);
    expect(figures(counters)[0].total).toBe(18);
  });
});

describe('CounterAggregator rates of series left out of a sample', () => {
  it('gives no rate to a series the instance no longer reports', () => {
    const counters = new CounterAggregator(10_000);
    const errors = (value: number) => ({ name: 'chat_errors_total', labels: { code: 'not_member' }, value });
    counters.record('gateway/g1', 0, [accepted(0), errors(0)]);
    counters.record('gateway/g1', 2000, [accepted(2), errors(4)]);
    expect(counters.series(allLive, 'chat_errors_total')[0].perSecond).toBe(2);
    counters.record('gateway/g1', 4000, [accepted(4)]);
    expect(counters.series(allLive, 'chat_errors_total')[0]).toMatchObject({ total: 4, perSecond: 0 });
  });
});
