import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/*
 * docs/observability.md, "What to alert on", names every rule of deploy/prometheus/alerts.yml with its
 * severity (page, else ticket) and how long its condition must hold ("for 5 min").
 */
const root = path.resolve(__dirname, '../../../..');
const rules = (parse(readFileSync(path.join(root, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; for?: string; labels?: { severity?: string } }> }> }).groups.flatMap((group) => group.rules);
const doc = readFileSync(path.join(root, 'docs/observability.md'), 'utf8');

function minutes(duration: string | undefined): number | undefined {
  const match = /^(\d+)m$/.exec(duration ?? '');
  return match ? Number(match[1]) : undefined;
}

describe('the alert table of docs/observability.md', () => {
  it('lists every rule of alerts.yml once, with its severity and how long it must hold', () => {
    // Rows like "| `ChatMessagesNotStored` (page) | condition…, for 2 min | why |".
    const documented = [...doc.matchAll(/^\| `(Chat\w+)`( \(page\))? \| ([^|]+) \|/gm)].map(([, alert, page, condition]) => ({ alert, severity: page ? 'page' : 'ticket', forMinutes: minutes(/for (\d+) min/.exec(condition)?.[1]?.concat('m')) }));
    const actual = rules.map((rule) => ({ alert: rule.alert, severity: rule.labels?.severity, forMinutes: minutes(rule.for) }));
    const byName = (a: { alert: string }, b: { alert: string }) => a.alert.localeCompare(b.alert);
    expect(documented.sort(byName)).toEqual(actual.sort(byName));
    expect(actual.length).toBeGreaterThan(10);
  });
});
