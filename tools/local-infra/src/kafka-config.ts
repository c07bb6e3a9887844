import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';

export type PropertyValue = string | number | boolean;

export interface BrokerConfig {
  /** Client listener port. */
  port: number;
  /** KRaft controller listener port. */
  controllerPort: number;
  /** Where partitions and the KRaft metadata log live (Kafka's log.dirs). */
  logDir: string;
  host?: string;
  nodeId?: number;
  /** Extra or replacement broker properties, e.g. { 'auto.create.topics.enable': true }. */
  overrides?: Record<string, PropertyValue>;
  /** Cores to size the broker's thread pools for (default: this machine's). */
  cores?: number;
  /**
   * SASL_SSL for clients (SCRAM-SHA-512 users, the broker's PEM keystore) with ACLs enforced by the
   * StandardAuthorizer; without it one PLAINTEXT listener and no authorization, as before.
   */
  security?: BrokerSecurity;
}

export interface BrokerSecurity {
  /** PEM: the broker's key and certificate chain. */
  keystoreFile: string;
  /** PEM: the CA the broker trusts when it connects to itself (inter-broker traffic). */
  caFile: string;
  /** The super user's password: the broker's own inter-broker login (SCRAM). */
  adminPassword: string;
  /** The controller listener's PLAIN user (loopback only), also a super user. */
  controllerPassword: string;
}

/** The listeners and security settings of a secured broker (see BrokerConfig.security). */
/** The JAAS line of a SCRAM login, for a listener or a client. */
function scramJaas(user: string, password: string): string {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`;
}

export function securityProperties(host: string, port: number, controllerPort: number, security: BrokerSecurity): Record<string, PropertyValue> {
  const plain = (user: string, password: string) => `org.apache.kafka.common.security.plain.PlainLoginModule required username="${user}" password="${password}" user_${user}="${password}";`;
  return {
    listeners: `SASL_SSL://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    'advertised.listeners': `SASL_SSL://${host}:${port}`,
    // The controller listener stays on loopback with SASL/PLAIN: KRaft controllers cannot use SCRAM
    // (its users live in the metadata the controller serves), and TLS there would add nothing on 127.0.0.1.
    'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT',
    'inter.broker.listener.name': 'SASL_SSL',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': scramJaas('admin', security.adminPassword),
    'sasl.mechanism.controller.protocol': 'PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.controller.plain.sasl.jaas.config': plain('controller', security.controllerPassword),
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': security.keystoreFile,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': security.caFile,
    'ssl.endpoint.identification.algorithm': 'https',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:admin;User:controller',
    'allow.everyone.if.no.acl.found': false,
  };
}

/** Java .properties escaping: backslashes (Windows paths) and line breaks would otherwise be mangled. */
function escapeValue(value: PropertyValue): string {
  return String(value).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * server.properties for a single-node KRaft cluster (broker and controller in one JVM),
 * listening on loopback only, plaintext or (with `security`) SASL_SSL with ACLs. Replication settings are 1 because there is one node.
 */
export function renderServerProperties(config: BrokerConfig): string {
  const host = config.host ?? '127.0.0.1';
  const nodeId = config.nodeId ?? 1;
  const properties: Record<string, PropertyValue> = {
    'process.roles': 'broker,controller',
    'node.id': nodeId,
    'controller.quorum.voters': `${nodeId}@${host}:${config.controllerPort}`,
    listeners: `PLAINTEXT://${host}:${config.port},CONTROLLER://${host}:${config.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${config.port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    ...(config.security && securityProperties(host, config.port, config.controllerPort, config.security)),
    'log.dirs': config.logDir,
    'num.partitions': 3,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    // No point waiting for more group members to join in a one-broker dev/test cluster.
    'group.initial.rebalance.delay.ms': 0,
    // Topics are provisioned explicitly, as in production; a typo must not silently create one.
    'auto.create.topics.enable': false,
    // Threads sized for the machine the suite shares with the broker (defaults: 3 network, 8 I/O):
    // more runnable threads than cores only adds context switches per request.
    'num.network.threads': Math.max(1, Math.min(3, config.cores ?? availableParallelism())),
    'num.io.threads': Math.max(2, Math.min(8, config.cores ?? availableParallelism())),
    ...config.overrides,
  };
  const lines = Object.entries(properties).map(([key, value]) => `${key}=${escapeValue(value)}`);
  return `# Generated by @chat/local-infra; rewritten on every start.\n${lines.join('\n')}\n`;
}

/** Properties for Kafka's command-line tools (`--command-config`) logging in as `user` over SASL_SSL, trusting the local CA. */
export function renderClientProperties(user: string, password: string, caFile: string): string {
  const properties: Record<string, PropertyValue> = {
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.jaas.config': scramJaas(user, password),
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': caFile,
  };
  return `${Object.entries(properties).map(([key, value]) => `${key}=${escapeValue(value)}`).join('\n')}\n`;
}

/** Broker logging: warnings and errors only, to stdout (which the launcher sends to a file). */
export function renderLog4j2Yaml(): string {
  return [
    'Configuration:',
    '  Appenders:',
    '    Console:',
    '      name: STDOUT',
    '      PatternLayout:',
    '        pattern: "[%d] %p %m (%c)%n"',
    '  Loggers:',
    '    Root:',
    '      level: WARN',
    '      AppenderRef:',
    '        - ref: STDOUT',
    '',
  ].join('\n');
}

/**
 * A KRaft cluster id like `kafka-storage random-uuid` prints: 16 random bytes, base64url without
 * padding. Generated here to save a JVM start; Kafka rejects ids starting with '-'.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
