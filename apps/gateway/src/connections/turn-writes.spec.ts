import { Writable } from 'node:stream';
import { TurnWrites } from './turn-writes';

/** A stream that records each system-call-like write it is handed: one entry per `_write`/`_writev`. */
function recordingStream(): { stream: Writable; writes: string[][] } {
  const writes: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      done();
    },
  });
  return { stream, writes };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnWrites', () => {
  it('gathers the frames written to a socket within one turn into one write at the end of the turn', async () => {
    const turns = new TurnWrites();
    const { stream, writes } = recordingStream();
    for (const frame of ['a', 'b', 'c']) {
      turns.hold(stream);
      stream.write(frame);
    }
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual([['a', 'b', 'c']]);

    turns.hold(stream);
    stream.write('d');
    await nextTurn();
    expect(writes).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('flushes every socket held in the turn, and counts held bytes as buffered', async () => {
    const turns = new TurnWrites();
    const first = recordingStream();
    const second = recordingStream();
    turns.hold(first.stream);
    first.stream.write('x');
    turns.hold(second.stream);
    second.stream.write('yy');
    expect(second.stream.writableLength).toBe(2);
    await nextTurn();
    expect(first.writes).toEqual([['x']]);
    expect(second.writes).toEqual([['yy']]);
  });

  it('skips a socket destroyed before the turn ended', async () => {
    const turns = new TurnWrites();
    const { stream, writes } = recordingStream();
    turns.hold(stream);
    stream.write('lost');
    stream.destroy();
    await nextTurn();
    expect(writes).toEqual([]);
  });
});
