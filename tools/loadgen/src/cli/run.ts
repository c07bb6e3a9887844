import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findWorkspaceRoot } from '@chat/local-infra';
import { runBaselines } from '../report/baselines-run';
import { summarizeProfiles } from '../report/cpu-profile';
import { renderHtmlReport } from '../report/html-report';
import { Progress } from '../report/progress';
import { computeRatios } from '../report/ratios';
import type { RunResult, ScenarioResult } from '../report/result';
import { summaryText } from '../report/summary-table';
import type { ScenarioContext } from '../scenarios/context';
import { sleep } from '@chat/helpers';
import { runAnnounce } from '../scenarios/announce';
import { runDirect } from '../scenarios/direct';
import { runFanout } from '../scenarios/fanout';
import { runIdle } from '../scenarios/idle';
import { runMax } from '../scenarios/max';
import { runReadStorm } from '../scenarios/read-storm';
import { runReconnectStorm } from '../scenarios/reconnect-storm';
import { runStorm } from '../scenarios/storm';
import { ConsumerLagReader } from '../suite/consumer-lag';
import { SuiteUnderTest } from '../suite/suite-under-test';
import { UserPool } from '../users/user-pool';
import { type LoadOptions, parseOptions, type ScenarioName, USAGE } from './options';

const RUNNERS: Record<ScenarioName, (context: ScenarioContext) => Promise<ScenarioResult>> = {
  idle: runIdle,
  announce: runAnnounce,
  direct: runDirect,
  fanout: runFanout,
  storm: runStorm,
  max: runMax,
  'reconnect-storm': runReconnectStorm,
  'read-storm': runReadStorm,
};

/** Between scenarios: until the suite has worked off what the previous one left (presence storms, late deliveries). */
const SETTLE_TIMEOUT_MS = 90_000;

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function settle(context: ScenarioContext): Promise<void> {
  if (!context.lag) {
    await sleep(3000);
    return;
  }
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const reading = await context.lag.read().catch(() => undefined);
    if (!reading || reading.total <= 10 || Date.now() > deadline) return;
    await sleep(1000);
  }
}

async function openSuite(options: LoadOptions, progress: Progress): Promise<SuiteUnderTest> {
  if (!options.startSuite) {
    if (!options.authUrl) throw new Error('--auth-url is required with an external suite');
    return SuiteUnderTest.attach({ authUrl: options.authUrl, gatewayUrls: options.gatewayUrls, metricsUrl: options.metricsUrl, kafkaBrokers: options.kafkaBrokers, jwtSigningKey: options.jwtSigningKey });
  }
  const gateways = Math.max(options.gateways, options.scenarios.includes('reconnect-storm') ? 3 : 1);
  const started = Date.now();
  const suite = await SuiteUnderTest.start(
    {
      workspaceRoot: findWorkspaceRoot(),
      gateways,
      kafkaBrokers: options.kafkaBrokers,
      databaseUrlTemplate: options.databaseUrlTemplate,
      logLevel: options.logLevel,
      cpuProfDir: options.cpuProfDir ? path.resolve(options.cpuProfDir) : undefined,
      // A process here may hold 20,000 open files; the gateway needs a few for Kafka and its HTTP server.
      gatewayMaxConnections: 19_800,
    },
    (line) => progress.say(line),
  );
  progress.say(`suite ready in ${((Date.now() - started) / 1000).toFixed(1)} s: auth ${suite.authUrl}, gateways ${suite.gatewayUrls.join(' ')} (logs in ${suite.tempDir})`);
  return suite;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const options = parseOptions(argv);
  const progress = new Progress();
  const startedAt = new Date();
  const loadAverageAtStart = os.loadavg();
  const result: RunResult = {
    tool: 'chat-loadgen',
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    machine: { cpus: os.cpus().length, loadAverageAtStart, loadAverageAtEnd: [], totalMemoryBytes: os.totalmem(), node: process.version },
    options: { ...options, jwtSigningKey: options.jwtSigningKey ? '<given>' : undefined },
    suite: { startedByLoadgen: options.startSuite, gateways: 0 },
    baselines: [],
    scenarios: [],
    ratios: [],
    profiles: [],
    errors: [],
  };
  const suite = await openSuite(options, progress);
  result.suite = { startedByLoadgen: suite.owned, gateways: suite.gatewayUrls.length, tempDir: suite.tempDir };
  const stopOnSignal = () => {
    progress.say('interrupted: stopping the suite');
    void suite.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const lag = suite.kafkaBrokers ? new ConsumerLagReader(suite.kafkaBrokers, suite.gatewayIds, suite.kafkaSecurity) : undefined;
  const context: ScenarioContext = {
    options,
    suite,
    users: new UserPool(suite.authUrl, suite.jwtSigningKey),
    progress,
    mainScript: path.resolve(process.argv[1]),
    lag,
    workersStarted: [],
    codec: options.codecs[0],
  };
  try {
    if (options.baselines) {
      if (!suite.kafkaBrokers) result.errors.push('baselines: no Kafka broker known (start the suite or pass --kafka-brokers)');
      else result.baselines = await runBaselines(suite.kafkaBrokers, suite.kafkaSecurity, options, progress).catch((error: unknown) => {
        result.errors.push(`baselines: ${describe(error)}`);
        return [];
      });
    }
    for (const name of options.scenarios) {
      for (const codec of options.codecs) {
        const label = `${name} [${codec}]`;
        progress.say(`== ${label}`);
        let scenario: ScenarioResult;
        try {
          scenario = await RUNNERS[name]({ ...context, codec });
        } catch (error) {
          scenario = { name, ok: false, errors: [describe(error)], figures: {}, latencyMs: {}, checks: [], timeline: [], durationMs: 0 };
        }
        scenario.codec = codec;
        result.scenarios.push(scenario);
        progress.say(`== ${label}: ${scenario.ok ? 'ok' : 'FAILED'}${scenario.errors.length > 0 ? ` (${scenario.errors[0].split('\n')[0]})` : ''}`);
        await settle(context);
      }
    }
  } finally {
    await lag?.close();
    if (suite.owned) {
      progress.say('stopping the suite…');
      await suite.stop();
    }
  }
  if (options.cpuProfDir) result.profiles = summarizeProfiles(path.resolve(options.cpuProfDir), [...suite.servicePidsEverStarted(), ...context.workersStarted]);
  result.ratios = computeRatios(result);
  result.finishedAt = new Date().toISOString();
  result.machine.loadAverageAtEnd = os.loadavg();

  console.log(summaryText(result));
  if (options.json) {
    mkdirSync(path.dirname(path.resolve(options.json)), { recursive: true });
    writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
    progress.say(`JSON: ${options.json}`);
  }
  if (options.html) {
    mkdirSync(path.dirname(path.resolve(options.html)), { recursive: true });
    writeFileSync(options.html, renderHtmlReport(result));
    progress.say(`chart: ${options.html}`);
  }
  return result.errors.length === 0 && result.scenarios.every((s) => s.ok) ? 0 : 1;
}

export function runCli(argv: string[]): void {
  run(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`loadgen: ${describe(error)}`);
      process.exit(1);
    },
  );
}
