import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeKafkaSecurity, kafkaJsSecurity, kafkaSecurityEnv, kafkaSecurityFromEnv, KafkaSecurityConfigError, parseKafkaSecurity } from './kafka-security';

const dir = mkdtempSync(path.join(tmpdir(), 'kafka-security-'));
const caFile = path.join(dir, 'ca.pem');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

describe('Kafka security from the environment', () => {
  it('is plaintext when nothing is set', () => {
    expect(kafkaSecurityFromEnv({})).toEqual({ protocol: 'PLAINTEXT' });
    expect(kafkaJsSecurity(kafkaSecurityFromEnv({}))).toEqual({});
  });

  it('reads SASL_SSL with SCRAM-SHA-512 by default and a CA file, and builds the kafkajs options', () => {
    const security = kafkaSecurityFromEnv({ KAFKA_SECURITY_PROTOCOL: 'sasl_ssl', KAFKA_SASL_USERNAME: 'gateway', KAFKA_SASL_PASSWORD: 's3cret', KAFKA_SSL_CA_FILE: caFile });
    expect(security).toEqual({ protocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-512', username: 'gateway', password: 's3cret' }, tls: { caFile } });
    expect(kafkaJsSecurity(security)).toEqual({
      ssl: { rejectUnauthorized: true, ca: [expect.stringContaining('BEGIN CERTIFICATE')] },
      sasl: { mechanism: 'scram-sha-512', username: 'gateway', password: 's3cret' },
    });
    expect(describeKafkaSecurity(security)).toBe('SASL_SSL as gateway (SCRAM-SHA-512)');
  });

  it('round-trips through the environment of a child process', () => {
    const security = kafkaSecurityFromEnv({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'auth', KAFKA_SASL_PASSWORD: 'pw', KAFKA_SSL_CA_FILE: caFile });
    expect(kafkaSecurityFromEnv(kafkaSecurityEnv(security))).toEqual(security);
    expect(kafkaSecurityFromEnv(kafkaSecurityEnv({ protocol: 'PLAINTEXT' }))).toEqual({ protocol: 'PLAINTEXT' });
  });

  it('names every problem: missing credentials, unreadable files, unknown values, settings that would be ignored', () => {
    expect(parseKafkaSecurity({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SSL_CA_FILE: path.join(dir, 'missing.pem') }).problems).toEqual([
      { variable: 'KAFKA_SASL_USERNAME', problem: 'is required when KAFKA_SECURITY_PROTOCOL is SASL_SSL' },
      { variable: 'KAFKA_SASL_PASSWORD', problem: 'is required when KAFKA_SECURITY_PROTOCOL is SASL_SSL' },
      { variable: 'KAFKA_SSL_CA_FILE', problem: expect.stringContaining('cannot read') },
    ]);
    expect(parseKafkaSecurity({ KAFKA_SECURITY_PROTOCOL: 'TLS' }).problems).toEqual([{ variable: 'KAFKA_SECURITY_PROTOCOL', problem: 'must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL' }]);
    expect(parseKafkaSecurity({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'GSSAPI', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }).problems.map((p) => p.variable)).toEqual(['KAFKA_SASL_MECHANISM']);
    expect(parseKafkaSecurity({ KAFKA_SASL_USERNAME: 'gateway', KAFKA_SASL_PASSWORD: 'p' }).problems).toEqual([
      { variable: 'KAFKA_SASL_USERNAME', problem: 'is set but KAFKA_SECURITY_PROTOCOL is PLAINTEXT: use SASL_SSL (or unset it)' },
    ]);
    expect(parseKafkaSecurity({ KAFKA_SSL_CA_FILE: caFile }).problems[0].variable).toBe('KAFKA_SSL_CA_FILE');
    expect(parseKafkaSecurity({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: caFile }).problems).toEqual([
      { variable: 'KAFKA_SSL_KEY_FILE', problem: 'a client certificate needs both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE' },
    ]);
    expect(parseKafkaSecurity({ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }).problems[0].problem).toContain('clear text');
    expect(() => kafkaSecurityFromEnv({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' })).toThrow(KafkaSecurityConfigError);
  });

  it('treats empty variables as unset (a child environment clears them that way)', () => {
    expect(kafkaSecurityFromEnv({ KAFKA_SECURITY_PROTOCOL: '', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '', KAFKA_SSL_CA_FILE: ' ' })).toEqual({ protocol: 'PLAINTEXT' });
  });
});
