import type { ServerFrame, WireCodec } from '@chat/protocol';

/**
 * A validated frame (decoded from a Kafka record) on its way to many sockets: encoded at most once
 * per codec in use among them, on first need, and the same bytes handed to every socket of that
 * codec. Sockets that all speak JSON cost what they did before there were codecs: one
 * JSON.stringify per frame.
 */
export class EncodedFrame {
  private codec: WireCodec | undefined;
  private bytes: Uint8Array | undefined;
  /** The rare case: sockets of a second codec in the same fan-out. */
  private others: Map<WireCodec, Uint8Array> | undefined;

  constructor(readonly frame: ServerFrame) {}

  in(codec: WireCodec): Uint8Array {
    if (codec === this.codec && this.bytes) return this.bytes;
    if (this.codec === undefined) {
      this.codec = codec;
      this.bytes = encode(codec, this.frame);
      return this.bytes;
    }
    this.others ??= new Map();
    let bytes = this.others.get(codec);
    if (!bytes) {
      bytes = encode(codec, this.frame);
      this.others.set(codec, bytes);
    }
    return bytes;
  }
}

function encode(codec: WireCodec, frame: ServerFrame): Uint8Array {
  const encoded = codec.encodeValidServer(frame);
  // The UTF-8 bytes once, instead of every socket converting the text again.
  return typeof encoded === 'string' ? Buffer.from(encoded) : encoded;
}
