import { ProtocolError } from '../protocol-error';
import type { ClientFrame, ClientFrameInput } from './client-frames';
import { decodeClientFrame, decodeServerFrame, encodeClientFrame, encodeServerFrame } from './codec';
import {
  decodeClientFrameProtobuf,
  decodeServerFrameProtobuf,
  encodeClientFrameProtobuf,
  encodeServerFrameProtobuf,
  encodeValidServerFrameProtobuf,
} from './protobuf-codec';
import type { ServerFrame } from './server-frames';

/*
 * The codecs a connection can speak, chosen by the client with the WebSocket subprotocol
 * (`Sec-WebSocket-Protocol`) and confirmed by the server's answer. Gateway and SDK pick one the same
 * way (negotiateCodec, codecOfSubprotocol, wireCodec) and then only call its methods.
 */

export const CodecNames = ['json', 'protobuf'] as const;
export type CodecName = (typeof CodecNames)[number];

/** One way to put frames on the wire. A WebSocket message is a string when it came as text, bytes when binary. */
export interface WireCodec {
  readonly name: CodecName;
  /** The `Sec-WebSocket-Protocol` value that selects it. */
  readonly subprotocol: string;
  /** Frames travel as binary WebSocket messages (else as text). */
  readonly binary: boolean;
  /** Decodes and validates a client frame; a message of the other kind (text, binary) is refused. Throws ProtocolError. */
  decodeClient(data: string | Uint8Array, maxBytes: number): ClientFrame;
  /** Validates and encodes a client frame (the SDK), defaults written out. */
  encodeClient(frame: ClientFrameInput): string | Uint8Array;
  /** Decodes and validates a server frame (the SDK). Throws ProtocolError; `unknown_type` means a newer server. */
  decodeServer(data: string | Uint8Array, maxBytes: number): ServerFrame;
  /** Validates and encodes a frame for a client. */
  encodeServer(frame: ServerFrame): string | Uint8Array;
  /** Encodes a server frame validated before (decoded from a Kafka record) without checking it again. */
  encodeValidServer(frame: ServerFrame): string | Uint8Array;
}

function textOnly(data: string | Uint8Array): string {
  if (typeof data !== 'string') throw new ProtocolError('invalid_encoding', 'frame: binary frames are not accepted; send JSON as a text frame');
  return data;
}

/** JSON text frames: the default, and what a client that offers no subprotocol speaks. */
export const JSON_CODEC: WireCodec = {
  name: 'json',
  subprotocol: 'chat.v1.json',
  binary: false,
  decodeClient: (data, maxBytes) => decodeClientFrame(textOnly(data), maxBytes),
  encodeClient: encodeClientFrame,
  decodeServer: (data, maxBytes) => decodeServerFrame(textOnly(data), maxBytes),
  encodeServer: encodeServerFrame,
  encodeValidServer: (frame) => JSON.stringify(frame),
};

/** Protobuf (libs/wire/proto/chat/v1/frames.proto) in binary frames: smaller, and cheaper to decode. */
export const PROTOBUF_CODEC: WireCodec = {
  name: 'protobuf',
  subprotocol: 'chat.v1.protobuf',
  binary: true,
  decodeClient: decodeClientFrameProtobuf,
  encodeClient: encodeClientFrameProtobuf,
  decodeServer: decodeServerFrameProtobuf,
  encodeServer: encodeServerFrameProtobuf,
  encodeValidServer: encodeValidServerFrameProtobuf,
};

/** Every codec, the default first. */
export const WIRE_CODECS: readonly WireCodec[] = [JSON_CODEC, PROTOBUF_CODEC];

export const SUPPORTED_SUBPROTOCOLS: readonly string[] = WIRE_CODECS.map((codec) => codec.subprotocol);

/** The codec of a name (an SDK or load generator option). */
export function wireCodec(name: CodecName): WireCodec {
  return name === 'protobuf' ? PROTOBUF_CODEC : JSON_CODEC;
}

/**
 * The server's choice for the subprotocols a client offered, in the client's order of preference:
 * JSON when it offered none, undefined when it offered only ones this protocol does not have.
 */
export function negotiateCodec(offered: Iterable<string>): WireCodec | undefined {
  let any = false;
  for (const subprotocol of offered) {
    any = true;
    const codec = WIRE_CODECS.find((candidate) => candidate.subprotocol === subprotocol);
    if (codec) return codec;
  }
  return any ? undefined : JSON_CODEC;
}

/** The codec of an open socket from its negotiated subprotocol (`''` when none was offered: JSON). */
export function codecOfSubprotocol(subprotocol: string): WireCodec | undefined {
  return subprotocol === '' ? JSON_CODEC : WIRE_CODECS.find((codec) => codec.subprotocol === subprotocol);
}
