import { Writable } from 'node:stream';
import { createRootLogger } from './logger';
import { PinoNestLogger } from './nest-logger';
import { runWithTrace } from './trace-context';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = createRootLogger({ service: 'auth', instanceId: 'auth-1', level: 'debug', destination });
  return { logger, lines };
}

describe('root logger', () => {
  it('writes JSON lines with service, instance, level name and the current trace id', async () => {
    const { logger, lines } = capture();
    logger.info('outside');
    await runWithTrace('0123456789abcdef0123456789abcdef', async () => {
      await Promise.resolve();
      logger.info({ conversationId: 'c1' }, 'inside');
    });
    expect(lines[0]).toMatchObject({ service: 'auth', instance: 'auth-1', level: 'info', msg: 'outside' });
    expect(lines[0]).not.toHaveProperty('traceId');
    expect(lines[1]).toMatchObject({ msg: 'inside', conversationId: 'c1', traceId: '0123456789abcdef0123456789abcdef' });
  });

  it('redacts passwords and tokens at the top level and one level down', () => {
    const { logger, lines } = capture();
    logger.info({ password: 'hunter2', body: { refreshToken: 'r', username: 'ann' } }, 'login');
    expect(JSON.stringify(lines[0])).not.toContain('hunter2');
    expect(lines[0]).toMatchObject({ password: '[redacted]', body: { refreshToken: '[redacted]', username: 'ann' } });
  });

  it('redacts the upgrade header that carries a browser\'s access token', () => {
    const { logger, lines } = capture();
    logger.info({ req: { headers: { 'sec-websocket-protocol': 'chat.v1.json, chat.auth.eyJ.secret.sig' } }, upgrade: { headers: { 'sec-websocket-protocol': 'chat.auth.x' } } }, 'upgrade');
    expect(JSON.stringify(lines[0])).not.toContain('chat.auth.');
  });
});

describe('PinoNestLogger', () => {
  it('maps Nest levels and the trailing context argument', () => {
    const { logger, lines } = capture();
    const nest = new PinoNestLogger(logger);
    nest.log('started', 'Bootstrap');
    nest.error('failed', 'stack-trace-here', 'KafkaConsumer');
    nest.warn({ msg: 'slow', ms: 12 }, 'Router');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', msg: 'started', context: 'Bootstrap' }),
      expect.objectContaining({ level: 'error', msg: 'failed', context: 'KafkaConsumer', stack: 'stack-trace-here' }),
      expect.objectContaining({ level: 'warn', msg: 'slow', ms: 12, context: 'Router' }),
    ]);
  });
});
