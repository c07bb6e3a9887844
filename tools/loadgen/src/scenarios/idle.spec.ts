import { spreadOverGateways } from './idle';

describe('spreadOverGateways', () => {
  it('puts as many on each gateway as filling them in order would, so one gateway holds the most', () => {
    const gateways = spreadOverGateways(50_000, 3, 19_000);
    expect(gateways.filter((g) => g === 0)).toHaveLength(19_000);
    expect(gateways.filter((g) => g === 1)).toHaveLength(19_000);
    expect(gateways.filter((g) => g === 2)).toHaveLength(12_000);
  });

  it('interleaves the gateways, so all of them accept connections from the start', () => {
    // Filled in order: 3, 3 and 1.
    expect(spreadOverGateways(7, 3, 3)).toEqual([0, 1, 2, 0, 1, 0, 1]);
    expect(spreadOverGateways(5, 3, 2)).toEqual([0, 1, 2, 0, 1]);
  });

  it('refuses more connections than the gateways take', () => {
    expect(() => spreadOverGateways(10, 2, 4)).toThrow(/add --gateways/);
  });
});
