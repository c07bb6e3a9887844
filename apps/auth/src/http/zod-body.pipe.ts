import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ProtocolError } from '@chat/protocol';
import { AuthError } from '../errors/auth-error';

/** Validates a JSON body with a zod schema; the first problem becomes a `validation_failed` naming the field. */
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    // Express leaves the body undefined when it was not JSON (missing or other content type).
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new AuthError('validation_failed', 'body: must be a JSON object (Content-Type: application/json)');
    }
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const problem = ProtocolError.fromZod(result.error);
    throw new AuthError('validation_failed', problem.message, { field: problem.field });
  }
}
