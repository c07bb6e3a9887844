import 'reflect-metadata';
import { MESSAGE_MAPPING_METADATA, MESSAGE_METADATA } from '@nestjs/websockets/constants';
import { ClientFrameTypes, MAX_CLIENT_FRAME_BYTES, PROTOBUF_CODEC, ProtocolError } from '@chat/protocol';
import { parseClientFrame, UNREADABLE_FRAME } from './gateway-ws-adapter';
import { SocketGateway } from './socket.gateway';

describe('parseClientFrame', () => {
  it('dispatches a valid frame under its type', () => {
    const frame = { type: 'typing', id: 'r1', conversationId: '5b0c1f9e-1111-4222-8333-944445555666', active: true };
    expect(parseClientFrame(JSON.stringify(frame), MAX_CLIENT_FRAME_BYTES)).toEqual({ event: 'typing', data: frame });
  });

  it('decodes in the socket\'s codec: Protobuf bytes on a Protobuf socket, text refused there', () => {
    const frame = { type: 'typing', id: 'r1', conversationId: '5b0c1f9e-1111-4222-8333-944445555666', active: false } as const;
    expect(parseClientFrame(PROTOBUF_CODEC.encodeClient(frame), MAX_CLIENT_FRAME_BYTES, PROTOBUF_CODEC)).toEqual({ event: 'typing', data: frame });
    const text = parseClientFrame(JSON.stringify(frame), MAX_CLIENT_FRAME_BYTES, PROTOBUF_CODEC);
    expect([text.event, (text.data as ProtocolError).code]).toEqual([UNREADABLE_FRAME, 'invalid_encoding']);
  });

  it.each([
    ['binary data', Buffer.from('{"type":"ping"}'), /binary frames are not accepted/],
    ['text that is not JSON', '{', /not valid JSON/],
    ['an unknown type', '{"type":"teleport"}', /type/],
    ['a frame over the size limit', JSON.stringify({ type: 'ping', id: 'x'.repeat(40) }), /exceeds the limit of 20 bytes/],
  ])('dispatches %s as an unreadable frame with the reason', (_, data, reason) => {
    const parsed = parseClientFrame(data, typeof data === 'string' && data.length > 30 ? 20 : MAX_CLIENT_FRAME_BYTES);
    expect(parsed.event).toBe(UNREADABLE_FRAME);
    expect(parsed.data).toBeInstanceOf(ProtocolError);
    expect((parsed.data as ProtocolError).message).toMatch(reason);
  });
});

describe('SocketGateway', () => {
  it('has one @SubscribeMessage handler for every client frame type and one for unreadable frames', () => {
    const prototype = SocketGateway.prototype as unknown as Record<string, unknown>;
    const handled = Object.getOwnPropertyNames(prototype)
      .filter((name) => Reflect.getMetadata(MESSAGE_MAPPING_METADATA, prototype[name] as object))
      .map((name) => Reflect.getMetadata(MESSAGE_METADATA, prototype[name] as object) as string);
    expect(handled.sort()).toEqual([...ClientFrameTypes, UNREADABLE_FRAME].sort());
  });
});
