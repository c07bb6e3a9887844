import { fillFirst } from './idle';

describe('fillFirst', () => {
  it('fills gateways in order up to the cap, so one gateway holds the most', () => {
    const gateways = fillFirst(50_000, 3, 19_000);
    expect(gateways.filter((g) => g === 0)).toHaveLength(19_000);
    expect(gateways.filter((g) => g === 1)).toHaveLength(19_000);
    expect(gateways.filter((g) => g === 2)).toHaveLength(12_000);
  });

  it('refuses more connections than the gateways take', () => {
    expect(() => fillFirst(10, 2, 4)).toThrow(/add --gateways/);
  });
});
