import type { z } from 'zod';
import type { MetricsSample, MetricValueSchema } from '@chat/protocol';

export type SamplePayload = z.output<typeof MetricsSample.payloadSchema>;
export type MetricValue = z.output<typeof MetricValueSchema>;
export type Labels = Record<string, string>;

/** Instance ids are unique per service only, so cluster state is keyed by both. */
export function instanceKey(service: string, instanceId: string): string {
  return `${service}/${instanceId}`;
}

/** A stable identity for a label set, independent of the order the producer wrote the labels in. */
export function labelsKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
    .join(',');
}
