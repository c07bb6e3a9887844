import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { AUTH_ERROR_CODES, AuthErrorCodeList, type AuthErrorCode } from '../errors/auth-error';

export class ErrorDetailDto {
  @ApiProperty({ enum: AUTH_ERROR_CODES, description: AuthErrorCodeList.map((e) => `\`${e.code}\`: ${e.meaning}`).join('\n\n') })
  code!: AuthErrorCode;

  @ApiProperty({ example: 'username: must be 3-32 characters of A-Z, a-z, 0-9, _, . and -' })
  message!: string;

  @ApiPropertyOptional({ description: 'The offending body field (validation_failed only).', example: 'username' })
  field?: string;

  @ApiPropertyOptional({ description: 'Identifies the failure in the service logs (internal_error only).', format: 'uuid' })
  errorId?: string;
}

export class ErrorBodyDto {
  @ApiProperty({ type: ErrorDetailDto })
  error!: ErrorDetailDto;
}

const DESCRIPTIONS: Record<number, string> = {
  400: '`validation_failed`, `invalid_json` or `bad_request`',
  401: 'see the route for the codes',
  409: '`username_taken`',
  413: '`payload_too_large` (bodies over 16 KiB)',
  429: '`rate_limited`; the `Retry-After` header gives the seconds to wait',
};

/** Documents error answers of a route: each status with the common error body. */
export function ApiErrors(...responses: Array<number | { status: number; description: string }>) {
  return applyDecorators(
    ...responses.map((response) => {
      const { status, description } = typeof response === 'number' ? { status: response, description: DESCRIPTIONS[response] ?? '' } : response;
      return ApiResponse({ status, description, type: ErrorBodyDto });
    }),
  );
}
