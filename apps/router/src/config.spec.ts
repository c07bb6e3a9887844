import { loadConfig } from '@chat/service-kit';
import { routerConfigSchema } from './config';

describe('router configuration', () => {
  it('needs Kafka and a port, and no database', () => {
    expect(() => loadConfig(routerConfigSchema, {})).toThrow(/KAFKA_BROKERS: is required.*HTTP_PORT: is required/);
    const config = loadConfig(routerConfigSchema, { KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3000', DATABASE_URL: 'ignored' });
    expect(config).not.toHaveProperty('DATABASE_URL');
  });
});
