import path from 'node:path';
import { loadConfig } from '@chat/service-kit';
import { publicJwks, generateSigningKey } from '@chat/auth-tokens';
import { compareDocumentedDefaults, documentedDefaults, readDocuments } from '@chat/testing';
import { gatewayConfigSchema } from './config';

/*
 * The gateway's limits as the docs state them (protocol.md "Limits and flow control", reliability.md
 * "Limits under abusive clients", operations.md's tables, deploy.md "Environment variables") against the defaults of its config schema.
 */
const DOCS = ['protocol.md', 'reliability.md', 'operations.md', 'deploy.md'];
const docs = readDocuments(path.resolve(__dirname, '../../../docs'), DOCS);
const defaults = loadConfig(gatewayConfigSchema, { KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3000', JWT_PUBLIC_KEYS: publicJwks([generateSigningKey('k1')]) }) as unknown as Record<string, unknown>;

describe('the gateway limits in the docs', () => {
  it('have the defaults of the config schema, wherever a table states one', () => {
    const compared = compareDocumentedDefaults(docs, defaults);
    const differing = compared.filter(({ documented, actual }) => documented !== actual);
    // protocol.md and reliability.md each list the gateway's limits, deploy.md every variable, operations.md the reads quota.
    expect(new Set(compared.map(({ doc }) => doc))).toEqual(new Set(DOCS));
    expect(compared.length).toBeGreaterThan(40);
    expect(differing).toEqual([]);
  });

  it('are all in the table of reliability.md', () => {
    const reliability = docs.find(({ name }) => name === 'reliability.md')?.text ?? '';
    const listed = new Set(documentedDefaults(reliability).map(({ variable }) => variable));
    const limits = Object.keys(defaults).filter((name) => /^(WS_MAX_|WS_HANDSHAKE_|WS_RATE_|WS_USER_RATE_|READS_PER_USER_|GATEWAY_OUTBOUND_)/.test(name) || name === 'WS_IDLE_TIMEOUT_MS');
    expect(limits.filter((name) => !listed.has(name))).toEqual([]);
    expect(limits.length).toBeGreaterThan(15);
  });
});
