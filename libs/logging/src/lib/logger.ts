import pino, { type Logger, type LevelWithSilent } from 'pino';
import { currentTraceId } from './trace-context';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Secrets never reach a log line, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'password',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'authorization',
  '*.password',
  '*.passwordHash',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  // Browsers offer their access token as the subprotocol chat.auth.<token>.
  'req.headers["sec-websocket-protocol"]',
  '*.headers["sec-websocket-protocol"]',
];

export interface RootLoggerOptions {
  service: string;
  instanceId: string;
  level: LogLevel;
  /** Where lines go; stdout by default. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

/** One JSON logger per process; every line carries service, instance and, inside a trace, its id. */
export function createRootLogger(options: RootLoggerOptions): Logger {
  return pino(
    {
      level: options.level as LevelWithSilent,
      base: { service: options.service, instance: options.instanceId },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: () => {
        const traceId = currentTraceId();
        return traceId ? { traceId } : {};
      },
    },
    // Synchronous writes: a process ended by a signal or process.exit loses no lines.
    options.destination ?? pino.destination({ sync: true }),
  );
}
