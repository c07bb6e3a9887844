import type { z } from 'zod';
import { ClientFrameSchema as ClientFrameMessage, ServerFrameSchema as ServerFrameMessage } from '../../gen/chat/v1/frames_pb';
import { ProtocolError } from '../protocol-error';
import { type ClientFrame, type ClientFrameInput, ClientFrameSchema } from './client-frames';
import { ProtoFrames } from './proto-frames';
import { type ServerFrame, ServerFrameSchema } from './server-frames';
import { clientRequestId, clientSchemaByType, type RequestIdOf, serverSchemaByType, validateFrame } from './validate-frame';

/*
 * Binary codec: the frames of frames.proto in binary WebSocket messages. The same checks as the JSON
 * codec (codec.ts) in the same order, so both refuse the same frames with the same errors: byte size
 * first, then nesting depth (protobuf-es's recursion limit, MAX_FRAME_DEPTH), then parsing (strict:
 * unknown fields are refused), then the frame's zod schema, which checks every string, number and list.
 */

const clientFrames = new ProtoFrames(ClientFrameMessage);
const serverFrames = new ProtoFrames(ServerFrameMessage);

function decodeBinaryFrame<T>(data: string | Uint8Array, maxBytes: number, frames: ProtoFrames, schemas: ReadonlyMap<string, z.ZodType<T>>, requestIdOf: RequestIdOf): T {
  if (typeof data === 'string') throw new ProtocolError('invalid_encoding', 'frame: text frames are not accepted; send Protobuf as a binary frame');
  if (data.length > maxBytes) throw new ProtocolError('too_large', `input of ${data.length} bytes exceeds the limit of ${maxBytes} bytes`);
  return validateFrame(frames.decode(data, requestIdOf), schemas, requestIdOf);
}

/** Decodes and validates a binary frame from a client; the Protobuf twin of decodeClientFrame. */
export function decodeClientFrameProtobuf(data: string | Uint8Array, maxBytes: number): ClientFrame {
  return decodeBinaryFrame(data, maxBytes, clientFrames, clientSchemaByType, clientRequestId);
}

/** Decodes and validates a binary frame from the server; the Protobuf twin of decodeServerFrame. */
export function decodeServerFrameProtobuf(data: string | Uint8Array, maxBytes: number): ServerFrame {
  return decodeBinaryFrame(data, maxBytes, serverFrames, serverSchemaByType, () => undefined);
}

/** Validates and serialises a client frame (defaults written out); the twin of encodeClientFrame. */
export function encodeClientFrameProtobuf(frame: ClientFrameInput): Uint8Array {
  const parsed = ClientFrameSchema.safeParse(frame);
  if (!parsed.success) throw ProtocolError.fromZod(parsed.error);
  return clientFrames.encode(parsed.data);
}

/** Validates and serialises a frame for a client; the twin of encodeServerFrame. */
export function encodeServerFrameProtobuf(frame: ServerFrame): Uint8Array {
  const parsed = ServerFrameSchema.safeParse(frame);
  if (!parsed.success) throw ProtocolError.fromZod(parsed.error, 'frame');
  return serverFrames.encode(parsed.data);
}

/** Serialises a server frame validated before (decoded from a Kafka record) without checking it again. */
export function encodeValidServerFrameProtobuf(frame: ServerFrame): Uint8Array {
  return serverFrames.encode(frame);
}
