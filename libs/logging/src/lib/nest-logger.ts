import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

type NestLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

const PINO_LEVEL: Record<NestLevel, 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal'> = {
  log: 'info',
  error: 'error',
  warn: 'warn',
  debug: 'debug',
  verbose: 'trace',
  fatal: 'fatal',
};

/**
 * Routes Nest's `Logger` calls (`new Logger(Context.name).log(message, ...)`) into pino. Nest passes the
 * context as the last string argument and, for errors, a stack before it; an object argument becomes
 * structured fields.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: NestLevel, message: unknown, rest: unknown[]): void {
    const method = PINO_LEVEL[level];
    // Debug lines on hot paths cost nothing when debug is off: no fields are gathered for pino to drop.
    if (!this.root.isLevelEnabled(method)) return;
    const args = [...rest];
    const context = args.length > 0 && typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    for (const arg of args) {
      if (arg instanceof Error) fields['err'] = arg;
      else if (typeof arg === 'string') fields['stack'] = arg;
      else if (arg && typeof arg === 'object') Object.assign(fields, arg);
    }
    if (message instanceof Error) {
      this.root[method]({ ...fields, err: message }, message.message);
    } else if (message && typeof message === 'object') {
      const { msg, ...objectFields } = message as Record<string, unknown>;
      this.root[method]({ ...fields, ...objectFields }, typeof msg === 'string' ? msg : undefined);
    } else {
      this.root[method](fields, String(message));
    }
  }
}
