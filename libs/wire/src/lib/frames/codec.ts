import type { z } from 'zod';
import { RequestIdSchema } from '../ids';
import { parseJson } from '../json';
import { MAX_ERROR_MESSAGE_CHARS, MAX_FRAME_DEPTH } from '../limits';
import { ProtocolError } from '../protocol-error';
import { type ClientFrame, type ClientFrameInput, ClientFrameSchema, ClientFrameSchemas } from './client-frames';
import type { ErrorCode } from './error-codes';
import { type ServerFrame, type ServerFrameOf, ServerFrameSchema, ServerFrameSchemas } from './server-frames';

/*
 * Text-frame codec. Decoding is layered so that the cheap checks run first: byte size, then nesting
 * depth (one linear scan), then JSON.parse, then a lookup of the schema by `type` and one strict
 * schema parse. Frame types are looked up in a Map, never as a property of an object, so `type:
 * "constructor"` or `"__proto__"` cannot reach Object.prototype.
 */

const clientSchemaByType = new Map<string, z.ZodType<ClientFrame>>(Object.entries(ClientFrameSchemas));
const serverSchemaByType = new Map<string, z.ZodType<ServerFrame>>(Object.entries(ServerFrameSchemas));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function decodeFrame<T>(data: string | Uint8Array, maxBytes: number, schemas: Map<string, z.ZodType<T>>, requestIdOf: (frame: Record<string, unknown>) => string | undefined): T {
  const value = parseJson(data, maxBytes, MAX_FRAME_DEPTH);
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
function clientRequestId(frame: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(frame, 'id')) return undefined;
  const id = RequestIdSchema.safeParse(frame['id']);
  return id.success ? id.data : undefined;
}

/**
 * Decodes and validates a frame from a client. Throws ProtocolError whose message names the field
 * (`body: Too big: …`) and whose `requestId` is the frame's `id` when it could be read.
 */
export function decodeClientFrame(data: string | Uint8Array, maxBytes: number): ClientFrame {
  return decodeFrame(data, maxBytes, clientSchemaByType, clientRequestId);
}

/** Validates and serialises a client frame (client SDK). Defaults are written out explicitly. */
export function encodeClientFrame(frame: ClientFrameInput): string {
  const parsed = ClientFrameSchema.safeParse(frame);
  if (!parsed.success) throw ProtocolError.fromZod(parsed.error);
  return JSON.stringify(parsed.data);
}

/**
 * Validates and serialises a frame for a client. Validation keeps internal fields and out-of-range
 * values off the wire; to fan one frame out to many sockets, encode it once and send the string.
 */
export function encodeServerFrame(frame: ServerFrame): string {
  const parsed = ServerFrameSchema.safeParse(frame);
  if (!parsed.success) throw ProtocolError.fromZod(parsed.error, 'frame');
  return JSON.stringify(parsed.data);
}

/**
 * Decodes and validates a frame from the server (client SDK). A ProtocolError with code
 * `unknown_type` means a newer server; an SDK may skip such frames instead of failing.
 */
export function decodeServerFrame(data: string | Uint8Array, maxBytes: number): ServerFrame {
  return decodeFrame(data, maxBytes, serverSchemaByType, () => undefined);
}

const WIRE_CODE_OF: Record<ProtocolError['code'], ErrorCode> = {
  invalid_json: 'invalid_frame',
  invalid_field: 'invalid_frame',
  unknown_type: 'unknown_type',
  too_large: 'too_large',
};

/** The `error` frame that answers a client frame rejected by decodeClientFrame. */
export function errorFrameFor(error: ProtocolError): ServerFrameOf<'error'> {
  const message = error.message.length > MAX_ERROR_MESSAGE_CHARS ? `${error.message.slice(0, MAX_ERROR_MESSAGE_CHARS - 1)}…` : error.message;
  return {
    type: 'error',
    ...(error.requestId === undefined ? {} : { replyTo: error.requestId }),
    code: WIRE_CODE_OF[error.code],
    message,
  };
}
