import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { AuthErrorCodeList } from '../errors/auth-error';

const [firstCode, ...otherCodes] = AuthErrorCodeList.map((entry) => entry.code);

/** Every error answer of the API (AuthExceptionFilter builds them); its OpenAPI schema is generated from this. */
export const ErrorBodySchema = z
  .strictObject({
    error: z.strictObject({
      code: z.enum([firstCode, ...otherCodes]).meta({ description: AuthErrorCodeList.map((e) => `\`${e.code}\`: ${e.meaning}`).join('\n\n') }),
      message: z.string().meta({ examples: ['username: must be 3-32 characters of A-Z, a-z, 0-9, _, . and -'] }),
      field: z.string().optional().meta({ description: 'The offending body field (validation_failed only).', examples: ['username'] }),
      errorId: z.uuid().optional().meta({ description: 'Identifies the failure in the service logs (internal_error only).' }),
    }),
  })
  .meta({ id: 'ErrorBody' });
export type ErrorBody = z.output<typeof ErrorBodySchema>;

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
      return ApiResponse({ status, description, standardSchema: ErrorBodySchema });
    }),
  );
}
