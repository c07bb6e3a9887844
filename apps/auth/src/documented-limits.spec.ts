import path from 'node:path';
import { loadConfig } from '@chat/service-kit';
import { compareDocumentedDefaults, documentedDefaults, readDocuments } from '@chat/testing';
import { generateSigningKey, privateKeyPem } from '@chat/auth-tokens';
import { authConfigSchema } from './config';

/*
 * Auth's rate limits as the docs' tables state them (protocol.md, reliability.md "Limits under abusive clients",
 * operations.md, deploy.md "Environment variables") against the defaults of its config schema.
 */
const DOCS = ['protocol.md', 'reliability.md', 'operations.md', 'deploy.md'];
const docs = readDocuments(path.resolve(__dirname, '../../../docs'), DOCS);
const defaults = loadConfig(authConfigSchema, { KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3001', DATABASE_URL: 'postgres://chat@localhost:5433/chat_auth', JWT_PRIVATE_KEY: privateKeyPem(generateSigningKey('k1').privateKey), JWT_KEY_ID: 'k1' }) as unknown as Record<string, unknown>;

describe("auth's rate limits in the docs", () => {
  it('have the defaults of the config schema, wherever a table states one', () => {
    const compared = compareDocumentedDefaults(docs, defaults);
    expect(compared.filter(({ documented, actual }) => documented !== actual)).toEqual([]);
    expect(compared.length).toBeGreaterThan(15);
  });

  it('are all in the table of reliability.md', () => {
    const reliability = docs.find(({ name }) => name === 'reliability.md')?.text ?? '';
    const listed = new Set(documentedDefaults(reliability).map(({ variable }) => variable));
    const limits = Object.keys(defaults).filter((name) => /^RATE_LIMIT_/.test(name));
    expect(limits.filter((name) => !listed.has(name))).toEqual([]);
    expect(limits.length).toBeGreaterThan(0);
  });
});
