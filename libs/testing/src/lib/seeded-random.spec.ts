import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  const draw = (random: SeededRandom) => Array.from({ length: 20 }, () => random.int(0, 1000));

  it('repeats its sequence for the same seed, and not for another', () => {
    expect(draw(new SeededRandom(42))).toEqual(draw(new SeededRandom(42)));
    expect(draw(new SeededRandom(42))).not.toEqual(draw(new SeededRandom(43)));
  });

  it('draws integers in [min, max], both ends included', () => {
    const random = new SeededRandom(7);
    const seen = new Set(Array.from({ length: 500 }, () => random.int(3, 6)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    expect(random.int(5, 5)).toBe(5);
  });

  it('refuses a range that is empty or not integral', () => {
    const random = new SeededRandom(1);
    expect(() => random.int(2, 1)).toThrow(RangeError);
    expect(() => random.int(0, 1.5)).toThrow(RangeError);
    expect(() => random.pick([])).toThrow(RangeError);
  });

  it('samples distinct items', () => {
    const sample = new SeededRandom(9).sample([1, 2, 3, 4, 5, 6], 4);
    expect(sample).toHaveLength(4);
    expect(new Set(sample).size).toBe(4);
  });

  it('takes the seed from the environment to replay a run, or a fresh one', () => {
    expect(SeededRandom.seedFrom('SEED', { SEED: '123' })).toBe(123);
    expect(() => SeededRandom.seedFrom('SEED', { SEED: 'abc' })).toThrow('SEED must be an integer seed, got "abc"');
    expect(SeededRandom.seedFrom('SEED', {})).toEqual(expect.any(Number));
  });
});
