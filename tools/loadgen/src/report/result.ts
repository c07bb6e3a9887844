import type { LatencySummary } from './latency';
import type { SecondBucket } from './recorder';

/** One figure of a scenario for the summary table (and the JSON). */
export type FigureValue = number | string | boolean | null;

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioResult {
  name: string;
  /** The wire codec the clients spoke (a run with several codecs has one result per scenario and codec). */
  codec?: string;
  /** No errors and every check held. */
  ok: boolean;
  errors: string[];
  /** The headline figures, in table order. Units are in the keys (…Ms, …PerSecond, …Bytes). */
  figures: Record<string, FigureValue>;
  latencyMs: { accepted?: LatencySummary; delivered?: LatencySummary; stored?: LatencySummary };
  checks: Check[];
  timeline: SecondBucket[];
  /** Scenario-specific extras (steps of `max`, gateways of `idle`, …). */
  details?: Record<string, unknown>;
  /** Extra tables for the summary (the steps of `max`). */
  tables?: ScenarioTable[];
  durationMs: number;
}

/** A table printed after a scenario's figures; the first row is the header. */
export interface ScenarioTable {
  title: string;
  rows: string[][];
}

export interface BaselineFigures {
  /** e.g. `kafka-round-trip`, `kafka-round-trip@1000/s`, `ws-echo`. */
  label: string;
  name: string;
  messages: number;
  durationMs: number;
  messagesPerSecond: number;
  latencyMs: LatencySummary;
  settings: Record<string, string | number>;
}

export interface Ratio {
  name: string;
  suite: number;
  baseline: number;
  /** suite / baseline. */
  ratio: number;
  meaning: string;
}

export interface ProfileSummary {
  instanceId: string;
  file: string;
  totalMs: number;
  top: Array<{ function: string; location: string; selfMs: number; selfPercent: number }>;
}

export interface RunResult {
  tool: 'chat-loadgen';
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; loadAverageAtStart: number[]; loadAverageAtEnd: number[]; totalMemoryBytes: number; node: string };
  options: Record<string, unknown>;
  suite: { startedByLoadgen: boolean; gateways: number; tempDir?: string };
  baselines: BaselineFigures[];
  scenarios: ScenarioResult[];
  ratios: Ratio[];
  profiles: ProfileSummary[];
  errors: string[];
}
