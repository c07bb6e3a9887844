import { QueryFailedError } from 'typeorm';
import { PermanentError, TransientError } from '@chat/kafka';
import { classifyDatabaseError, isTransientDatabaseError } from './database-errors';

function pgError(code: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { code });
}

describe('isTransientDatabaseError', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' })],
    ['admin shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['cannot connect now', pgError('57P03', 'the database system is starting up')],
    ['connection failure', pgError('08006')],
    ['too many connections', pgError('53300')],
    ['deadlock', pgError('40P01')],
    ['serialization failure', pgError('40001')],
    ['terminated socket', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
  ])('treats %s as transient', (_name, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it('looks through TypeORM QueryFailedError to the driver error', () => {
    const wrapped = new QueryFailedError('select 1', [], pgError('57P01'));
    expect(isTransientDatabaseError(wrapped)).toBe(true);
  });

  it.each([
    ['unique violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['syntax error', pgError('42601')],
    ['check violation', pgError('23514')],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['a non-error', 'nope'],
  ])('treats %s as permanent', (_name, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });
});

describe('classifyDatabaseError', () => {
  it('wraps outages in a TransientError and keeps the cause', () => {
    const cause = pgError('57P01');
    const classified = classifyDatabaseError(cause);
    expect(classified).toBeInstanceOf(TransientError);
    expect((classified as TransientError).cause).toBe(cause);
  });

  it('makes a data exception (a value PostgreSQL cannot store) a PermanentError, through TypeORM wrapping', () => {
    const nul = pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00');
    const classified = classifyDatabaseError(new QueryFailedError('insert', [], nul));
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classifyDatabaseError(pgError('22P02', 'invalid input syntax for type json'))).toBeInstanceOf(PermanentError);
  });

  it('leaves everything else as it is', () => {
    const bug = pgError('23505');
    expect(classifyDatabaseError(bug)).toBe(bug);
  });
});
