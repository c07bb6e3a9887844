import { parseOptions, SCENARIOS } from './options';

describe('parseOptions', () => {
  it('expands all to every scenario with the baselines first, and starts a suite by default', () => {
    const options = parseOptions(['all']);
    expect(options.scenarios).toEqual([...SCENARIOS]);
    expect(options.baselines).toBe(true);
    expect(options.startSuite).toBe(true);
  });

  it('runs named scenarios without baselines unless asked', () => {
    expect(parseOptions(['idle', 'storm'])).toMatchObject({ scenarios: ['idle', 'storm'], baselines: false });
    expect(parseOptions(['announce', '--connections', '1000', '--announcements', '5'])).toMatchObject({ scenarios: ['announce'], connections: 1000, announcements: 5 });
    expect(parseOptions(['direct', '--baselines']).baselines).toBe(true);
    expect(parseOptions(['all', '--no-baselines']).baselines).toBe(false);
  });

  it('runs with JSON unless --codec names protobuf, or both to compare them', () => {
    expect(parseOptions(['direct']).codecs).toEqual(['json']);
    expect(parseOptions(['direct', '--codec', 'protobuf']).codecs).toEqual(['protobuf']);
    expect(parseOptions(['direct', '--codec', 'json,protobuf']).codecs).toEqual(['json', 'protobuf']);
  });

  it('reads numbers and lists, and points at an external suite with --auth-url', () => {
    const options = parseOptions(['direct', '--rate', '5000', '--source-addresses', '127.0.0.2, 127.0.0.3', '--auth-url', 'http://a', '--gateway-urls', 'ws://g1/ws,ws://g2/ws']);
    expect(options).toMatchObject({ rate: 5000, sourceAddresses: ['127.0.0.2', '127.0.0.3'], startSuite: false, gatewayUrls: ['ws://g1/ws', 'ws://g2/ws'] });
  });

  it('refuses unknown scenarios and options, bad numbers, and an external suite without gateways', () => {
    expect(() => parseOptions(['nope'])).toThrow(/unknown scenario/);
    expect(() => parseOptions(['idle', '--bogus'])).toThrow(/unknown option/);
    expect(() => parseOptions(['idle', '--connections', 'many'])).toThrow(/integer/);
    expect(() => parseOptions(['idle', '--auth-url', 'http://a'])).toThrow(/--gateway-urls/);
    expect(() => parseOptions([])).toThrow(/at least one scenario/);
  });

  it('takes --name=value too, lets the last --baselines/--no-baselines decide, and says what is wrong in the words of USAGE', () => {
    expect(parseOptions(['direct', '--rate=2000', '--fanout-sizes', '10,20'])).toMatchObject({ rate: 2000, fanoutSizes: [10, 20] });
    expect(parseOptions(['all', '--no-baselines', '--baselines']).baselines).toBe(true);
    expect(parseOptions(['baselines'])).toMatchObject({ scenarios: [], baselines: true });
    expect(() => parseOptions(['idle', '--bogus'])).toThrow(new Error('unknown option --bogus'));
    expect(() => parseOptions(['idle', '--rate'])).toThrow(new Error('--rate needs a value'));
    expect(() => parseOptions(['idle', '--connect-rate', '-1'])).toThrow(new Error('--connect-rate needs an integer ≥ 0, got -1'));
    expect(() => parseOptions(['idle', '--client', 'fat'])).toThrow(new Error('--client is sdk or light, got fat'));
    expect(() => parseOptions(['idle', '--codec', 'xml'])).toThrow(new Error('--codec is json, protobuf or a list of them, got xml'));
    expect(() => parseOptions(['idle', '--fanout-sizes', '1'])).toThrow(new Error('--fanout-sizes needs an integer ≥ 2, got 1'));
  });
});
