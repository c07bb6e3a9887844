/*
 * Reading a service's GET /metrics (Prometheus text exposition format 0.0.4) in tests: the series
 * as {name, labels, value}, and sums over the series matching some labels.
 */

export interface PromSeries {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** All series of a scrape; comments (# HELP, # TYPE) and blank lines are skipped. */
export class PromScrape {
  constructor(readonly series: readonly PromSeries[]) {}

  static parse(text: string): PromScrape {
    const series: PromSeries[] = [];
    for (const [index, raw] of text.split('\n').entries()) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      try {
        series.push(parseSeriesLine(line));
      } catch (error) {
        throw new Error(`line ${index + 1} of the scrape is not Prometheus text (${(error as Error).message}): ${line}`);
      }
    }
    return new PromScrape(series);
  }

  /** The sum of every series named `name` whose labels include `match` (0 when none). */
  sum(name: string, match: Record<string, string> = {}): number {
    return this.matching(name, match).reduce((total, s) => total + s.value, 0);
  }

  /** Whether at least one series named `name` matches; tells "0" apart from "not exported". */
  has(name: string, match: Record<string, string> = {}): boolean {
    return this.matching(name, match).length > 0;
  }

  matching(name: string, match: Record<string, string> = {}): PromSeries[] {
    return this.series.filter((s) => s.name === name && Object.entries(match).every(([label, value]) => s.labels[label] === value));
  }
}

/** GET `url` and parse it; fails with the status and body start when it is not a 200 text scrape. */
export async function scrape(url: string): Promise<PromScrape> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${body.slice(0, 200)}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/plain') && !contentType.startsWith('application/openmetrics-text')) {
    throw new Error(`GET ${url}: content-type ${contentType || '(none)'} is not a Prometheus exposition format`);
  }
  return PromScrape.parse(body);
}

function parseSeriesLine(line: string): PromSeries {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error('no metric name');
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const { parsed, end } = parseLabels(rest);
    Object.assign(labels, parsed);
    rest = rest.slice(end);
  }
  // value [timestamp]
  const [valueText] = rest.trim().split(/\s+/);
  if (valueText === undefined || valueText === '') throw new Error('no value');
  return { name, labels, value: parseValue(valueText) };
}

/** Labels `{a="x",b="y\"z"}` with the format's escapes (\\, \", \n); returns where they end. */
function parseLabels(text: string): { parsed: Record<string, string>; end: number } {
  const parsed: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return { parsed, end: i + 1 };
    const labelMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!labelMatch) throw new Error(`bad label name at ${i}`);
    const label = labelMatch[0];
    i += label.length;
    if (text[i] !== '=' || text[i + 1] !== '"') throw new Error(`label ${label} has no quoted value`);
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error(`label ${label}: unterminated value`);
      if (c === '"') break;
      if (c === '\\') {
        const escaped = text[i + 1];
        value += escaped === 'n' ? '\n' : (escaped ?? '');
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    parsed[label] = value;
    i++;
  }
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`value ${text} is not a number`);
  return value;
}
