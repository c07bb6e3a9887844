import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { ProtocolError } from '@chat/protocol';
import { AuthError } from '../errors/auth-error';

/**
 * Validates a JSON body against the zod schema of its `@Body({ schema })` (the same schema the OpenAPI
 * document is generated from); the first problem becomes a `validation_failed` naming the field.
 * Installed for every route by HttpEdgeModule; parameters without a schema pass through.
 */
@Injectable()
export class BodySchemaPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const schema = metadata.schema;
    if (metadata.type !== 'body' || schema === undefined) return value;
    // zod, not any Standard Schema: its issues say which key was unknown (ProtocolError.fromZod).
    if (!(schema instanceof z.ZodType)) throw new TypeError('auth body schemas are zod schemas');
    // Express leaves the body undefined when it was not JSON (missing or other content type).
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new AuthError('validation_failed', 'body: must be a JSON object (Content-Type: application/json)');
    }
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const problem = ProtocolError.fromZod(result.error);
    throw new AuthError('validation_failed', problem.message, { field: problem.field });
  }
}
