import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { e2e, uniqueName } from './support/environment';

/*
 * The load generator keeps working: its built CLI runs every scenario and the baselines with tiny
 * settings against this run's broker and PostgreSQL (it starts its own five services, three
 * gateways), and the JSON it writes says that everything requested happened. No timing thresholds:
 * the benchmarks are the command, not this test.
 */

interface ScenarioJson {
  name: string;
  ok: boolean;
  errors: string[];
  figures: Record<string, number | string | boolean | null>;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
}

interface ResultJson {
  baselines: Array<{ label: string; messages: number }>;
  scenarios: ScenarioJson[];
  errors: string[];
}

// Every scenario with tiny settings, read-storm included (two 3 s phases and its setup).
const RUN_TIMEOUT_MS = 210_000;

function runLoadgen(args: string[]): Promise<{ code: number | null; output: string }> {
  const entry = path.join(e2e.workspaceRoot, 'dist', 'tools', 'loadgen', 'main.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, ...args], { cwd: e2e.workspaceRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), RUN_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('load generator smoke run', () => {
  it(
    'runs every scenario and both baselines with tiny settings: everything sent arrives, every connection is held, every dropped client comes back',
    async () => {
      const json = path.join(e2e.tempDir, `${uniqueName('loadgen')}.json`);
      const { code, output } = await runLoadgen([
        'all',
        '--kafka-brokers', e2e.kafkaBrokers,
        '--database-url-template', e2e.databaseUrlFor('__database__'),
        '--gateways', '3',
        '--baseline-messages', '200',
        '--connections', '50', '--connect-rate', '0', '--hold-s', '2',
        '--rate', '20', '--duration-s', '3', '--pairs', '5',
        '--fanout-members', '20', '--fanout-sizes', '20', '--fanout-rate', '10', '--fanout-s', '3',
        '--storm-connections', '100',
        '--max-start', '10', '--max-step', '10', '--max-steps', '2', '--max-step-s', '3',
        '--read-storm-rate', '10', '--read-storm-s', '3', '--read-storm-users', '3',
        '--reconnect-connections', '90', '--reconnect-chat-rate', '10',
        '--json', json,
      ]);
      const diagnostics = `exit ${code}\n${output.slice(-6000)}`;
      let result: ResultJson;
      try {
        result = JSON.parse(readFileSync(json, 'utf8')) as ResultJson;
      } catch {
        throw new Error(`the load generator wrote no result\n${diagnostics}`);
      }
      const scenario = (name: string): ScenarioJson => {
        const found = result.scenarios.find((s) => s.name === name);
        if (!found) throw new Error(`scenario ${name} missing from the result\n${diagnostics}`);
        return found;
      };

      expect({ errors: result.errors, baselines: result.baselines.map((b) => b.label) }).toEqual({
        errors: [],
        baselines: ['kafka-round-trip', 'kafka-round-trip@20/s', 'ws-echo'],
      });
      expect(result.scenarios.map((s) => s.name)).toEqual(['idle', 'announce', 'direct', 'fanout', 'storm', 'max', 'read-storm', 'reconnect-storm']);
      for (const s of result.scenarios) expect({ name: s.name, errors: s.errors }).toEqual({ name: s.name, errors: [] });

      expect(scenario('idle').figures).toMatchObject({ connectionsRequested: 50, connectionsHeld: 50, lostDuringHold: 0 });
      // Three announcements, each to all 50 connections.
      expect(scenario('announce').figures).toMatchObject({ connectionsReady: 50, announcements: 3, reached: 150 });
      const direct = scenario('direct').figures;
      expect(direct.sent).toBeGreaterThan(0);
      expect({ accepted: direct.accepted, delivered: direct.delivered }).toEqual({ accepted: direct.sent, delivered: direct.sent });
      expect(scenario('fanout').figures).toMatchObject({ missing_20: 0 });
      expect(scenario('fanout').checks.every((c) => c.ok)).toBe(true);
      expect(scenario('storm').figures).toMatchObject({ connections: 100, ready: 100, failed: 0 });
      // max: both steps ran (or the first stopped it); each step's messages were counted.
      expect(scenario('max').figures.steps).toBeGreaterThanOrEqual(1);
      // read-storm: every message of both phases delivered, and the readers got answers.
      expect(scenario('read-storm').checks.every((c) => c.ok)).toBe(true);
      const reconnect = scenario('reconnect-storm');
      expect(reconnect.figures).toMatchObject({ gateways: 3, clients: 90, clientsOnKilledGateway: 30 });
      expect(reconnect.checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'all clients back', ok: true })]));
      expect(reconnect.figures.chatDelivered).toBe(reconnect.figures.chatSent);
    },
    RUN_TIMEOUT_MS + 30_000,
  );
});
