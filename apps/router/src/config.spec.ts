import { loadConfig } from '@chat/service-kit';
import { routerConfigSchema } from './config';

describe('router configuration', () => {
  it('needs Kafka and a port, and no database', () => {
    expect(() => loadConfig(routerConfigSchema, {})).toThrow(/KAFKA_BROKERS: is required.*HTTP_PORT: is required/);
    const config = loadConfig(routerConfigSchema, { KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3000', DATABASE_URL: 'ignored' });
    expect(config).not.toHaveProperty('DATABASE_URL');
  });

  it('routes 4 partitions in parallel unless told otherwise', () => {
    const base = { KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3000' };
    expect(loadConfig(routerConfigSchema, base).ROUTER_CONCURRENT_PARTITIONS).toBe(4);
    expect(loadConfig(routerConfigSchema, { ...base, ROUTER_CONCURRENT_PARTITIONS: '12' }).ROUTER_CONCURRENT_PARTITIONS).toBe(12);
    expect(() => loadConfig(routerConfigSchema, { ...base, ROUTER_CONCURRENT_PARTITIONS: '0' })).toThrow(/ROUTER_CONCURRENT_PARTITIONS: must be at least 1/);
  });
});
