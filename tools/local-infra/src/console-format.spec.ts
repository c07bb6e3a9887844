import { formatTable, makeTag, useColor } from './console-format';

describe('console-format', () => {
  it('pads tags to one width and colours them in turn only when asked', () => {
    expect(makeTag('auth', 6, 0, false)).toBe('[auth]  ');
    expect(makeTag('auth', 6, 0, true)).toBe('\u001b[36m[auth]  \u001b[39m');
    expect(makeTag('kafka', 6, 8, true)).toBe('\u001b[35m[kafka] \u001b[39m');
  });

  it('colours terminals only, honouring NO_COLOR and FORCE_COLOR', () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    expect([useColor(tty, {}), useColor(pipe, {}), useColor(tty, { NO_COLOR: '1' }), useColor(pipe, { FORCE_COLOR: '1' })]).toEqual([true, false, false, true]);
  });

  it('lines up table columns', () => {
    expect(formatTable([['a', 'bb'], ['ccc', 'd']])).toBe('a    bb\nccc  d');
  });
});
