import { Script } from 'node:vm';
import { DASHBOARD_HTML } from './dashboard.page';
import { DASHBOARD_JS } from './dashboard.script';
import { DASHBOARD_CSS } from './dashboard.styles';

describe('dashboard assets', () => {
  it('ships a script that parses', () => {
    expect(() => new Script(DASHBOARD_JS, { filename: 'dashboard.js' })).not.toThrow();
  });

  it('has an element for every chart and tile the script draws', () => {
    const charts = [...DASHBOARD_JS.matchAll(/chartEl\('([a-z-]+)'\)/g)].map((m) => m[1]);
    const tiles = [...DASHBOARD_JS.matchAll(/tile\('([a-z-]+)'/g)].map((m) => m[1]);
    expect(new Set(charts)).toEqual(new Set(['throughput', 'latency', 'connections', 'lag', 'gateways', 'lag-groups', 'latency-table', 'instances', 'dead-letters']));
    for (const chart of charts) expect(DASHBOARD_HTML).toContain(`data-chart="${chart}"`);
    for (const tile of tiles) expect(DASHBOARD_HTML).toContain(`data-tile="${tile}"`);
  });

  it('loads its script and styles from the service itself, nothing from elsewhere', () => {
    expect(DASHBOARD_HTML).toContain('<script src="/dashboard/dashboard.js">');
    expect(DASHBOARD_HTML).toContain('href="/dashboard/dashboard.css"');
    expect(`${DASHBOARD_HTML}${DASHBOARD_JS}${DASHBOARD_CSS}`).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });
});
