export * from './lib/labels';
export * from './lib/latency-histogram';
export * from './lib/telemetry';
export * from './lib/chat-metrics';
