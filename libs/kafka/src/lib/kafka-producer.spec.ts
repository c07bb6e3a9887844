import { MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST } from './kafka-settings';
import { splitIntoRequests } from './kafka-producer';

describe('splitIntoRequests', () => {
  const record = (bytes: number, key = 'k') => ({ key, value: Buffer.alloc(bytes - key.length) });

  it('keeps a send that fits one request whole', () => {
    const messages = [record(100), record(200)];
    expect(splitIntoRequests(messages)).toEqual([{ part: messages, bytes: 300 }]);
  });

  it('splits by bytes and by count, in order, and never leaves a record out', () => {
    const big = Array.from({ length: 5 }, () => record(300 * 1024));
    const bySize = splitIntoRequests(big);
    expect(bySize.map(({ part }) => part.length)).toEqual([2, 2, 1]);
    expect(bySize.flatMap(({ part }) => part)).toEqual(big);
    expect(bySize.every(({ bytes }) => bytes <= MAX_BYTES_PER_REQUEST)).toBe(true);
    const many = Array.from({ length: MAX_RECORDS_PER_REQUEST + 1 }, () => record(10));
    expect(splitIntoRequests(many).map(({ part }) => part.length)).toEqual([MAX_RECORDS_PER_REQUEST, 1]);
  });

  it('sends a record larger than a request alone (the broker decides)', () => {
    expect(splitIntoRequests([record(10), record(MAX_BYTES_PER_REQUEST + 1), record(10)]).map(({ part }) => part.length)).toEqual([1, 1, 1]);
  });
});
