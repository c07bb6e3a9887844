/**
 * What the dashboard reads from `GET /api/overview` and `GET /api/timeseries`: the part of the
 * service's `ClusterOverview` and `ClusterTimeSeries` that it draws, declared here so that the
 * browser code does not compile the server's sources. src/dashboard/dashboard.spec.ts checks that
 * the service's types stay assignable to these.
 */

export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
}

export interface SpanLatency {
  span: string;
  countSinceStart: number;
  /** By window name (10s, 1m, 5m). */
  windows: Record<string, LatencySummary | undefined>;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number | null;
}

export interface GroupLag {
  groupId: string;
  state: string;
  lag: number;
  partitions: PartitionLag[];
}

export interface InstanceOverview {
  service: string;
  instanceId: string;
  ready: boolean | null;
  lastHeartbeatAt: number | null;
  lastSampleAt: number | null;
  missing: boolean;
}

export interface Overview {
  at: number;
  messages: { reporting: boolean; stages: { stage: string; total: number; perSecond: number }[] };
  connections: { reporting: boolean; total: number; byGateway: { instanceId: string; connections: number }[] };
  latency: { windows: string[]; spans: SpanLatency[] };
  consumerLag: { polledAt: number | null; error: string | null; total: number; groups: GroupLag[] };
  deadLetters: { total: number; topics: { topic: string; records: number }[] };
  instances: InstanceOverview[];
}

/** Column-wise: one value per instant of `t` in every array; null is a gap, not a zero. */
export interface TimeSeries {
  /** Seconds of history covered. */
  window: number;
  t: number[];
  messagesPerSecond: Record<string, (number | null)[]>;
  connections: (number | null)[];
  latencyMs: Record<string, { p50: (number | null)[]; p99: (number | null)[] }>;
  consumerLag: (number | null)[];
  deadLetters: (number | null)[];
}
