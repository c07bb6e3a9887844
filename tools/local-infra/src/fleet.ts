import path from 'node:path';
import { type DataEncryptionEnv, generateDataEncryptionEnv } from './data-keys';
import { getFreePorts } from './free-port';
// build-app.mjs compiles these libs into local-infra's build: their being unbuildable does not matter.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { kafkaSecurityEnv } from '@chat/kafka';
import { provisionGatewayPrincipal } from './gateway-principal';
import type { LocalKafkaSecurity } from './kafka-security';
import type { JwtKeys } from './jwt-keys';
import { readyzStatus } from './readyz';
import { GENEROUS_AUTH_RATE_LIMITS, GENEROUS_GATEWAY_IP_LIMITS, SERVICE_SPECS, type ServiceName, type ServiceProcess, serviceEnv, startService } from './suite';

/*
 * The services half of the launcher: the built services (`node <appsDir>/<service>/main.js`) as OS
 * processes, any number of instances per service (N gateways), each with its own environment, port,
 * log file and instance id, started in the given order and waited for on /readyz. Every instance
 * can be killed, frozen and started again in place (same instance id, port and environment), as an
 * orchestrator would. `up`, the e2e suite, the load generator and the fault harness all run their
 * services through a ServiceFleet.
 */

export interface InstanceSpec {
  /** The caller's name for the instance: lookups, `onLine`, and the log file `<logDir>/<name>.log`. Unique. */
  name: string;
  service: ServiceName;
  /** INSTANCE_ID (which also names a gateway's delivery topic); default: `name`. */
  instanceId?: string;
  /** This instance's own environment; laid over everything else. */
  env?: Record<string, string>;
  /**
   * Raise the soft open-file limit to the hard one (see StartServiceOptions.raiseOpenFileLimit):
   * a gateway holding tens of thousands of sockets needs more than a default 1,024.
   */
  raiseOpenFileLimit?: boolean;
}

export interface ServiceFleetOptions {
  workspaceRoot: string;
  kafkaBrokers: string;
  /**
   * Infra.servicesKafkaSecurity: each service logs in to a secured local broker as its own principal
   * (each gateway as `gateway-<its instance id>`, provisioned when it is first started), or
   * (`plaintext`) to a plaintext one with no inherited credentials; unset: the parent's KAFKA_* variables.
   */
  kafkaSecurity?: LocalKafkaSecurity | 'plaintext';
  /** Needed when auth or persistence is among the instances (e.g. Infra.databaseUrlFor). */
  databaseUrlFor?: (database: string) => string;
  /** Access-token keys: auth signs with the private key, the gateways verify with the public ones. */
  jwtKeys: JwtKeys;
  /** Persistence's data encryption keys; default: one random key for this fleet, shared by its persistence instances. */
  dataEncryption?: DataEncryptionEnv;
  /** LOG_LEVEL of every instance; default info. */
  logLevel?: string;
  /** Instances in start order. */
  instances: InstanceSpec[];
  /** Environment for every instance, under an instance's own `env`. */
  env?: Record<string, string>;
  /**
   * Lay GENEROUS_AUTH_RATE_LIMITS into auth's environment and GENEROUS_GATEWAY_IP_LIMITS into each
   * gateway's (test, load and harness runs, all from one address; never `up`).
   */
  generousAuthRateLimits?: boolean;
  /**
   * HTTP ports: `free` (default) picks distinct free ports for all instances at start, kept across
   * restarts; `defaults` uses each service's fixed port (SERVICE_SPECS, one instance per service).
   */
  ports?: 'free' | 'defaults';
  /**
   * Starts of an instance on a free port: when another program took the port between picking it
   * and binding it (EADDRINUSE), the instance starts again on another one. Default 1 (no retry).
   */
  portAttempts?: number;
  /** Where the built services are: `<appsDir>/<service>/main.js`; default `<workspaceRoot>/dist/apps`. */
  appsDir?: string;
  /** Appends each instance's output to `<logDir>/<name>.log`; default: no log files. */
  logDir?: string;
  /** Options for node before the entry, e.g. `--cpu-prof` (which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** Every complete output line of every instance. */
  onLine?: (instance: InstanceSpec, line: string, stream: 'stdout' | 'stderr') => void;
  /** Own process groups (see StartKafkaBrokerOptions.detached). */
  detached?: boolean;
  /** How long start() and startAgain() wait for /readyz; default 120 s. */
  readyTimeoutMs?: number;
}

export interface StartedInstance {
  name: string;
  service: ServiceName;
  instanceId: string;
  pid: number;
}

const DEFAULT_READY_TIMEOUT_MS = 120_000;

interface Entry {
  spec: InstanceSpec;
  env: Record<string, string>;
  process?: ServiceProcess;
  running: boolean;
  /** A gateway on a secured local broker: whether its principal was provisioned (its login is in `env`). */
  loginProvisioned?: boolean;
}

export class ServiceFleet {
  private readonly entries = new Map<string, Entry>();
  private readonly started: StartedInstance[] = [];
  private readonly readyTimeoutMs: number;

  constructor(private readonly options: ServiceFleetOptions) {
    this.readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const dataEncryption = options.dataEncryption ?? generateDataEncryptionEnv();
    for (const spec of options.instances) {
      if (this.entries.has(spec.name)) throw new Error(`instance ${spec.name} is listed twice`);
      const env = {
        ...serviceEnv(spec.service, {
          kafkaBrokers: options.kafkaBrokers,
          kafkaSecurity: options.kafkaSecurity,
          databaseUrlFor: options.databaseUrlFor,
          jwtKeys: options.jwtKeys,
          instanceId: spec.instanceId ?? spec.name,
          logLevel: options.logLevel,
        }),
        ...(spec.service === 'persistence' ? dataEncryption : {}),
        ...options.env,
        ...(options.generousAuthRateLimits && spec.service === 'auth' ? GENEROUS_AUTH_RATE_LIMITS : {}),
        ...(options.generousAuthRateLimits && spec.service === 'gateway' ? GENEROUS_GATEWAY_IP_LIMITS : {}),
        ...spec.env,
      };
      this.entries.set(spec.name, { spec, env, running: false });
    }
  }

  /**
   * Starts every instance in order and waits until each answers /readyz 200. When one fails, all are
   * stopped and the error names the first failures (with their output).
   */
  async start(): Promise<void> {
    const entries = [...this.entries.values()];
    if (this.options.ports !== 'defaults') {
      const ports = await getFreePorts(entries.length);
      entries.forEach((entry, index) => (entry.env.HTTP_PORT = String(ports[index])));
    } else {
      for (const entry of entries) entry.env.HTTP_PORT = String(SERVICE_SPECS[entry.spec.service].httpPort);
    }
    await Promise.all(entries.map((entry) => this.provisionLogin(entry)));
    try {
      for (const entry of entries) this.spawn(entry);
    } catch (error) {
      await this.stop();
      throw error;
    }

    const failures: string[] = [];
    let failed = false;
    await Promise.all(
      entries.map(async (entry) => {
        try {
          await this.waitWithPortRetries(entry);
        } catch (error) {
          if (failed) return; // stopped because another instance failed
          failures.push(error instanceof Error ? error.message : String(error));
          failed = true;
          await this.stop();
        }
      }),
    );
    if (failures.length > 0) throw new Error(`not all services became ready:\n${failures.join('\n\n')}`);
  }

  /** The instances, in start order. */
  get instances(): readonly InstanceSpec[] {
    return [...this.entries.values()].map((entry) => entry.spec);
  }

  /** The instance's current process (the last one started). */
  process(name: string): ServiceProcess {
    const service = this.entry(name).process;
    if (!service) throw new Error(`${name} was never started`);
    return service;
  }

  /** The environment the instance runs with (HTTP_PORT is set once start() began). */
  env(name: string): Readonly<Record<string, string>> {
    return this.entry(name).env;
  }

  httpPort(name: string): number {
    return Number(this.entry(name).env.HTTP_PORT);
  }

  /** Instances whose current process has not exited. */
  running(): Array<{ spec: InstanceSpec; process: ServiceProcess }> {
    return [...this.entries.values()].flatMap((entry) => (entry.running && entry.process ? [{ spec: entry.spec, process: entry.process }] : []));
  }

  /** Every process started, killed and restarted ones included (CPU profiles are named by pid). */
  everStarted(): StartedInstance[] {
    return [...this.started];
  }

  /** Sends `signal` (default SIGKILL: a crash, nothing flushed or committed) and resolves when the process has exited. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.process(name).kill(signal);
  }

  /**
   * Starts the instance again with the same instance id, port and environment (`env` changes it from
   * now on, as a redeploy with new settings would); waits for /readyz unless told not to.
   */
  async startAgain(name: string, options: { waitForReady?: boolean; env?: Record<string, string> } = {}): Promise<ServiceProcess> {
    const entry = this.entry(name);
    await this.provisionLogin(entry);
    if (options.env) Object.assign(entry.env, options.env);
    const service = this.spawn(entry);
    if (options.waitForReady ?? true) await service.waitForReady(this.readyTimeoutMs);
    return service;
  }

  /** kill, then startAgain. */
  async restart(name: string, options: { signal?: NodeJS.Signals; waitForReady?: boolean } = {}): Promise<ServiceProcess> {
    await this.kill(name, options.signal ?? 'SIGKILL');
    return this.startAgain(name, options);
  }

  /**
   * SIGSTOP: the process keeps its sockets open but reads and answers nothing, like a hung one.
   * End it with thaw (SIGCONT) or kill (SIGKILL works on a stopped process).
   */
  freeze(name: string): void {
    process.kill(this.process(name).pid, 'SIGSTOP');
  }

  thaw(name: string): void {
    process.kill(this.process(name).pid, 'SIGCONT');
  }

  /** Whether the instance answers /readyz with 200 right now. */
  async isReady(name: string, timeoutMs = 2_000): Promise<boolean> {
    return (await readyzStatus(this.httpPort(name), timeoutMs)) === 200;
  }

  /** Whether every instance answers /readyz with 200 right now. */
  async allReady(timeoutMs = 2_000): Promise<boolean> {
    const answers = await Promise.all(this.instances.map((spec) => this.isReady(spec.name, timeoutMs)));
    return answers.every(Boolean);
  }

  /** The last lines of every instance's output, for an error report. */
  diagnostics(lines = 30): string {
    return [...this.entries.values()]
      .flatMap((entry) => (entry.process ? [`--- ${entry.spec.name} (pid ${entry.process.pid})\n${entry.process.output().split('\n').slice(-lines).join('\n')}`] : []))
      .join('\n');
  }

  /** SIGTERM to every running instance (SIGKILL after 15 s); resolves when all have exited. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.running().map(({ process }) => process.stop()));
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`${name} is not an instance of this fleet`);
    return entry;
  }

  /**
   * A gateway on the secured local broker logs in as its own principal: its SCRAM user and ACLs are
   * made before its first start (provisionGatewayPrincipal), and its login laid under its own `env`.
   */
  private async provisionLogin(entry: Entry): Promise<void> {
    const security = this.options.kafkaSecurity;
    if (entry.spec.service !== 'gateway' || security === undefined || security === 'plaintext' || entry.loginProvisioned) return;
    const login = await provisionGatewayPrincipal({ brokers: this.options.kafkaBrokers, security }, entry.env.INSTANCE_ID);
    // The instance's own env still wins (a test giving a gateway other credentials on purpose).
    const own = entry.spec.env ?? {};
    for (const [variable, value] of Object.entries(kafkaSecurityEnv(login))) if (!(variable in own)) entry.env[variable] = value;
    entry.loginProvisioned = true;
  }

  private async waitWithPortRetries(entry: Entry): Promise<void> {
    const attempts = this.options.ports === 'defaults' ? 1 : (this.options.portAttempts ?? 1);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.process(entry.spec.name).waitForReady(this.readyTimeoutMs);
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempt >= attempts || !message.includes('EADDRINUSE')) throw error;
        const [port] = await getFreePorts(1);
        entry.env.HTTP_PORT = String(port);
        this.spawn(entry);
      }
    }
  }

  private spawn(entry: Entry): ServiceProcess {
    const { spec } = entry;
    const { appsDir, logDir, onLine } = this.options;
    const service = startService({
      name: spec.service,
      env: entry.env,
      workspaceRoot: this.options.workspaceRoot,
      entry: appsDir ? path.join(appsDir, spec.service, 'main.js') : undefined,
      logFile: logDir ? path.join(logDir, `${spec.name}.log`) : undefined,
      onLine: onLine ? (line, stream) => onLine(spec, line, stream) : undefined,
      raiseOpenFileLimit: spec.raiseOpenFileLimit,
      nodeArgs: this.options.nodeArgs,
      detached: this.options.detached,
    });
    entry.process = service;
    entry.running = true;
    void service.exited.then(() => {
      if (entry.process === service) entry.running = false;
    });
    this.started.push({ name: spec.name, service: spec.service, instanceId: entry.env.INSTANCE_ID, pid: service.pid });
    return service;
  }
}
