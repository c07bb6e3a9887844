import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '@chat/service-kit';
import { thrownBy } from '@chat/testing';
import { persistenceConfigSchema } from './config';

const dataKeys = { DATA_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`, DATA_ENCRYPTION_KEY_ID: 'k1' };
const complete = { KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3001', DATABASE_URL: 'postgres://chat@localhost:5433/chat_persistence', ...dataKeys };

describe('persistence configuration', () => {
  it('requires its own database', () => {
    expect(() => loadConfig(persistenceConfigSchema, { KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3001' })).toThrow(ConfigError);
    expect(() => loadConfig(persistenceConfigSchema, { KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3001' })).toThrow(/DATABASE_URL: is required/);
  });

  it('accepts a complete environment', () => {
    const config = loadConfig(persistenceConfigSchema, complete);
    expect(config.DATABASE_URL).toBe('postgres://chat@localhost:5433/chat_persistence');
  });

  it('requires data encryption keys with a current key among them, and names the variable without the key', () => {
    expect(() => loadConfig(persistenceConfigSchema, { ...complete, DATA_ENCRYPTION_KEYS: '' })).toThrow(/DATA_ENCRYPTION_KEYS: is required/);
    expect(() => loadConfig(persistenceConfigSchema, { ...complete, DATA_ENCRYPTION_KEY_ID: 'k2' })).toThrow(/DATA_ENCRYPTION_KEY_ID: names key k2, which DATA_ENCRYPTION_KEYS does not list \(it has k1\)/);
    const short = Buffer.alloc(16, 9).toString('base64');
    const error = thrownBy(() => loadConfig(persistenceConfigSchema, { ...complete, DATA_ENCRYPTION_KEYS: `k1:${short}` }), ConfigError);
    expect(error.message).toMatch(/DATA_ENCRYPTION_KEYS: key k1 must be 32 bytes/);
    expect(error.message).not.toContain(short);
  });

  it('checks the PostgreSQL TLS settings at start, naming the variable', () => {
    expect(loadConfig(persistenceConfigSchema, { ...complete, DATABASE_SSL_MODE: 'require' })).toMatchObject({ DATABASE_SSL_MODE: 'require' });
    expect(() => loadConfig(persistenceConfigSchema, { ...complete, DATABASE_SSL_MODE: 'strict' })).toThrow(/DATABASE_SSL_MODE: sslmode must be one of disable, require, verify-ca, verify-full, got strict/);
    expect(() => loadConfig(persistenceConfigSchema, { ...complete, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: '/nonexistent/ca.crt' })).toThrow(/DATABASE_SSL_CA_FILE: cannot read \/nonexistent\/ca.crt \(ENOENT\)/);
  });

  it('has group quotas with defaults, a group no larger than the protocol allows', () => {
    expect(loadConfig(persistenceConfigSchema, complete)).toMatchObject({ GROUPS_PER_USER_PER_HOUR: 20, GROUP_MAX_MEMBERS: 1000 });
    expect(loadConfig(persistenceConfigSchema, { ...complete, GROUPS_PER_USER_PER_HOUR: '3', GROUP_MAX_MEMBERS: '4' })).toMatchObject({ GROUPS_PER_USER_PER_HOUR: 3, GROUP_MAX_MEMBERS: 4 });
    expect(() => loadConfig(persistenceConfigSchema, { ...complete, GROUP_MAX_MEMBERS: '1001' })).toThrow(/GROUP_MAX_MEMBERS: must be at most 1000/);
    expect(() => loadConfig(persistenceConfigSchema, { ...complete, GROUPS_PER_USER_PER_HOUR: '0' })).toThrow(/GROUPS_PER_USER_PER_HOUR: must be at least 1/);
  });

  it('has the group quotas docs/protocol.md writes down, with the same numbers', () => {
    // Rows like "| groups one user may create in any hour | 20 | `GROUPS_PER_USER_PER_HOUR` | …".
    const doc = readFileSync(path.resolve(__dirname, '../../../docs/protocol.md'), 'utf8');
    const documented = Object.fromEntries([...doc.matchAll(/^\| [^|]+ \| ([\d ]+) \| `(GROUPS_PER_USER_PER_HOUR|GROUP_MAX_MEMBERS)` \|/gm)].map(([, value, name]) => [name, Number(value.replace(/ /g, ''))]));
    const config = loadConfig(persistenceConfigSchema, complete);
    expect(documented).toEqual({ GROUPS_PER_USER_PER_HOUR: config.GROUPS_PER_USER_PER_HOUR, GROUP_MAX_MEMBERS: config.GROUP_MAX_MEMBERS });
  });

  it('limits announcements per administrator and hour, 20 by default as docs/protocol.md says', () => {
    const config = loadConfig(persistenceConfigSchema, complete);
    expect(config.ANNOUNCEMENTS_PER_ADMIN_PER_HOUR).toBe(20);
    expect(() => loadConfig(persistenceConfigSchema, { ...complete, ANNOUNCEMENTS_PER_ADMIN_PER_HOUR: '0' })).toThrow(/ANNOUNCEMENTS_PER_ADMIN_PER_HOUR: must be at least 1/);
    const doc = readFileSync(path.resolve(__dirname, '../../../docs/protocol.md'), 'utf8');
    const [, documented] = /^\| [^|]+ \| (\d+) \| `ANNOUNCEMENTS_PER_ADMIN_PER_HOUR` \|/m.exec(doc) ?? [];
    expect(Number(documented)).toBe(config.ANNOUNCEMENTS_PER_ADMIN_PER_HOUR);
  });
});
