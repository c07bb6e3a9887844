import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { runWithTrace } from '@chat/logging';
import { newTraceId, TRACE_ID_PATTERN } from '@chat/protocol';

/** Largest request body read; anything bigger is refused with 413 before it is parsed. */
export const MAX_BODY_BYTES = 16 * 1024;
export const TRACE_ID_HEADER = 'x-trace-id';

/**
 * Express settings of auth's application (runService's configure hook). It runs before Nest's init:
 * the body parsers registered here replace Nest's defaults (Nest skips a parser of the same name
 * that is already in place).
 */
export function configureHttp(app: NestExpressApplication, options: { trustProxyHops: number }): void {
  app.set('trust proxy', options.trustProxyHops);
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: MAX_BODY_BYTES });
  app.useBodyParser('urlencoded', { limit: MAX_BODY_BYTES, extended: false });
  // After the parsers: their stream callbacks would otherwise run outside the trace context.
  app.use(traceRequests);
}

/** Every request runs in a trace (the caller's, if it sent a valid one), so its log lines and records carry the id. */
function traceRequests(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  const offered = request.headers[TRACE_ID_HEADER];
  const traceId = typeof offered === 'string' && TRACE_ID_PATTERN.test(offered) ? offered : newTraceId();
  response.setHeader(TRACE_ID_HEADER, traceId);
  runWithTrace(traceId, next);
}
