import type { Ratio, RunResult } from './result';

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The suite's figures over the raw building blocks measured in the same run. */
export function computeRatios(result: RunResult): Ratio[] {
  const ratios: Ratio[] = [];
  const baseline = (label: string) => result.baselines.find((b) => b.label === label);
  const kafka = baseline('kafka-round-trip');
  const kafkaPaced = result.baselines.find((b) => b.label.startsWith('kafka-round-trip@'));
  const echo = baseline('ws-echo');
  const add = (name: string, suite: number | undefined, base: number | undefined, meaning: string) => {
    if (suite === undefined || base === undefined || base === 0) return;
    ratios.push({ name, suite, baseline: base, ratio: suite / base, meaning });
  };
  const direct = result.scenarios.find((s) => s.name === 'direct');
  if (direct) {
    add('direct p99 send→delivered vs kafka round trip p99', direct.latencyMs.delivered?.p99, kafkaPaced?.latencyMs.p99, 'a chat message crosses 2 Kafka hops and a PostgreSQL commit; ≈2× is the floor');
    add('direct p50 send→delivered vs kafka round trip p50', direct.latencyMs.delivered?.p50, kafkaPaced?.latencyMs.p50, 'same, at the median');
    add('direct delivered/s vs ws echo msgs/s', numberOf(direct.figures.deliveredPerSecond), echo?.messagesPerSecond, 'at the target rate, not a maximum: see max');
  }
  for (const fanout of result.scenarios.filter((s) => s.name === 'fanout')) {
    for (const [key, value] of Object.entries(fanout.figures)) {
      if (key.startsWith('deliveriesPerSecond')) add(`fanout ${key} vs ws echo msgs/s`, numberOf(value), echo?.messagesPerSecond, 'frames written to sockets per second vs one raw ws server echoing');
    }
  }
  const max = result.scenarios.find((s) => s.name === 'max');
  if (max) add('max sustained direct msgs/s vs kafka round trip msgs/s', numberOf(max.figures.sustainedRate), kafka?.messagesPerSecond, 'each message is produced 3 times (commands, events, delivery) plus stored');
  return ratios;
}
