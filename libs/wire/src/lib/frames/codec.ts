import type { z } from 'zod';
import { parseJson } from '../json';
import { MAX_ERROR_MESSAGE_CHARS, MAX_FRAME_DEPTH } from '../limits';
import { ProtocolError } from '../protocol-error';
import { type ClientFrame, type ClientFrameInput, ClientFrameSchema } from './client-frames';
import type { ErrorCode } from './error-codes';
import { type ServerFrame, type ServerFrameOf, ServerFrameSchema } from './server-frames';
import { clientRequestId, clientSchemaByType, type RequestIdOf, serverSchemaByType, validateFrame } from './validate-frame';

/*
 * Text-frame codec (JSON; the Protobuf one is protobuf-codec.ts). Decoding is layered so that the
 * cheap checks run first: byte size, then nesting depth (one linear scan), then JSON.parse, then
 * validateFrame: a lookup of the schema by `type` and one strict schema parse.
 */

function decodeFrame<T>(data: string | Uint8Array, maxBytes: number, schemas: ReadonlyMap<string, z.ZodType<T>>, requestIdOf: RequestIdOf): T {
  return validateFrame(parseJson(data, maxBytes, MAX_FRAME_DEPTH), schemas, requestIdOf);
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
  invalid_encoding: 'invalid_frame',
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
