export type { LatencySummary } from '../report/latency';
export type { BaselineResult } from './result';
export { runKafkaRoundTripBaseline, type KafkaRoundTripOptions } from './kafka-round-trip';
export { runWsEchoBaseline, type WsEchoOptions } from './ws-echo';
