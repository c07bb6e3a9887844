import { z } from 'zod';
import { defineRecord } from './envelope';
import { ServiceNames } from './heartbeat';

const MetricNameSchema = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,127}$/, 'must be a Prometheus metric name');
const LabelsSchema = z
  .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, 'must be a Prometheus label name'), z.string().max(200))
  .refine((labels) => Object.keys(labels).length <= 10, 'at most 10 labels');

/** A counter (cumulative since the instance started) or a gauge (current value). */
export const MetricValueSchema = z.strictObject({
  name: MetricNameSchema,
  labels: LabelsSchema,
  value: z.number().finite(),
});

/**
 * Latency values recorded since the instance's previous sample, as an HdrHistogram in its compressed
 * base64 encoding (hdr-histogram-js `encodeIntoCompressedBase64`), in microseconds. Being deltas,
 * samples from every instance merge into cluster-wide sliding windows by simple addition.
 */
export const HistogramDeltaSchema = z.strictObject({
  name: MetricNameSchema,
  labels: LabelsSchema,
  count: z.number().int().nonnegative(),
  encoded: z.string().max(256 * 1024),
});

/**
 * One instance's figures, published every sample interval on `ops.metrics` (key = instance id) and
 * aggregated by the metrics service across all instances.
 */
export const MetricsSample = defineRecord(
  'ops.metrics-sample',
  1,
  z.strictObject({
    service: z.enum(ServiceNames),
    instanceId: z.string().min(1).max(200),
    at: z.number().int().nonnegative(),
    intervalMs: z.number().int().positive(),
    counters: z.array(MetricValueSchema).max(5000),
    gauges: z.array(MetricValueSchema).max(5000),
    histograms: z.array(HistogramDeltaSchema).max(200),
  }),
);
