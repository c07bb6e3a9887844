import { readTimedPayload, timedPayload } from './payload';

describe('timedPayload', () => {
  it('is JSON of the requested size carrying the index and send time', () => {
    const text = timedPayload(42, 1234.5, 300);
    expect(Buffer.byteLength(text)).toBe(300);
    expect(readTimedPayload(text)).toEqual({ index: 42, sentAt: 1234.5 });
  });

  it('is as small as it can be when asked for less', () => {
    const text = timedPayload(1, 2, 5);
    expect(readTimedPayload(text)).toEqual({ index: 1, sentAt: 2 });
  });
});
