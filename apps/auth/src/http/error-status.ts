import { HttpStatus } from '@nestjs/common';
import type { AuthErrorCode } from '../errors/auth-error';

/** The HTTP status of every error code; the switch is exhaustive, so a new code cannot be forgotten. */
export function httpStatusOf(code: AuthErrorCode): HttpStatus {
  switch (code) {
    case 'validation_failed':
    case 'invalid_json':
    case 'bad_request':
      return HttpStatus.BAD_REQUEST;
    case 'payload_too_large':
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case 'unsupported_media_type':
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case 'username_taken':
      return HttpStatus.CONFLICT;
    case 'invalid_credentials':
    case 'invalid_refresh_token':
    case 'refresh_token_reused':
    case 'invalid_access_token':
    case 'access_token_expired':
      return HttpStatus.UNAUTHORIZED;
    case 'account_disabled':
      return HttpStatus.FORBIDDEN;
    case 'rate_limited':
      return HttpStatus.TOO_MANY_REQUESTS;
    case 'not_found':
      return HttpStatus.NOT_FOUND;
    case 'internal_error':
      return HttpStatus.INTERNAL_SERVER_ERROR;
    default:
      return assertUnreachable(code);
  }
}

function assertUnreachable(value: never): never {
  throw new Error(`unhandled error code: ${String(value)}`);
}
