import { accessSync, constants, readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/**
 * How a process authenticates to Kafka and protects the connection, read from the environment in
 * one place, so every service and tool (chatctl, loadgen, the fault harness, the e2e suite) connects
 * the same way. The names are Kafka's own (`security.protocol`, `sasl.mechanism`):
 *
 *   KAFKA_SECURITY_PROTOCOL  PLAINTEXT (default) | SSL | SASL_PLAINTEXT | SASL_SSL
 *   KAFKA_SASL_MECHANISM     SCRAM-SHA-512 (default) | SCRAM-SHA-256 | PLAIN
 *   KAFKA_SASL_USERNAME      the principal (required with SASL_*)
 *   KAFKA_SASL_PASSWORD      its password (required with SASL_*)
 *   KAFKA_SSL_CA_FILE        PEM file of the CA(s) the broker certificate chains to (default: Node's CAs)
 *   KAFKA_SSL_CERT_FILE      PEM client certificate, for brokers that require one (with KAFKA_SSL_KEY_FILE)
 *   KAFKA_SSL_KEY_FILE       PEM private key of that certificate
 */

export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type KafkaSecurityProtocol = (typeof KAFKA_SECURITY_PROTOCOLS)[number];
export const KAFKA_SASL_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** The environment variables above, as strings (unset or empty = not given). */
export interface KafkaSecurityEnv {
  KAFKA_SECURITY_PROTOCOL?: string;
  KAFKA_SASL_MECHANISM?: string;
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
  KAFKA_SSL_CA_FILE?: string;
  KAFKA_SSL_CERT_FILE?: string;
  KAFKA_SSL_KEY_FILE?: string;
}

export const KAFKA_SECURITY_VARIABLES = [
  'KAFKA_SECURITY_PROTOCOL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
] as const satisfies readonly (keyof KafkaSecurityEnv)[];

export interface KafkaSecurity {
  protocol: KafkaSecurityProtocol;
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  /** Present for SSL and SASL_SSL; files are PEM. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export const PLAINTEXT_SECURITY: KafkaSecurity = { protocol: 'PLAINTEXT' };

export interface KafkaSecurityProblem {
  variable: keyof KafkaSecurityEnv;
  problem: string;
}

/** The environment did not describe a usable Kafka connection; names every bad variable. */
export class KafkaSecurityConfigError extends Error {
  constructor(readonly problems: KafkaSecurityProblem[]) {
    super(`invalid Kafka security configuration: ${problems.map((p) => `${p.variable}: ${p.problem}`).join('; ')}`);
    this.name = 'KafkaSecurityConfigError';
  }
}

const given = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

function readable(file: string): string | undefined {
  try {
    accessSync(file, constants.R_OK);
    return undefined;
  } catch (error) {
    return `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
}

/** Parses and checks the variables; `problems` is empty exactly when `security` is usable. */
export function parseKafkaSecurity(env: KafkaSecurityEnv): { security?: KafkaSecurity; problems: KafkaSecurityProblem[] } {
  const problems: KafkaSecurityProblem[] = [];
  const rawProtocol = given(env.KAFKA_SECURITY_PROTOCOL)?.toUpperCase() ?? 'PLAINTEXT';
  if (!(KAFKA_SECURITY_PROTOCOLS as readonly string[]).includes(rawProtocol)) {
    problems.push({ variable: 'KAFKA_SECURITY_PROTOCOL', problem: `must be one of ${KAFKA_SECURITY_PROTOCOLS.join(', ')}` });
    return { problems };
  }
  const protocol = rawProtocol as KafkaSecurityProtocol;
  const security: KafkaSecurity = { protocol };
  const usesSasl = protocol.startsWith('SASL_');
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';

  const username = given(env.KAFKA_SASL_USERNAME);
  const password = env.KAFKA_SASL_PASSWORD === undefined || env.KAFKA_SASL_PASSWORD === '' ? undefined : env.KAFKA_SASL_PASSWORD;
  if (usesSasl) {
    const mechanism = given(env.KAFKA_SASL_MECHANISM)?.toUpperCase() ?? 'SCRAM-SHA-512';
    if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
      problems.push({ variable: 'KAFKA_SASL_MECHANISM', problem: `must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}` });
    }
    if (!username) problems.push({ variable: 'KAFKA_SASL_USERNAME', problem: `is required when KAFKA_SECURITY_PROTOCOL is ${protocol}` });
    if (!password) problems.push({ variable: 'KAFKA_SASL_PASSWORD', problem: `is required when KAFKA_SECURITY_PROTOCOL is ${protocol}` });
    if (mechanism === 'PLAIN' && protocol === 'SASL_PLAINTEXT') {
      problems.push({ variable: 'KAFKA_SASL_MECHANISM', problem: 'PLAIN over SASL_PLAINTEXT would send the password in clear text: use SASL_SSL or SCRAM' });
    }
    if (username && password) security.sasl = { mechanism: mechanism as KafkaSaslMechanism, username, password };
  } else if (username || password) {
    // Credentials that are silently ignored would look like a secured connection that is not.
    problems.push({ variable: username ? 'KAFKA_SASL_USERNAME' : 'KAFKA_SASL_PASSWORD', problem: `is set but KAFKA_SECURITY_PROTOCOL is ${protocol}: use SASL_SSL (or unset it)` });
  }

  const caFile = given(env.KAFKA_SSL_CA_FILE);
  const certFile = given(env.KAFKA_SSL_CERT_FILE);
  const keyFile = given(env.KAFKA_SSL_KEY_FILE);
  if (usesTls) {
    for (const [variable, file] of [['KAFKA_SSL_CA_FILE', caFile], ['KAFKA_SSL_CERT_FILE', certFile], ['KAFKA_SSL_KEY_FILE', keyFile]] as const) {
      const problem = file === undefined ? undefined : readable(file);
      if (problem) problems.push({ variable, problem });
    }
    if (Boolean(certFile) !== Boolean(keyFile)) {
      problems.push({ variable: certFile ? 'KAFKA_SSL_KEY_FILE' : 'KAFKA_SSL_CERT_FILE', problem: 'a client certificate needs both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE' });
    }
    security.tls = { ...(caFile && { caFile }), ...(certFile && { certFile }), ...(keyFile && { keyFile }) };
  } else {
    const stray = (['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const).find((variable) => given(env[variable]));
    if (stray) problems.push({ variable: stray, problem: `is set but KAFKA_SECURITY_PROTOCOL is ${protocol}: TLS needs SSL or SASL_SSL` });
  }
  return problems.length > 0 ? { problems } : { security, problems };
}

/** The Kafka security of an environment; throws KafkaSecurityConfigError naming every bad variable. */
export function kafkaSecurityFromEnv(env: KafkaSecurityEnv = process.env): KafkaSecurity {
  const { security, problems } = parseKafkaSecurity(env);
  if (!security) throw new KafkaSecurityConfigError(problems);
  return security;
}

/** The environment variables that describe `security`, e.g. for a child process. */
export function kafkaSecurityEnv(security: KafkaSecurity): Record<(typeof KAFKA_SECURITY_VARIABLES)[number], string> {
  return {
    KAFKA_SECURITY_PROTOCOL: security.protocol,
    KAFKA_SASL_MECHANISM: security.sasl?.mechanism ?? '',
    KAFKA_SASL_USERNAME: security.sasl?.username ?? '',
    KAFKA_SASL_PASSWORD: security.sasl?.password ?? '',
    KAFKA_SSL_CA_FILE: security.tls?.caFile ?? '',
    KAFKA_SSL_CERT_FILE: security.tls?.certFile ?? '',
    KAFKA_SSL_KEY_FILE: security.tls?.keyFile ?? '',
  };
}

/** For logs: never the password. */
export function describeKafkaSecurity(security: KafkaSecurity): string {
  return security.sasl ? `${security.protocol} as ${security.sasl.username} (${security.sasl.mechanism})` : security.protocol;
}

/**
 * The `ssl` and `sasl` options of a kafkajs client. The PEM files are read here, once, so a file
 * that vanished since the config check fails the start rather than the first reconnect.
 */
export function kafkaJsSecurity(security: KafkaSecurity = PLAINTEXT_SECURITY): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const config: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security.tls) {
    const { caFile, certFile, keyFile } = security.tls;
    config.ssl = {
      // Always verify the broker's certificate (chain and host name): TLS without it stops no one.
      rejectUnauthorized: true,
      ...(caFile && { ca: [readFileSync(caFile, 'utf8')] }),
      ...(certFile && { cert: readFileSync(certFile, 'utf8') }),
      ...(keyFile && { key: readFileSync(keyFile, 'utf8') }),
    };
  }
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    const lower = mechanism.toLowerCase() as 'scram-sha-512' | 'scram-sha-256' | 'plain';
    config.sasl = { mechanism: lower, username, password } as SASLOptions;
  }
  return config;
}
