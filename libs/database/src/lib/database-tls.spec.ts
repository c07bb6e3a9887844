import { DatabaseTlsConfigError, DatabaseTlsRefusedError, explainTlsRefusal, postgresConnection } from './database-tls';

const url = 'postgres://chat:pw@db.internal:5432/chat_auth';
const files: Record<string, string> = { '/etc/pg/ca.pem': 'CA PEM' };
const readFile = (file: string) => {
  if (!(file in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return files[file];
};

describe('postgresConnection', () => {
  it('is plain without any setting', () => {
    expect(postgresConnection(url, {}, readFile)).toEqual({ url, mode: 'disable', ssl: false, origin: { mode: 'default' } });
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
    expect(fromUrl).toEqual({
      url: `${url}?application_name=auth`,
      mode: 'verify-full',
      ssl: { rejectUnauthorized: true, ca: 'CA PEM' },
      origin: { mode: 'DATABASE_URL', ca: { file: '/etc/pg/ca.pem', variable: 'DATABASE_URL' } },
    });
    expect(postgresConnection(`${url}?sslmode=require`, { DATABASE_SSL_MODE: 'disable' }, readFile)).toEqual({ url, mode: 'disable', ssl: false, origin: { mode: 'DATABASE_SSL_MODE' } });
  });

  it('names the variable of a bad mode or an unreadable CA', () => {
    expect(() => postgresConnection(url, { DATABASE_SSL_MODE: 'strict' }, readFile)).toThrow(new DatabaseTlsConfigError('DATABASE_SSL_MODE', 'sslmode must be one of disable, require, verify-ca, verify-full, got strict'));
    expect(() => postgresConnection(`${url}?sslmode=on`, {}, readFile)).toThrow('DATABASE_URL: sslmode must be one of');
    expect(() => postgresConnection(url, { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: '/missing.pem' }, readFile)).toThrow('DATABASE_SSL_CA_FILE: cannot read /missing.pem (ENOENT)');
  });
});

/** An error as node-postgres reports a failed TLS check: Node's words and code. */
const tlsError = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('explainTlsRefusal', () => {
  const verifyFull = postgresConnection(url, { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: '/etc/pg/ca.pem' }, readFile);

  it('names DATABASE_SSL_CA_FILE and what to check when the chain does not lead to the CA, keeping Node\'s words and the error as cause', () => {
    for (const [message, code] of [
      ['self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'],
      ['unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ]) {
      const original = tlsError(message, code);
      const explained = explainTlsRefusal(original, verifyFull);
      expect(explained).toBeInstanceOf(DatabaseTlsRefusedError);
      expect(explained).toMatchObject({ tlsCode: code, cause: original });
      expect((explained as Error).message).toBe(
        `PostgreSQL refused by DATABASE_SSL_MODE=verify-full: ${message} (${code}); the server's certificate does not chain to a CA this client trusts ` +
          `(DATABASE_SSL_CA_FILE=/etc/pg/ca.pem): DATABASE_SSL_CA_FILE must be the PEM file of the CA that signed the PostgreSQL server's certificate ` +
          `(its root, or an intermediate the server does not send), not another one such as the Kafka CA; DATABASE_SSL_MODE=require would encrypt without checking the certificate (not for production)`,
      );
    }
  });

  it('says that no CA was given, and where the settings came from when the URL gave them', () => {
    const fromUrl = postgresConnection(`${url}?sslmode=verify-ca`, {}, readFile);
    expect((explainTlsRefusal(tlsError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), fromUrl) as Error).message).toMatch(
      /^PostgreSQL refused by sslmode=verify-ca in DATABASE_URL: .*\(DATABASE_SSL_CA_FILE is not set, so only Node\.js's public CAs are trusted\)/,
    );
  });

  it('names the host and verify-ca for a certificate of another host', () => {
    const message = "Hostname/IP does not match certificate's altnames: Host: db.internal. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1";
    const explained = explainTlsRefusal(tlsError(message, 'ERR_TLS_CERT_ALTNAME_INVALID'), verifyFull) as Error;
    expect(explained.message).toContain(message);
    expect(explained.message).toContain('not for the host DATABASE_URL names (db.internal)');
    expect(explained.message).toContain('DATABASE_SSL_MODE=verify-ca');
  });

  it('finds the failure in a wrapper\'s cause', () => {
    const wrapped = new Error('connection failed', { cause: tlsError('unable to get local issuer certificate', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY') });
    expect(explainTlsRefusal(wrapped, verifyFull)).toBeInstanceOf(DatabaseTlsRefusedError);
  });

  it('leaves every other error alone, and any error of a mode that checks nothing', () => {
    const outage = tlsError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED');
    expect(explainTlsRefusal(outage, verifyFull)).toBe(outage);
    const password = tlsError('password authentication failed for user "chat"', '28P01');
    expect(explainTlsRefusal(password, verifyFull)).toBe(password);
    const unchecked = tlsError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN');
    expect(explainTlsRefusal(unchecked, postgresConnection(url, { DATABASE_SSL_MODE: 'require' }, readFile))).toBe(unchecked);
  });
});
