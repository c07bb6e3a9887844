import path from 'node:path';
import { type DataEncryptionEnv, generateDataEncryptionEnv, type InstanceSpec, ServiceFleet, type ServiceFleetOptions, type ServiceName, type ServiceProcess, startWebServer, type WebServer } from '@chat/local-infra';
import { e2e, uniqueName } from './environment';

/*
 * The whole chat system as OS processes, started from dist/ once per test file against the run's
 * broker and PostgreSQL, through the launcher of @chat/local-infra (ServiceFleet). Instance ids are
 * unique per file, so each file's gateways get delivery topics of their own; users are unique per
 * test, so nothing needs cleaning between tests.
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
  /**
   * Also serve the built web client (dist/apps/web) as `npm start` does: the same web server of
   * @chat/local-infra, with /auth and /ws routed to this suite's auth and first gateway.
   */
  web?: boolean;
  /** Persistence's database instead of the run's shared chat_persistence (a file that reads or rewrites the whole table). */
  persistenceDatabase?: string;
  /** Persistence's data encryption keys; default: one random key for the file (ServiceFleet). */
  dataEncryption?: DataEncryptionEnv;
}

const READY_TIMEOUT_MS = 120_000;

export class ChatSuite {
  private webServer: WebServer | undefined;
  /** Instances added after the start (addInstance), each in a fleet of its own, by instance name. */
  private readonly extraFleets = new Map<string, ServiceFleet>();

  private constructor(
    private readonly fleet: ServiceFleet,
    private readonly instances: InstanceSpec[],
    private readonly run: string,
    private readonly fleetOptions: Omit<ServiceFleetOptions, 'instances'>,
  ) {}

  /** Starts every service (one instance each, and the requested gateways) and waits until all are ready. */
  static async start(options: ChatSuiteOptions): Promise<ChatSuite> {
    const run = uniqueName(options.label).toLowerCase();
    const gateways = options.gateways ?? [{}];
    // Instance ids double as instance names: they name the log files `<tempDir>/chat-<run>/<instanceId>.log`.
    const instances: InstanceSpec[] = [
      { name: `persistence-${run}`, service: 'persistence' },
      { name: `router-${run}`, service: 'router' },
      { name: `auth-${run}`, service: 'auth' },
      { name: `metrics-${run}`, service: 'metrics' },
      ...gateways.map((spec, index): InstanceSpec => ({ name: `gw${index}-${run}`, service: 'gateway', env: spec.env })),
    ];
    const fleetOptions: Omit<ServiceFleetOptions, 'instances'> = {
      workspaceRoot: e2e.workspaceRoot,
      kafkaBrokers: e2e.kafkaBrokers,
      // Each service logs in as its own Kafka principal, under the ACLs.
      kafkaSecurity: e2e.kafkaSecurity,
      databaseUrlFor: (database) => e2e.databaseUrlFor(database === 'chat_persistence' ? (options.persistenceDatabase ?? database) : database),
      // Chosen here, not per fleet: an instance added later (addInstance) must read what the first stored.
      dataEncryption: options.dataEncryption ?? generateDataEncryptionEnv(),
      jwtKeys: e2e.jwtKeys,
      logLevel: process.env['E2E_SERVICE_LOG_LEVEL'] ?? 'info',
      env: { HEARTBEAT_INTERVAL_MS: '1000', ...options.env },
      // Every test user registers and logs in from 127.0.0.1.
      generousAuthRateLimits: true,
      logDir: path.join(e2e.tempDir, `chat-${run}`),
      readyTimeoutMs: READY_TIMEOUT_MS,
    };
    const fleet = new ServiceFleet({ ...fleetOptions, instances });
    await fleet.start();
    const suite = new ChatSuite(fleet, instances, run, fleetOptions);
    if (options.web) {
      try {
        suite.webServer = await startWebServer({
          root: path.join(e2e.workspaceRoot, 'dist', 'apps', 'web'),
          authUrl: suite.authUrl,
          gatewayUrl: `http://127.0.0.1:${suite.gateway(0).httpPort}`,
        });
      } catch (error) {
        await fleet.stop();
        throw error;
      }
    }
    return suite;
  }

  /** The web client's server (ChatSuiteOptions.web). */
  get web(): WebServer {
    if (!this.webServer) throw new Error('this suite serves no web client: start it with { web: true }');
    return this.webServer;
  }

  get authUrl(): string {
    return `http://127.0.0.1:${this.process('auth').httpPort}`;
  }

  /** WebSocket URL of gateway `index` (in the order of ChatSuiteOptions.gateways). */
  gatewayUrl(index = 0): string {
    return `ws://127.0.0.1:${this.gateway(index).httpPort}/ws`;
  }

  gatewayId(index = 0): string {
    return this.gatewayName(index);
  }

  gateway(index = 0): ServiceProcess {
    return this.fleet.process(this.gatewayName(index));
  }

  /** The single instance of a non-gateway service. */
  process(name: Exclude<ServiceName, 'gateway'>): ServiceProcess {
    return this.fleet.process(this.nameOf(name));
  }

  /** Kills a service instance with `signal` (SIGKILL: a crash, nothing flushed or committed). */
  async kill(name: Exclude<ServiceName, 'gateway'>, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.fleet.kill(this.nameOf(name), signal);
  }

  /**
   * Starts a killed service again with the same instance id and environment, as an orchestrator would
   * (`env` changes it from now on, as a redeploy with new settings); waits until ready.
   */
  startAgain(name: Exclude<ServiceName, 'gateway'>, env?: Record<string, string>): Promise<ServiceProcess> {
    return this.fleet.startAgain(this.nameOf(name), { env });
  }

  restart(name: Exclude<ServiceName, 'gateway'>, signal: NodeJS.Signals = 'SIGKILL'): Promise<ServiceProcess> {
    return this.fleet.restart(this.nameOf(name), { signal });
  }

  /** Crashes gateway `index` (SIGKILL by default): its sockets drop without a close frame (1006). */
  async killGateway(index: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.fleet.kill(this.gatewayName(index), signal);
  }

  /** Starts gateway `index` again under the same instance id (so the same delivery topic); waits until ready. */
  startGatewayAgain(index: number): Promise<ServiceProcess> {
    return this.fleet.startAgain(this.gatewayName(index));
  }

  /**
   * Freezes gateway `index` (SIGSTOP): its sockets stay open but nothing is read or answered, like a
   * hung process. End it with killGateway (SIGKILL works on a stopped process).
   */
  freezeGateway(index: number): void {
    this.fleet.freeze(this.gatewayName(index));
  }

  /**
   * Starts one more instance of `service` next to the suite's own (same database, data keys and
   * environment; its own instance id, port and log file), as scaling out would, and waits until it is
   * ready. Returns its instance name (= its INSTANCE_ID), for instance(), killInstance() and
   * startInstanceAgain(); stop() stops it with the rest.
   */
  async addInstance(service: Exclude<ServiceName, 'gateway'>): Promise<string> {
    const name = `${service}${this.extraFleets.size + 2}-${this.run}`;
    const fleet = new ServiceFleet({ ...this.fleetOptions, instances: [{ name, service }] });
    this.extraFleets.set(name, fleet);
    await fleet.start();
    return name;
  }

  /** The instance name (= INSTANCE_ID) of the suite's own instance of `service`. */
  instanceName(service: Exclude<ServiceName, 'gateway'>): string {
    return this.nameOf(service);
  }

  /** The current process of any instance by name: the suite's own or one added by addInstance. */
  instance(name: string): ServiceProcess {
    return this.fleetOf(name).process(name);
  }

  /** Sends `signal` to an instance by name and resolves when it has exited (see kill). */
  async killInstance(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.fleetOf(name).kill(name, signal);
  }

  /** SIGSTOP to an instance by name: a hung process (see freezeGateway); end it with thawInstance or killInstance. */
  freezeInstance(name: string): void {
    this.fleetOf(name).freeze(name);
  }

  /** SIGCONT to a frozen instance. */
  thawInstance(name: string): void {
    this.fleetOf(name).thaw(name);
  }

  /** Starts an instance by name again with the same instance id (see startAgain); waits until ready. */
  startInstanceAgain(name: string): Promise<ServiceProcess> {
    return this.fleetOf(name).startAgain(name);
  }

  /** The last lines of every service's output, for a failing test's message. */
  diagnostics(lines = 30): string {
    return [this.fleet, ...this.extraFleets.values()].map((fleet) => fleet.diagnostics(lines)).join('\n');
  }

  async stop(): Promise<void> {
    await this.webServer?.close();
    await Promise.all([this.fleet, ...this.extraFleets.values()].map((fleet) => fleet.stop()));
  }

  private fleetOf(name: string): ServiceFleet {
    const extra = this.extraFleets.get(name);
    if (extra) return extra;
    if (this.fleet.instances.some((spec) => spec.name === name)) return this.fleet;
    throw new Error(`${name} is not an instance of this suite`);
  }

  private nameOf(service: ServiceName): string {
    const instance = this.instances.find((spec) => spec.service === service);
    if (!instance) throw new Error(`${service} is not part of this suite`);
    return instance.name;
  }

  private gatewayName(index: number): string {
    const instance = this.instances.filter((spec) => spec.service === 'gateway')[index];
    if (!instance) throw new Error(`gateway ${index} is not part of this suite`);
    return instance.name;
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
