import { documentedDefaults } from './documented-defaults';

describe('documentedDefaults', () => {
  it('reads the default of each variable from tables with a variable and a default column, in units', () => {
    const doc = [
      '| limit | default | variable | when exceeded |',
      '|---|---|---|---|',
      '| frame size | 64 KiB | `WS_MAX_FRAME_BYTES` | 1009 |',
      '| frame rate | 20 frames/s, bursts of 40 | `WS_RATE_PER_SECOND`, `WS_RATE_BURST` | `rate_limited` |',
      '| sockets | 10,000 | `WS_MAX_CONNECTIONS` (see `GATEWAY_TRUSTED_PROXIES`) | 1013 |',
      '| ping / idle | 15 s / 30 s | `WS_PING_INTERVAL_MS`, `WS_IDLE_TIMEOUT_MS` | 4000 |',
      '| per user | twice the per-socket figures (`auto`) | `WS_USER_RATE_PER_SECOND` | |',
      '| origins | any | `ALLOWED_ORIGINS` | 4003 |',
      '',
      '| variable | services | default | meaning |',
      '|---|---|---|---|',
      '| `SHUTDOWN_TIMEOUT_MS` | all | `25000` | budget |',
      '| `KAFKA_BROKERS` | all | required | brokers |',
      '| `A_MS` / `B_SECONDS` | metrics | `3000` | two variables, one value |',
      '',
      '| figure | value |',
      '|---|---|',
      '| `NOT_A_DEFAULT` | 12 |',
    ].join('\n');
    expect(documentedDefaults(doc).map(({ variable, value }) => [variable, value])).toEqual([
      ['WS_MAX_FRAME_BYTES', 65536],
      ['WS_RATE_PER_SECOND', 20],
      ['WS_RATE_BURST', 40],
      ['WS_MAX_CONNECTIONS', 10000],
      ['WS_PING_INTERVAL_MS', 15000],
      ['WS_IDLE_TIMEOUT_MS', 30000],
      ['WS_USER_RATE_PER_SECOND', 'auto'],
      ['SHUTDOWN_TIMEOUT_MS', 25000],
      ['A_MS', { unreadable: '3000' }],
      ['B_SECONDS', { unreadable: '3000' }],
    ]);
  });
});
