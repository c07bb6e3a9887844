import { ConfigError, loadConfig } from '@chat/service-kit';
import { authConfigSchema } from './config';

describe('auth configuration', () => {
  it('requires its own database', () => {
    expect(() => loadConfig(authConfigSchema, { KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3001' })).toThrow(ConfigError);
    expect(() => loadConfig(authConfigSchema, { KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3001' })).toThrow(/DATABASE_URL: is required/);
  });

  it('accepts a complete environment', () => {
    const config = loadConfig(authConfigSchema, { KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3001', DATABASE_URL: 'postgres://chat@localhost:5433/chat_auth' });
    expect(config.DATABASE_URL).toBe('postgres://chat@localhost:5433/chat_auth');
  });
});
