import type { ServerFrame, WireCodec } from '@chat/protocol';

/**
 * A validated frame (decoded from a Kafka record) on its way to many sockets: encoded at most once
 * per codec in use among them, on first need, and the same bytes handed to every socket of that
 * codec. Sockets that all speak JSON cost what they did before there were codecs: one
 * JSON.stringify per frame.
 */
export class EncodedFrame {
  private readonly byCodec = new Map<WireCodec, Uint8Array>();

  constructor(readonly frame: ServerFrame) {}

  in(codec: WireCodec): Uint8Array {
    let bytes = this.byCodec.get(codec);
    if (!bytes) {
      bytes = encode(codec, this.frame);
      this.byCodec.set(codec, bytes);
    }
    return bytes;
  }
}

function encode(codec: WireCodec, frame: ServerFrame): Uint8Array {
  const encoded = codec.encodeValidServer(frame);
  // The UTF-8 bytes once, instead of every socket converting the text again.
  return typeof encoded === 'string' ? Buffer.from(encoded) : encoded;
}
