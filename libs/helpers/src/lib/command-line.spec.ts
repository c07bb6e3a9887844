import { CommandLineError, parseCommandLine } from './command-line';

describe('parseCommandLine', () => {
  const options = { rate: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

  it('reads string and boolean options, in both spellings, and positionals in order', () => {
    const { values, positionals, given } = parseCommandLine(['direct', '--rate', '5', 'fanout', '--keep', '--rate=7', '-h'], options);
    expect(values).toEqual({ rate: '7', keep: true, help: true });
    expect(positionals).toEqual(['direct', 'fanout']);
    expect(given.map((option) => option.flag)).toEqual(['--rate', '--keep', '--rate', '-h']);
  });

  it('takes the next argument as the value even when it looks like an option, for the caller to judge', () => {
    expect(parseCommandLine(['--rate', '-1'], options).values.rate).toBe('-1');
  });

  it.each([
    [['--nope'], 'unknown option --nope'],
    [['-x'], 'unknown option -x'],
    [['--rate'], '--rate needs a value'],
    [['--keep=yes'], '--keep takes no value'],
  ])('%j: %s', (args, message) => {
    expect(() => parseCommandLine(args, options)).toThrow(new CommandLineError(message));
  });

  it('leaves what follows -- as positionals', () => {
    expect(parseCommandLine(['--', '--rate'], options).positionals).toEqual(['--rate']);
  });
});
