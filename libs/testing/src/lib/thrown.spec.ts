import { rejectionOf, thrownBy } from './thrown';

class CodedError extends Error {
  constructor(readonly code: string) {
    super(`failed: ${code}`);
  }
}

class OtherError extends Error {}

describe('thrownBy', () => {
  it('returns the thrown error, typed as its class', () => {
    const error = thrownBy(() => {
      throw new CodedError('nope');
    }, CodedError);
    expect(error.code).toBe('nope');
  });

  it('accepts a subclass of the class asked for', () => {
    expect(thrownBy(() => {
      throw new CodedError('x');
    }, Error)).toBeInstanceOf(CodedError);
  });

  it('fails when nothing is thrown, saying what was returned', () => {
    expect(() => thrownBy(() => 42, CodedError)).toThrow('expected CodedError to be thrown, but nothing was thrown (returned 42)');
  });

  it('fails on another class, keeping the error as the cause', () => {
    const other = new OtherError('wrong');
    let failure: unknown;
    try {
      thrownBy(() => {
        throw other;
      }, CodedError);
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ message: 'expected CodedError to be thrown, but it threw OtherError: wrong', cause: other });
  });

  it('fails on a function that returns a promise, pointing at rejectionOf', () => {
    expect(() => thrownBy(() => Promise.reject(new CodedError('late')), CodedError)).toThrow(/returned a promise: use rejectionOf/);
  });
});

describe('rejectionOf', () => {
  it('returns the rejection of a promise, typed as its class', async () => {
    const error = await rejectionOf(Promise.reject(new CodedError('gone')), CodedError);
    expect(error.code).toBe('gone');
  });

  it('runs a function and takes its rejection, or what it throws before returning a promise', async () => {
    expect((await rejectionOf(async () => Promise.reject(new CodedError('a')), CodedError)).code).toBe('a');
    expect((await rejectionOf(() => {
      throw new CodedError('sync');
    }, CodedError)).code).toBe('sync');
  });

  it('fails when the promise resolves', async () => {
    await expect(rejectionOf(Promise.resolve({ ok: true }), CodedError)).rejects.toThrow('expected a rejection with CodedError, but it resolved (with {"ok":true})');
  });

  it('fails on another class, keeping the error as the cause', async () => {
    const other = new OtherError('wrong');
    await expect(rejectionOf(Promise.reject(other), CodedError)).rejects.toMatchObject({
      message: 'expected a rejection with CodedError, but it rejected with OtherError: wrong',
      cause: other,
    });
  });
});
