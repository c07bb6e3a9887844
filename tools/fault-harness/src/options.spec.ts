import { FAULTS, parseOptions, UsageError } from './options';

describe('parseOptions', () => {
  it('has defaults for a ten-minute run with every fault', () => {
    expect(parseOptions([])).toMatchObject({ durationS: 600, users: 40, groups: 4, groupSize: 8, rate: 50, faults: [...FAULTS], seed: 1, sabotage: [] });
  });

  it('takes fault and sabotage lists in the canonical order', () => {
    const options = parseOptions(['--faults', 'kafka,gateway', '--sabotage', 'drop-delivery,delete-stored-message', '--json', 'out.json']);
    expect(options.faults).toEqual(['gateway', 'kafka']);
    expect(options.sabotage).toEqual(['delete-stored-message', 'drop-delivery']);
    expect(options.jsonFile).toBe('out.json');
    expect(parseOptions(['--faults', 'none']).faults).toEqual([]);
  });

  it('refuses unknown faults, options and bad numbers', () => {
    expect(() => parseOptions(['--faults', 'gateway,disk'])).toThrow(UsageError);
    expect(() => parseOptions(['--verbose'])).toThrow('unknown option --verbose');
    expect(() => parseOptions(['--rate', '0'])).toThrow('--rate needs an integer ≥ 1, got 0');
    expect(() => parseOptions(['--users', '4', '--group-size', '8'])).toThrow(UsageError);
  });
});
