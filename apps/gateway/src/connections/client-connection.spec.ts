import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { JSON_CODEC } from '@chat/protocol';
import { ClientConnection } from './client-connection';
import { TokenBucket } from './token-bucket';

/** Enough of a `ws` socket for the connection's bookkeeping; nothing here writes to it. */
function fakeSocket(): WebSocket {
  return Object.assign(new EventEmitter(), { OPEN: 1, readyState: 1, bufferedAmount: 0 }) as unknown as WebSocket;
}

const limits = { ratePerSecond: 20, rateBurst: 40, maxInvalidFrames: 3, maxBufferedBytes: 4 * 1024 * 1024 };
const identity = { userId: 'u1', sessionId: 's1', role: 'user' as const };

describe('ClientConnection', () => {
  it('ends the session after WS_MAX_INVALID_FRAMES unreadable frames in a row; a valid frame resets the count (docs/protocol.md)', () => {
    const connection = new ClientConnection(fakeSocket(), identity, JSON_CODEC, limits, 0);
    expect([connection.recordInvalidFrame(), connection.recordInvalidFrame()]).toEqual([false, false]);
    connection.recordValidFrame();
    expect([connection.recordInvalidFrame(), connection.recordInvalidFrame(), connection.recordInvalidFrame()]).toEqual([false, false, true]);
  });

  it("says whether a frame was over this socket's rate or its user's over all their sockets", () => {
    const userBucket = new TokenBucket(1, 2, 0);
    const first = new ClientConnection(fakeSocket(), identity, JSON_CODEC, { ...limits, rateBurst: 1 }, 0, undefined, { userBucket });
    const second = new ClientConnection(fakeSocket(), identity, JSON_CODEC, limits, 0, undefined, { userBucket });
    expect(first.takeRateToken(0)).toBe('ok');
    expect(first.takeRateToken(0)).toBe('connection');
    expect(second.takeRateToken(0)).toBe('ok');
    expect(second.takeRateToken(0)).toBe('user');
  });
});
