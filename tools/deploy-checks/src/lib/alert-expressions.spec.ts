import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { parse } from 'yaml';

/*
 * The expressions of deploy/prometheus/alerts.yml: each parses as PromQL (Prometheus' own grammar,
 * @prometheus-io/lezer-promql; promtool is not at hand), and selects only series the services
 * export, with labels those series have. A renamed metric or label fails here instead of leaving an
 * alert that silently never fires.
 */
const root = path.resolve(__dirname, '../../../..');
const rules = (parse(readFileSync(path.join(root, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups.flatMap((group) => group.rules);

/** Labels on every series a service exports (its registry's defaults) or Prometheus adds to a scrape (prometheus.yml). */
const TARGET_LABELS = ['service', 'instance', 'job'];

/** Metric name → its own label names, as the code registers them. */
type Registered = Map<string, Set<string>>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !/\.(spec|integration-spec|e2e-spec)\.ts$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

const STRING = String.raw`(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|` + '`(?:[^`\\\\]|\\\\.)*`)';
const labelList = (list: string | undefined) => new Set([...(list ?? '').matchAll(/'([a-zA-Z_]\w*)'/g)].map(([, label]) => label));

/**
 * What apps/ and libs/ register: `telemetry.counter|gauge|latency(name, help, [labels])` (a latency
 * is a Prometheus histogram: `_bucket` with `le`, `_sum`, `_count`), prom-client's own
 * `new Counter|Gauge({ name, help, labelNames })` (the metrics service's chat_cluster_*), and
 * prom-client's default process metrics, which every service collects.
 */
function registeredMetrics(): Registered {
  const files = ['apps', 'libs'].flatMap((dir) => sourceFiles(path.join(root, dir)));
  const texts = files.map((file) => readFileSync(file, 'utf8'));
  const constants = new Map(texts.flatMap((text) => [...text.matchAll(/export const ([A-Z_]+) = '([a-z_:]+)';/g)].map(([, name, value]) => [name, value] as const)));
  const registered: Registered = new Map();
  for (const text of texts) {
    const calls = new RegExp(String.raw`telemetry\.(counter|gauge|latency)(?:<[^>]*>)?\(\s*('([a-z_:]+)'|[A-Z_]+)\s*,\s*${STRING}\s*(?:,\s*\[([^\]]*)\])?`, 'g');
    for (const [, kind, nameOrConstant, literal, labels] of text.matchAll(calls)) {
      const name = literal ?? constants.get(nameOrConstant);
      if (!name) throw new Error(`cannot resolve the metric name ${nameOrConstant}`);
      if (kind === 'latency') {
        registered.set(`${name}_bucket`, new Set([...labelList(labels), 'le']));
        for (const suffix of ['_sum', '_count']) registered.set(`${name}${suffix}`, labelList(labels));
      } else {
        registered.set(name, labelList(labels));
      }
    }
    const constructed = new RegExp(String.raw`new (?:Counter|Gauge)(?:<[^>]*>)?\(\{\s*name: '([a-z_:]+)',\s*help: ${STRING},\s*(?:labelNames: \[([^\]]*)\],)?`, 'g');
    for (const [, name, labels] of text.matchAll(constructed)) registered.set(name, labelList(labels));
  }
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  for (const metric of defaults.getMetricsAsArray()) {
    const labels = new Set((metric as unknown as { labelNames: string[] }).labelNames);
    if (!(metric instanceof Histogram)) registered.set(metric.name, labels);
    else for (const suffix of ['_bucket', '_sum', '_count']) registered.set(`${metric.name}${suffix}`, suffix === '_bucket' ? new Set([...labels, 'le']) : labels);
  }
  // Prometheus' own series of each scrape.
  registered.set('up', new Set());
  return registered;
}

interface Selector {
  metric: string;
  labels: string[];
}

/** The syntax errors of an expression (empty: it parses), its selectors, and the labels it groups by. */
function analyse(expr: string): { errors: string[]; selectors: Selector[]; grouping: string[] } {
  const errors: string[] = [];
  const selectors: Selector[] = [];
  const grouping: string[] = [];
  const cursor = parser.parse(expr).cursor();
  const text = () => expr.slice(cursor.from, cursor.to);
  do {
    if (cursor.type.isError) errors.push(`syntax error at ${cursor.from}: ${JSON.stringify(expr.slice(Math.max(0, cursor.from - 10), cursor.from + 10))}`);
    if (cursor.name === 'VectorSelector') {
      const node = cursor.node;
      const metric = node.getChild('Identifier');
      const labels = node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher').map((matcher) => matcher.getChild('LabelName')) ?? [];
      selectors.push({
        metric: metric ? expr.slice(metric.from, metric.to) : '',
        labels: labels.flatMap((label) => (label ? [expr.slice(label.from, label.to)] : [])),
      });
    }
    if (cursor.name === 'GroupingLabels') grouping.push(...[...text().matchAll(/[a-zA-Z_]\w*/g)].map(([label]) => label));
  } while (cursor.next());
  return { errors, selectors, grouping };
}

describe('the expressions of deploy/prometheus/alerts.yml', () => {
  const registered = registeredMetrics();

  it('finds the metrics the code registers (so the checks below have something to hold against)', () => {
    for (const name of ['chat_messages_total', 'chat_latency_seconds_bucket', 'chat_errors_total', 'kafka_dead_letters_total', 'chat_cluster_consumer_lag', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(registered.has(name)).toBe(true);
    }
    expect([...(registered.get('kafka_handler_failures_total') ?? [])]).toEqual(['group', 'topic', 'kind']);
    expect([...(registered.get('nodejs_gc_duration_seconds_bucket') ?? [])]).toEqual(['kind', 'le']);
    expect(registered.has('chat_message_total')).toBe(false);
  });

  it('finds a syntax error and an unknown metric or label when there is one', () => {
    expect(analyse('sum(rate(chat_messages_total[5m])').errors).not.toEqual([]);
    expect(analyse('sum by (code) (rate(chat_errors_total{code="internal"}[5m])) > 0').selectors).toEqual([{ metric: 'chat_errors_total', labels: ['code'] }]);
  });

  it.each(rules.map((rule) => [rule.alert, rule.expr]))('%s parses and selects registered metrics by labels they have', (_alert, expr) => {
    const { errors, selectors, grouping } = analyse(expr);
    expect(errors).toEqual([]);
    expect(selectors.length).toBeGreaterThan(0);
    for (const { metric, labels } of selectors) {
      const known = registered.get(metric);
      expect({ metric, known: known !== undefined }).toEqual({ metric, known: true });
      const unknownLabels = labels.filter((label) => !known?.has(label) && !TARGET_LABELS.includes(label));
      expect({ metric, unknownLabels }).toEqual({ metric, unknownLabels: [] });
    }
    // `by (...)` can only keep labels that the selected series have.
    const available = new Set([...TARGET_LABELS, ...selectors.flatMap(({ metric }) => [...(registered.get(metric) ?? [])])]);
    expect(grouping.filter((label) => !available.has(label))).toEqual([]);
  });
});
