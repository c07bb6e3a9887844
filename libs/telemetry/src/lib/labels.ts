/** The value of every label of a metric; all are required, so a series is never half-labelled. */
export type Labels<L extends string> = Record<L, string>;

/** A stable key of one label set, whatever the order its properties were written in. */
export function labelKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${labels[name]}`)
    .join('\u0000');
}
