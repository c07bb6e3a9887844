import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpAdapterHost } from '@nestjs/core';
import type { ExpressAdapter } from '@nestjs/platform-express';
import { runWithTrace } from '@chat/logging';
import { newTraceId, TRACE_ID_PATTERN } from '@chat/protocol';

/** Largest request body read; anything bigger is refused with 413 before it is parsed. */
export const MAX_BODY_BYTES = 16 * 1024;
export const TRACE_ID_HEADER = 'x-trace-id';

/**
 * Express settings Nest offers only on the application object, which runService keeps to itself.
 * This runs while the module graph is instantiated, before Nest's init: the body parsers registered
 * here replace Nest's defaults (Nest skips a parser of the same name that is already in place).
 */
export function configureExpress(adapterHost: HttpAdapterHost<ExpressAdapter>, options: { trustProxyHops: number }): void {
  const adapter = adapterHost.httpAdapter;
  // An application context without an HTTP server (e.g. a testing module) has nothing to configure.
  if (!adapter) return;
  adapter.set('trust proxy', options.trustProxyHops);
  adapter.set('x-powered-by', false);
  adapter.useBodyParser('json', false, { limit: MAX_BODY_BYTES });
  adapter.useBodyParser('urlencoded', false, { limit: MAX_BODY_BYTES, extended: false });
  // After the parsers: their stream callbacks would otherwise run outside the trace context.
  adapter.use(traceRequests);
}

/** Every request runs in a trace (the caller's, if it sent a valid one), so its log lines and records carry the id. */
function traceRequests(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  const offered = request.headers[TRACE_ID_HEADER];
  const traceId = typeof offered === 'string' && TRACE_ID_PATTERN.test(offered) ? offered : newTraceId();
  response.setHeader(TRACE_ID_HEADER, traceId);
  runWithTrace(traceId, next);
}
