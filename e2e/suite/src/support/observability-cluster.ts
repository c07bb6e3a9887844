import { z } from 'zod';
import type { ChatSuite } from './chat-suite';
import { scrape } from './observability-prometheus';

/*
 * The figures the observability tests compare: what each service counts itself (its own GET
 * /metrics) and what the metrics service aggregated from the samples it received over Kafka
 * (GET /api/overview, and the same as chat_cluster_* on its GET /metrics). Only the fields the
 * tests read are validated.
 */

export const STAGES = ['accepted', 'stored', 'routed', 'delivered', 'echoed'] as const;
export const SPANS = ['send_to_accepted', 'accepted_to_stored', 'stored_to_delivered', 'send_to_delivered'] as const;

export type Stage = (typeof STAGES)[number];
export type Span = (typeof SPANS)[number];

/** Messages per stage and latency values per span, cumulative. */
export interface PipelineFigures {
  stages: Record<Stage, number>;
  spans: Record<Span, number>;
}

const OverviewSchema = z.object({
  at: z.number(),
  messages: z.object({ stages: z.array(z.object({ stage: z.string(), total: z.number(), perSecond: z.number() })) }),
  connections: z.object({ total: z.number(), byGateway: z.array(z.object({ instanceId: z.string(), connections: z.number() })) }),
  latency: z.object({ spans: z.array(z.object({ span: z.string(), countSinceStart: z.number() })) }),
  consumerLag: z.object({
    polledAt: z.number().nullable(),
    error: z.string().nullable(),
    groups: z.array(
      z.object({
        groupId: z.string(),
        lag: z.number(),
        partitions: z.array(z.object({ topic: z.string(), partition: z.number(), lag: z.number().nullable() })),
      }),
    ),
  }),
  instances: z.array(z.object({ service: z.string(), instanceId: z.string(), missing: z.boolean(), lastSampleAt: z.number().nullable() })),
});

export type Overview = z.infer<typeof OverviewSchema>;

export class ClusterFigures {
  constructor(private readonly suite: () => ChatSuite) {}

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.suite().process('metrics').httpPort}`;
  }

  async overview(): Promise<Overview> {
    const url = `${this.metricsUrl}/api/overview`;
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${(await response.text()).slice(0, 200)}`);
    const parsed = OverviewSchema.safeParse(await response.json());
    if (!parsed.success) throw new Error(`GET ${url}: unexpected body: ${parsed.error.message}`);
    return parsed.data;
  }

  /** The pipeline as the metrics service aggregated it (totals since it started seeing each instance). */
  async aggregated(): Promise<PipelineFigures> {
    return aggregatedOf(await this.overview());
  }

  /** The same aggregate as the metrics service exports it to Prometheus (chat_cluster_* on its /metrics). */
  async exported(): Promise<PipelineFigures> {
    const metrics = await scrape(`${this.metricsUrl}/metrics`);
    return {
      stages: fromEntries(STAGES, (stage) => metrics.sum('chat_cluster_messages_total', { stage })),
      spans: fromEntries(SPANS, (span) => metrics.sum('chat_cluster_latency_samples_total', { span })),
    };
  }

  /**
   * The pipeline as the services count it, from the /metrics of every instance that counts a stage
   * (the gateways given, router, persistence): chat_messages_total and chat_latency_seconds_count.
   */
  async counted(gateways: readonly number[]): Promise<PipelineFigures> {
    const suite = this.suite();
    const ports = [...gateways.map((index) => suite.gateway(index).httpPort), suite.process('router').httpPort, suite.process('persistence').httpPort];
    const scrapes = await Promise.all(ports.map((port) => scrape(`http://127.0.0.1:${port}/metrics`)));
    const sum = (name: string, labels: Record<string, string>): number => scrapes.reduce((total, s) => total + s.sum(name, labels), 0);
    return {
      stages: fromEntries(STAGES, (stage) => sum('chat_messages_total', { stage })),
      spans: fromEntries(SPANS, (span) => sum('chat_latency_seconds_count', { span })),
    };
  }
}

export function aggregatedOf(overview: Overview): PipelineFigures {
  return {
    stages: fromEntries(STAGES, (stage) => overview.messages.stages.find((s) => s.stage === stage)?.total ?? 0),
    spans: fromEntries(SPANS, (span) => overview.latency.spans.find((s) => s.span === span)?.countSinceStart ?? 0),
  };
}

/** after − before, per stage and span. */
export function growth(before: PipelineFigures, after: PipelineFigures): PipelineFigures {
  return {
    stages: fromEntries(STAGES, (stage) => after.stages[stage] - before.stages[stage]),
    spans: fromEntries(SPANS, (span) => after.spans[span] - before.spans[span]),
  };
}

/** The same growth `n` at every stage and span: what N messages from one device to one device give. */
export function uniformGrowth(n: number): PipelineFigures {
  return { stages: fromEntries(STAGES, () => n), spans: fromEntries(SPANS, () => n) };
}

function fromEntries<K extends string>(keys: readonly K[], value: (key: K) => number): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, value(key)])) as Record<K, number>;
}
