import type { z } from 'zod';
import { RequestIdSchema } from '../ids';
import { ProtocolError } from '../protocol-error';
import { type ClientFrame, ClientFrameSchemas } from './client-frames';
import { type ServerFrame, ServerFrameSchemas } from './server-frames';

/*
 * The check every codec ends with (internal to libs/wire): a decoded value `{type, …}` is looked up
 * by `type` and parsed by that frame's strict schema. Frame types are looked up in a Map, never as a
 * property of an object, so `type: "constructor"` or `"__proto__"` cannot reach Object.prototype.
 */

export const clientSchemaByType: ReadonlyMap<string, z.ZodType<ClientFrame>> = new Map(Object.entries(ClientFrameSchemas));
export const serverSchemaByType: ReadonlyMap<string, z.ZodType<ServerFrame>> = new Map(Object.entries(ServerFrameSchemas));

/** Reads the request id of a frame that may still be refused, so its error can answer it. */
export type RequestIdOf = (frame: Record<string, unknown>) => string | undefined;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Validates a parsed frame (`{type, …}`) with the schema of its type: the one check of every codec,
 * so the JSON and the Protobuf codec refuse the same frames with the same errors.
 */
export function validateFrame<T>(value: unknown, schemas: ReadonlyMap<string, z.ZodType<T>>, requestIdOf: RequestIdOf): T {
  if (!isRecord(value)) {
    throw new ProtocolError('invalid_field', `frame: expected a JSON object, received ${describe(value)}`);
  }
  const requestId = requestIdOf(value);
  const type = Object.hasOwn(value, 'type') ? value['type'] : undefined;
  if (typeof type !== 'string') {
    const received = type === undefined ? 'nothing' : describe(type);
    throw new ProtocolError('invalid_field', `type: expected a string, received ${received}`, 'type', requestId);
  }
  const schema = schemas.get(type);
  if (!schema) {
    // Echo only a bounded, printable excerpt of an unknown type back to the sender.
    const shown = JSON.stringify(type.length > 40 ? `${type.slice(0, 40)}…` : type);
    throw new ProtocolError('unknown_type', `type: unknown frame type ${shown}`, 'type', requestId);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw ProtocolError.fromZod(parsed.error).withRequestId(requestId);
  return parsed.data;
}

/** The frame's `id` when it is a valid request id, so even a rejected frame gets a matched answer. */
export function clientRequestId(frame: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(frame, 'id')) return undefined;
  const id = RequestIdSchema.safeParse(frame['id']);
  return id.success ? id.data : undefined;
}
