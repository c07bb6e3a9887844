import { sentAtOf, timedBody } from './timed-body';

describe('timed bodies', () => {
  it('carry their send time at the requested size', () => {
    const body = timedBody('direct', 1767225600123.456, 100);
    expect(body).toHaveLength(100);
    expect(sentAtOf(body)).toBe(1767225600123.456);
  });

  it('stay readable when shorter than the time itself, and other bodies have none', () => {
    expect(sentAtOf(timedBody('x', 5.5, 1))).toBe(5.5);
    expect(sentAtOf('hello bob')).toBeUndefined();
    expect(sentAtOf('lg tag notanumber')).toBeUndefined();
  });
});
