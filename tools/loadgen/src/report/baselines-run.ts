import type { KafkaSecurity } from '@chat/kafka';
import { type BaselineResult, runKafkaRoundTripBaseline, runWsEchoBaseline } from '../baselines';
import type { LoadOptions } from '../cli/options';
import type { Progress } from './progress';
import type { BaselineFigures } from './result';

function figures(label: string, result: BaselineResult): BaselineFigures {
  return { label, ...result };
}

/**
 * The raw building blocks on this machine in this invocation, so the suite's figures can be read as
 * ratios: kafkajs produce → consume as fast as it goes (throughput) and at the direct scenario's
 * rate (latency at the same load), and a raw `ws` echo as fast as it goes.
 */
export async function runBaselines(brokers: string, security: KafkaSecurity, options: LoadOptions, progress: Progress): Promise<BaselineFigures[]> {
  const messages = options.baselineMessages;
  const payloadBytes = options.payloadBytes;
  const results: BaselineFigures[] = [];
  progress.say(`baselines: kafka round trip, ${messages} messages, unpaced…`);
  results.push(figures('kafka-round-trip', await runKafkaRoundTripBaseline({ brokers, security, messages, payloadBytes })));
  const paced = Math.min(messages, Math.max(100, options.rate * 10));
  progress.say(`baselines: kafka round trip, ${paced} messages at ${options.rate}/s…`);
  results.push(figures(`kafka-round-trip@${options.rate}/s`, await runKafkaRoundTripBaseline({ brokers, security, messages: paced, ratePerSecond: options.rate, payloadBytes })));
  progress.say(`baselines: ws echo, ${messages} messages over 100 connections, unpaced…`);
  results.push(figures('ws-echo', await runWsEchoBaseline({ connections: 100, messages, payloadBytes })));
  return results;
}
