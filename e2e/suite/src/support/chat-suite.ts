import path from 'node:path';
import { GENEROUS_AUTH_RATE_LIMITS, getFreePort, serviceEnv, startService, type ServiceName, type ServiceProcess } from '@chat/local-infra';
import { e2e, uniqueName } from './environment';

/*
 * The whole chat system as OS processes, started from dist/ once per test file against the run's
 * broker and PostgreSQL. Instance ids are unique per file, so each file's gateways get delivery
 * topics of their own; users are unique per test, so nothing needs cleaning between tests.
 */

export interface GatewaySpec {
  /** Extra environment, e.g. a short heartbeat for one gateway. */
  env?: Record<string, string>;
}

export interface ChatSuiteOptions {
  /** Short label for instance ids and log files, e.g. `messaging`. */
  label: string;
  /** One entry per gateway instance (default: one gateway). */
  gateways?: GatewaySpec[];
  /** Extra environment for every service (e.g. shorter sample intervals); a gateway's own env wins. */
  env?: Record<string, string>;
}

const READY_TIMEOUT_MS = 120_000;

interface Launch {
  name: ServiceName;
  instanceId: string;
  env: Record<string, string>;
}

export class ChatSuite {
  private readonly processes = new Map<string, ServiceProcess>();

  private constructor(
    private readonly launches: Launch[],
    private readonly logDir: string,
  ) {}

  /** Starts every service (one instance each, and the requested gateways) and waits until all are ready. */
  static async start(options: ChatSuiteOptions): Promise<ChatSuite> {
    const run = uniqueName(options.label).toLowerCase();
    const gateways = options.gateways ?? [{}];
    const launches: Launch[] = [];
    const launch = async (name: ServiceName, instanceId: string, extra: Record<string, string> = {}): Promise<void> => {
      const env = serviceEnv(name, {
        kafkaBrokers: e2e.kafkaBrokers,
        databaseUrlFor: e2e.databaseUrlFor,
        jwtSecret: e2e.jwtSecret,
        httpPort: await getFreePort(),
        instanceId,
        logLevel: process.env['E2E_SERVICE_LOG_LEVEL'] ?? 'info',
      });
      launches.push({ name, instanceId, env: { ...env, HEARTBEAT_INTERVAL_MS: '1000', ...options.env, ...extra } });
    };
    await launch('persistence', `persistence-${run}`);
    await launch('router', `router-${run}`);
    // Generous auth limits: every test user registers and logs in from 127.0.0.1.
    await launch('auth', `auth-${run}`, GENEROUS_AUTH_RATE_LIMITS);
    await launch('metrics', `metrics-${run}`);
    for (const [index, spec] of gateways.entries()) await launch('gateway', `gw${index}-${run}`, spec.env);

    const suite = new ChatSuite(launches, path.join(e2e.tempDir, `chat-${run}`));
    for (const item of launches) suite.spawn(item);
    try {
      await Promise.all([...suite.processes.values()].map((service) => service.waitForReady(READY_TIMEOUT_MS)));
    } catch (error) {
      await suite.stop();
      throw error;
    }
    return suite;
  }

  get authUrl(): string {
    return `http://127.0.0.1:${this.process('auth').httpPort}`;
  }

  /** WebSocket URL of gateway `index` (in the order of ChatSuiteOptions.gateways). */
  gatewayUrl(index = 0): string {
    return `ws://127.0.0.1:${this.gateway(index).httpPort}/ws`;
  }

  gatewayId(index = 0): string {
    return this.gatewayLaunch(index).instanceId;
  }

  gateway(index = 0): ServiceProcess {
    return this.byInstance(this.gatewayLaunch(index).instanceId);
  }

  /** The single instance of a non-gateway service. */
  process(name: Exclude<ServiceName, 'gateway'>): ServiceProcess {
    return this.byInstance(this.launchOf(name).instanceId);
  }

  /** Kills a service instance with `signal` (SIGKILL: a crash, nothing flushed or committed). */
  async kill(name: Exclude<ServiceName, 'gateway'>, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.process(name).kill(signal);
  }

  /** Starts a killed service again with the same instance id and environment, as an orchestrator would; waits until ready. */
  async startAgain(name: Exclude<ServiceName, 'gateway'>): Promise<ServiceProcess> {
    const restarted = this.spawn(this.launchOf(name));
    await restarted.waitForReady(READY_TIMEOUT_MS);
    return restarted;
  }

  async restart(name: Exclude<ServiceName, 'gateway'>, signal: NodeJS.Signals = 'SIGKILL'): Promise<ServiceProcess> {
    await this.kill(name, signal);
    return this.startAgain(name);
  }

  /** Crashes gateway `index` (SIGKILL by default): its sockets drop without a close frame (1006). */
  async killGateway(index: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.gateway(index).kill(signal);
  }

  /** Starts gateway `index` again under the same instance id (so the same delivery topic); waits until ready. */
  async startGatewayAgain(index: number): Promise<ServiceProcess> {
    const restarted = this.spawn(this.gatewayLaunch(index));
    await restarted.waitForReady(READY_TIMEOUT_MS);
    return restarted;
  }

  /**
   * Freezes gateway `index` (SIGSTOP): its sockets stay open but nothing is read or answered, like a
   * hung process. End it with killGateway (SIGKILL works on a stopped process).
   */
  freezeGateway(index: number): void {
    process.kill(this.gateway(index).pid, 'SIGSTOP');
  }

  /** The last lines of every service's output, for a failing test's message. */
  diagnostics(lines = 30): string {
    return [...this.processes.entries()]
      .map(([instanceId, service]) => `--- ${instanceId} (pid ${service.pid})\n${service.output().split('\n').slice(-lines).join('\n')}`)
      .join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((service) => service.stop()));
  }

  private spawn(item: Launch): ServiceProcess {
    const service = startService({
      name: item.name,
      env: item.env,
      workspaceRoot: e2e.workspaceRoot,
      logFile: path.join(this.logDir, `${item.instanceId}.log`),
    });
    this.processes.set(item.instanceId, service);
    return service;
  }

  private launchOf(name: ServiceName): Launch {
    const item = this.launches.find((l) => l.name === name);
    if (!item) throw new Error(`${name} is not part of this suite`);
    return item;
  }

  private gatewayLaunch(index: number): Launch {
    const item = this.launches.filter((l) => l.name === 'gateway')[index];
    if (!item) throw new Error(`gateway ${index} is not part of this suite`);
    return item;
  }

  private byInstance(instanceId: string): ServiceProcess {
    const service = this.processes.get(instanceId);
    if (!service) throw new Error(`${instanceId} was never started`);
    return service;
  }
}

/**
 * Starts the suite before the file's tests and stops it after; the returned function gives the
 * running suite inside tests.
 */
export function useChatSuite(options: ChatSuiteOptions): () => ChatSuite {
  let suite: ChatSuite | undefined;
  beforeAll(async () => {
    suite = await ChatSuite.start(options);
  }, READY_TIMEOUT_MS + 30_000);
  afterAll(async () => {
    await suite?.stop();
  }, 60_000);
  return () => {
    if (!suite) throw new Error('the chat suite did not start (see beforeAll)');
    return suite;
  };
}
