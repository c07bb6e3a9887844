import type { ServiceName } from '@chat/protocol';
import type { CounterSeriesView } from '../samples/counter-aggregator';
import type { GatewayConnections, SpanLatency, StageFigures } from '../samples/sample-aggregator';
import type { GroupLag, TopicSize } from '../lag/consumer-lag';

/** Everything the metrics service knows right now: the body of `GET /api/overview`. */
export interface ClusterOverview {
  /** When this overview was computed (ms since epoch, this host's clock). */
  at: number;
  /** When this metrics instance started: latency counts "since start" begin here. */
  startedAt: number;
  messages: {
    /** False until some instance reported chat_messages_total. */
    reporting: boolean;
    rateWindowSeconds: number;
    /** accepted, stored, routed, delivered, echoed (always, in flow order), then any other stage seen. */
    stages: StageFigures[];
  };
  connections: {
    /** False while no live gateway reports chat_connections. */
    reporting: boolean;
    total: number;
    byGateway: GatewayConnections[];
  };
  latency: {
    /** Window names in order, e.g. 10s, 1m, 5m; each span has a summary per window, in milliseconds. */
    windows: string[];
    spans: SpanLatency[];
  };
  consumerLag: {
    polledAt: number | null;
    pollDurationMs: number | null;
    error: string | null;
    total: number;
    groups: GroupLag[];
  };
  deadLetters: {
    polledAt: number | null;
    total: number;
    topics: TopicSize[];
  };
  instances: InstanceOverview[];
  /** Every counter reported, summed across instances by label set (total and per-second rate). */
  counters: CounterSeriesView[];
}

export interface InstanceOverview {
  service: ServiceName;
  instanceId: string;
  /** From its heartbeats; null until the first heartbeat arrived. */
  startedAt: number | null;
  ready: boolean | null;
  lastHeartbeatAt: number | null;
  /** When its last metrics sample arrived; null if none yet. */
  lastSampleAt: number | null;
  /** Silent for longer than the allowed number of its intervals (heartbeats, or samples if it never sent one). */
  missing: boolean;
}

export type InstanceState = 'ready' | 'not_ready' | 'missing';

export function instanceState(instance: InstanceOverview): InstanceState {
  if (instance.missing) return 'missing';
  return instance.ready === true ? 'ready' : 'not_ready';
}
