import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { InstanceRegistry } from '../instances/instance-registry';
import { KafkaOffsetsMonitor } from '../lag/kafka-offsets.monitor';
import { LATENCY_WINDOWS } from '../samples/latency-windows';
import { RATE_WINDOW_MS, SampleAggregator } from '../samples/sample-aggregator';
import { instanceKey } from '../samples/sample-types';
import type { ClusterPoint } from '../timeseries/cluster-series';
import type { ClusterOverview, InstanceOverview } from './cluster-overview';

/** Puts heartbeats, samples and Kafka offsets together into the cluster's current picture. */
@Injectable()
export class ClusterOverviewService {
  constructor(
    private readonly registry: InstanceRegistry,
    private readonly samples: SampleAggregator,
    private readonly offsets: KafkaOffsetsMonitor,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  overview(now: number): ClusterOverview {
    const kafka = this.offsets.snapshot();
    const connections = this.samples.connections(now);
    return {
      at: now,
      startedAt: this.identity.startedAt,
      messages: {
        reporting: this.samples.hasMessageCounters(),
        rateWindowSeconds: RATE_WINDOW_MS / 1000,
        stages: this.samples.messageStages(now).map((s) => ({ ...s, perSecond: round(s.perSecond) })),
      },
      connections: { reporting: connections.reporting, total: connections.total, byGateway: connections.byGateway },
      latency: { windows: LATENCY_WINDOWS.map((w) => w.name), spans: this.samples.latencyBySpan(now) },
      consumerLag: { polledAt: kafka.polledAt, pollDurationMs: kafka.pollDurationMs, error: kafka.error, total: kafka.totalLag, groups: kafka.groups },
      deadLetters: { polledAt: kafka.polledAt, total: kafka.deadLettersTotal, topics: kafka.deadLetters },
      instances: this.instances(now),
      counters: this.samples.allCounters(now).map((c) => ({ ...c, perSecond: round(c.perSecond) })),
    };
  }

  /** The time series point of this second: rates, connections, 10 s latency percentiles, lag. */
  point(now: number, t: number): ClusterPoint {
    const reporting = this.samples.hasMessageCounters();
    const connections = this.samples.connections(now);
    const kafka = this.offsets.snapshot();
    const kafkaCurrent = kafka.polledAt !== null && kafka.error === null;
    const shortest = LATENCY_WINDOWS[0].name;
    return {
      t,
      messagesPerSecond: Object.fromEntries(this.samples.messageStages(now).map((s) => [s.stage, reporting ? round(s.perSecond) : null])),
      connections: connections.reporting ? connections.total : null,
      latencyMs: Object.fromEntries(
        this.samples.latencyBySpan(now).map((s) => {
          const summary = s.windows[shortest];
          return [s.span, { p50: summary.p50Ms, p99: summary.p99Ms }];
        }),
      ),
      consumerLag: kafkaCurrent ? kafka.totalLag : null,
      deadLetters: kafkaCurrent ? kafka.deadLettersTotal : null,
    };
  }

  /** Instances known from heartbeats or samples, whichever arrived first. */
  private instances(now: number): InstanceOverview[] {
    const merged = new Map<string, InstanceOverview>();
    for (const sampled of this.samples.instanceList(now)) {
      merged.set(instanceKey(sampled.service, sampled.instanceId), {
        service: sampled.service,
        instanceId: sampled.instanceId,
        startedAt: null,
        ready: null,
        lastHeartbeatAt: null,
        lastSampleAt: sampled.lastSampleAt,
        missing: sampled.missing,
      });
    }
    for (const beat of this.registry.list(now)) {
      const key = instanceKey(beat.service, beat.instanceId);
      const entry = merged.get(key);
      // Heartbeats are the liveness signal; samples decide only for an instance never heard beating.
      merged.set(key, { ...beat, lastSampleAt: entry?.lastSampleAt ?? null });
    }
    return [...merged.values()].sort((a, b) => a.service.localeCompare(b.service) || a.instanceId.localeCompare(b.instanceId));
  }
}

/** Rates to a thousandth: enough for a person, and free of floating-point noise in the JSON. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
