import { randomUUID } from 'node:crypto';
import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type Observable, throwError } from 'rxjs';
import { AuthError } from '../errors/auth-error';
import { errorDetails } from '../errors/error-details';
import type { ErrorBody } from './api-errors';
import { httpStatusOf } from './error-status';

/**
 * The one place an error becomes a response: every body is `{"error": {"code", "message"}}`, the status
 * comes from the code. Errors the API did not anticipate answer 500 with an id that is also logged,
 * so a report from a client can be found in the logs without exposing internals.
 */
@Catch()
export class AuthExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(AuthExceptionFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    // Global filters apply to the Kafka handlers too (chat.user-admin): there the consumer decides
    // by the error's class (retry or dead-letter), so it gets the error as thrown.
    if (host.getType() === 'rpc') return throwError(() => exception);
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    const error = this.toAuthError(exception);
    const status = httpStatusOf(error.code);
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.field) body.error.field = error.field;

    if (error.code === 'internal_error') {
      const errorId = randomUUID();
      body.error.errorId = errorId;
      this.logger.error({ msg: 'request failed unexpectedly', errorId, error: errorDetails(exception) });
    } else if (error.code === 'rate_limited') {
      this.logger.log({ msg: 'request rate-limited', reason: error.message });
    }
    if (error.retryAfterSeconds !== undefined) httpAdapter.setHeader(response, 'Retry-After', String(error.retryAfterSeconds));
    if (error.challenge !== undefined) httpAdapter.setHeader(response, 'WWW-Authenticate', error.challenge);
    httpAdapter.reply(response, body, status);
  }

  private toAuthError(exception: unknown): AuthError {
    if (exception instanceof AuthError) return exception;
    if (exception instanceof HttpException) return fromHttpException(exception);
    return new AuthError('internal_error', 'internal server error', { cause: exception });
  }
}

/** Nest's own exceptions: unknown routes and what the body parser refused before our code ran. */
function fromHttpException(exception: HttpException): AuthError {
  const status = exception.getStatus();
  switch (status) {
    case HttpStatus.NOT_FOUND:
      return new AuthError('not_found', 'no such route');
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return new AuthError('payload_too_large', 'request body exceeds 16 KiB');
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      return new AuthError('unsupported_media_type', 'unsupported body charset or encoding');
    case HttpStatus.BAD_REQUEST:
      return exception.cause instanceof SyntaxError
        ? new AuthError('invalid_json', 'request body is not valid JSON')
        : new AuthError('bad_request', 'request could not be read');
    default:
      return status >= 500
        ? new AuthError('internal_error', 'internal server error', { cause: exception })
        : new AuthError('bad_request', 'request could not be read');
  }
}
