/**
 * A seeded random source (mulberry32): the same seed gives the same sequence, so a run that went
 * wrong can be repeated from its printed seed. Tiny and fast, good enough to pick test traffic;
 * never for anything secret. For generated test inputs prefer fast-check arbitraries.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A fresh seed, or the one in the environment variable `name` (to replay a run). */
  static seedFrom(name: string, env: NodeJS.ProcessEnv = process.env): number {
    const fixed = env[name];
    if (fixed === undefined || fixed === '') return Math.floor(Math.random() * 2 ** 32) >>> 0;
    const seed = Number(fixed);
    if (!Number.isInteger(seed)) throw new Error(`${name} must be an integer seed, got "${fixed}"`);
    return seed >>> 0;
  }

  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new RangeError(`int(${min}, ${max}): need integers with min <= max`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with the given probability. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** `count` distinct items (all of them if there are fewer), in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    for (let i = pool.length - 1; i > 0; i -= 1) {
      const j = this.int(0, i);
      [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
    }
    return pool.slice(0, count);
  }
}
