import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePrivateKey, type SigningKey } from '@chat/auth-tokens';
import { kafkaSecurityFromEnv, type KafkaSecurity } from '@chat/kafka';
import { clientSecurity, generateJwtKeys, type Infra, type InstanceSpec, readyzStatus, type ServiceName, ServiceFleet, startInfra } from '@chat/local-infra';

/**
 * The chat suite the load runs against: one the load generator started itself (own broker and
 * PostgreSQL in a temp dir, or given ones, and the five services on free ports; it knows their pids
 * and the JWT secret), or one already running that it only knows by URL. Started through the
 * launcher of @chat/local-infra (startInfra + ServiceFleet).
 */

export interface StartSuiteOptions {
  workspaceRoot: string;
  gateways: number;
  /** Use this broker instead of starting one. */
  kafkaBrokers?: string;
  /** Use this PostgreSQL (`__database__` stands for the database name) instead of starting one. */
  databaseUrlTemplate?: string;
  logLevel: string;
  /** Start every service with `--cpu-prof` writing into this directory. */
  cpuProfDir?: string;
  /** Most sockets one gateway admits (WS_MAX_CONNECTIONS). */
  gatewayMaxConnections: number;
  /** Extra environment for every service / for gateways. */
  env?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  onLine?: (instanceId: string, line: string) => void;
}

export interface AttachSuiteOptions {
  authUrl: string;
  gatewayUrls: string[];
  metricsUrl?: string;
  kafkaBrokers?: string;
  /** Auth's signing key (--jwt-private-key, --jwt-key-id): then idle and storm users get minted tokens. */
  jwtSigningKey?: SigningKey;
}

const READY_TIMEOUT_MS = 180_000;

export class SuiteUnderTest {
  private constructor(
    readonly authUrl: string,
    readonly gatewayUrls: string[],
    readonly metricsUrl: string | undefined,
    readonly kafkaBrokers: string | undefined,
    readonly jwtSigningKey: SigningKey | undefined,
    /**
     * How the load generator's own Kafka clients (lag, baselines) log in: the admin of a broker it
     * started (SASL_SSL), else the KAFKA_SECURITY_PROTOCOL etc. of its environment.
     */
    readonly kafkaSecurity: KafkaSecurity,
    private readonly fleet?: ServiceFleet,
    private readonly infra?: Infra,
    readonly tempDir?: string,
  ) {}

  static attach(options: AttachSuiteOptions): SuiteUnderTest {
    return new SuiteUnderTest(options.authUrl, options.gatewayUrls, options.metricsUrl, options.kafkaBrokers, options.jwtSigningKey, kafkaSecurityFromEnv(process.env));
  }

  static async start(options: StartSuiteOptions, say: (line: string) => void): Promise<SuiteUnderTest> {
    const tempDir = mkdtempSync(path.join(tmpdir(), 'chat-loadgen-'));
    const template = options.databaseUrlTemplate;
    const infra = await startInfra({
      workspaceRoot: options.workspaceRoot,
      // An own broker runs SASL_SSL with a principal per service and the ACLs, as in production.
      kafka: options.kafkaBrokers ? { external: options.kafkaBrokers } : { start: { dataDir: path.join(tempDir, 'kafka'), logFile: path.join(tempDir, 'kafka.log'), secure: true } },
      postgres: template
        ? { external: (database) => template.replace('__database__', database) }
        : { start: { dataDir: path.join(tempDir, 'postgres'), logFile: path.join(tempDir, 'postgres.log') } },
      onProgress: (event) => {
        if (event.phase === 'starting') say(`starting ${event.component === 'kafka' ? 'Kafka' : 'PostgreSQL'} (${event.dataDir})…`);
      },
    });

    const jwtKeys = generateJwtKeys();
    const run = `lg${Date.now().toString(36)}`;
    const instance = (service: ServiceName, name: string, spec: Partial<InstanceSpec> = {}): InstanceSpec => ({ name, service, ...spec });
    const instances = [
      instance('persistence', `persistence-${run}`),
      instance('router', `router-${run}`),
      instance('auth', `auth-${run}`),
      instance('metrics', `metrics-${run}`, { env: { LAG_POLL_INTERVAL_MS: '1000' } }),
      ...Array.from({ length: options.gateways }, (_, index) =>
        instance('gateway', `gw${index}-${run}`, {
          env: { WS_MAX_CONNECTIONS: String(options.gatewayMaxConnections), ...options.gatewayEnv },
          // Like the load generator's workers: a gateway holds ~19,000 sockets, far above a default soft limit of 1,024.
          raiseOpenFileLimit: true,
        }),
      ),
    ];
    if (options.cpuProfDir) mkdirSync(options.cpuProfDir, { recursive: true });
    const onLine = options.onLine;
    const fleet = new ServiceFleet({
      workspaceRoot: options.workspaceRoot,
      kafkaBrokers: infra.kafkaBrokers,
      kafkaSecurity: infra.servicesKafkaSecurity,
      databaseUrlFor: (database) => infra.databaseUrlFor(database),
      jwtKeys,
      logLevel: options.logLevel,
      instances,
      env: options.env,
      generousAuthRateLimits: true,
      // Not through NODE_OPTIONS: node refuses --cpu-prof there.
      nodeArgs: options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [],
      logDir: tempDir,
      onLine: onLine ? (spec, line) => onLine(spec.name, line) : undefined,
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
    say(`starting ${instances.length} services (${options.gateways} gateways)…`);
    try {
      await fleet.start();
    } catch (error) {
      await infra.stop();
      removeData(tempDir, infra);
      throw error;
    }
    const url = (name: string) => `http://127.0.0.1:${fleet.httpPort(name)}`;
    return new SuiteUnderTest(
      url(`auth-${run}`),
      instances.filter((spec) => spec.service === 'gateway').map((spec) => `ws://127.0.0.1:${fleet.httpPort(spec.name)}/ws`),
      url(`metrics-${run}`),
      infra.kafkaBrokers,
      { kid: jwtKeys.keyId, privateKey: parsePrivateKey(jwtKeys.privateKeyPem) },
      infra.broker ? clientSecurity(infra.kafkaSecurity, 'admin') : kafkaSecurityFromEnv(process.env),
      fleet,
      infra,
      tempDir,
    );
  }

  /** Whether the load generator started the services (and so knows their pids). */
  get owned(): boolean {
    return this.fleet !== undefined;
  }

  get gatewayIds(): string[] {
    return (this.fleet?.instances ?? []).filter((spec) => spec.service === 'gateway').map((spec) => spec.name);
  }

  /** Pids of the running service processes by instance id, with their service name. */
  servicePids(): Array<{ instanceId: string; name: ServiceName; pid: number }> {
    return (this.fleet?.running() ?? []).map(({ spec, process }) => ({ instanceId: spec.name, name: spec.service, pid: process.pid }));
  }

  servicePidsEverStarted(): Array<{ instanceId: string; name: ServiceName; pid: number }> {
    return (this.fleet?.everStarted() ?? []).map(({ instanceId, service, pid }) => ({ instanceId, name: service, pid }));
  }

  gatewayPid(index: number): number | undefined {
    const name = this.gatewayIds[index];
    return this.fleet?.running().find(({ spec }) => spec.name === name)?.process.pid;
  }

  infraPids(): Array<{ name: string; pid: number }> {
    return this.infra?.pids() ?? [];
  }

  /** SIGKILLs gateway `index` (only one this load generator started). */
  async killGateway(index: number): Promise<void> {
    const name = this.gatewayIds[index];
    if (!this.fleet || !name) throw new Error(`gateway ${index} was not started by the load generator`);
    await this.fleet.kill(name, 'SIGKILL');
  }

  /** GET /readyz of gateway `index`: true on 200. */
  async gatewayReady(index: number, timeoutMs = 2000): Promise<boolean> {
    return (await readyzStatus(this.gatewayUrls[index].replace(/^ws/, 'http').replace(/\/ws$/, ''), timeoutMs)) === 200;
  }

  /** Last output lines of every service, for an error report. */
  diagnostics(lines = 20): string {
    return this.fleet?.diagnostics(lines) ?? '';
  }

  async stop(): Promise<void> {
    await this.fleet?.stop();
    await this.infra?.stop();
    if (this.tempDir && this.infra) removeData(this.tempDir, this.infra);
  }
}

/** The logs stay for a post-mortem; the data of a broker or PostgreSQL started here (≈ 100 MB a run) goes. */
function removeData(tempDir: string, infra: Infra): void {
  if (infra.broker) rmSync(path.join(tempDir, 'kafka'), { recursive: true, force: true });
  if (infra.postgres) rmSync(path.join(tempDir, 'postgres'), { recursive: true, force: true });
}
