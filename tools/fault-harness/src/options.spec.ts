import { FAULTS, parseOptions, UsageError } from './options';

describe('parseOptions', () => {
  it('has defaults for a ten-minute run with every fault', () => {
    expect(parseOptions([])).toMatchObject({ durationS: 600, users: 40, groups: 4, groupSize: 8, rate: 50, faults: FAULTS.filter((f) => f !== 'kill-leader'), seed: 1, sabotage: [], brokers: 1 });
  });

  it('injects the broker faults that fit the cluster: a restart of the one broker, or killing the leader of several', () => {
    expect(parseOptions(['--brokers', '3']).faults).toEqual(FAULTS.filter((f) => f !== 'kafka'));
    expect(parseOptions(['--brokers', '3', '--faults', 'all']).faults).toContain('kill-leader');
    expect(parseOptions(['--brokers', '3', '--faults', 'kill-leader'])).toMatchObject({ brokers: 3, faults: ['kill-leader'] });
    expect(() => parseOptions(['--brokers', '3', '--faults', 'kafka'])).toThrow(new UsageError(`--faults kafka cannot be injected with --brokers 3 (possible: ${FAULTS.filter((f) => f !== 'kafka').join(', ')})`));
    expect(() => parseOptions(['--faults', 'kill-leader'])).toThrow(/kill-leader cannot be injected with --brokers 1/);
    expect(() => parseOptions(['--brokers', '0'])).toThrow('--brokers needs an integer ≥ 1, got 0');
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

  it('takes --name=value too, and says what is wrong in the words of USAGE', () => {
    expect(parseOptions(['--duration-s=30', '--keep', '--seed', '0'])).toMatchObject({ durationS: 30, keep: true, seed: 0 });
    expect(() => parseOptions(['--users'])).toThrow(new UsageError('--users needs a value'));
    expect(() => parseOptions(['--keep=1'])).toThrow(new UsageError('--keep takes no value'));
    expect(() => parseOptions(['extra'])).toThrow(new UsageError('unknown option extra'));
    expect(() => parseOptions(['--json', ''])).toThrow(new UsageError('--json needs a file name'));
    expect(() => parseOptions(['--sabotage', 'fire'])).toThrow(new UsageError('--sabotage: unknown fire (known: delete-stored-message, drop-delivery)'));
  });
});
