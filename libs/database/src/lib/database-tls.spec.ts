import { DatabaseTlsConfigError, postgresConnection } from './database-tls';

const url = 'postgres://chat:pw@db.internal:5432/chat_auth';
const files: Record<string, string> = { '/etc/pg/ca.pem': 'CA PEM' };
const readFile = (file: string) => {
  if (!(file in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return files[file];
};

describe('postgresConnection', () => {
  it('is plain without any setting', () => {
    expect(postgresConnection(url, {}, readFile)).toEqual({ url, mode: 'disable', ssl: false });
  });

  it('maps libpq sslmode words to node-postgres ssl options', () => {
    expect(postgresConnection(url, { DATABASE_SSL_MODE: 'require' }, readFile).ssl).toEqual({ rejectUnauthorized: false });
    expect(postgresConnection(url, { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: '/etc/pg/ca.pem' }, readFile).ssl).toEqual({ rejectUnauthorized: true, ca: 'CA PEM' });
    const verifyCa = postgresConnection(url, { DATABASE_SSL_MODE: 'verify-ca', DATABASE_SSL_CA_FILE: '/etc/pg/ca.pem' }, readFile).ssl;
    expect(verifyCa).toMatchObject({ rejectUnauthorized: true, ca: 'CA PEM' });
    expect(verifyCa && verifyCa.checkServerIdentity?.('other-host', {} as never)).toBeUndefined();
    // prefer/allow would fall back to plaintext in libpq: here they still mean TLS.
    expect(postgresConnection(url, { DATABASE_SSL_MODE: 'prefer' }, readFile).mode).toBe('require');
  });

  it('takes sslmode and sslrootcert from the URL, out of it, and lets the variable win', () => {
    const fromUrl = postgresConnection(`${url}?sslmode=verify-full&sslrootcert=/etc/pg/ca.pem&application_name=auth`, {}, readFile);
    expect(fromUrl).toEqual({ url: `${url}?application_name=auth`, mode: 'verify-full', ssl: { rejectUnauthorized: true, ca: 'CA PEM' } });
    expect(postgresConnection(`${url}?sslmode=require`, { DATABASE_SSL_MODE: 'disable' }, readFile)).toEqual({ url, mode: 'disable', ssl: false });
  });

  it('names the variable of a bad mode or an unreadable CA', () => {
    expect(() => postgresConnection(url, { DATABASE_SSL_MODE: 'strict' }, readFile)).toThrow(new DatabaseTlsConfigError('DATABASE_SSL_MODE', 'sslmode must be one of disable, require, verify-ca, verify-full, got strict'));
    expect(() => postgresConnection(`${url}?sslmode=on`, {}, readFile)).toThrow('DATABASE_URL: sslmode must be one of');
    expect(() => postgresConnection(url, { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: '/missing.pem' }, readFile)).toThrow('DATABASE_SSL_CA_FILE: cannot read /missing.pem (ENOENT)');
  });
});
