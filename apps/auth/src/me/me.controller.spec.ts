import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import jwt from 'jsonwebtoken';
import { generateSigningKey, signAccessToken } from '@chat/auth-tokens';
import { AuthConfig } from '../config';
import { configureHttp } from '../http/configure-http';
import { HttpEdgeModule } from '../http/http-edge.module';
import { MeModule } from './me.module';

const current = generateSigningKey('k2');
const previous = generateSigningKey('k1');
const settings = { signingKey: current, issuer: 'chat-auth', audience: 'chat' };
const config = {
  JWT_PRIVATE_KEY: current.privateKey,
  JWT_KEY_ID: 'k2',
  // The previous key of a rotation: its tokens are still accepted.
  JWT_PUBLIC_KEYS: new Map([['k1', previous.publicKey]]),
  JWT_ISSUER: settings.issuer,
  JWT_AUDIENCE: settings.audience,
  TRUST_PROXY_HOPS: 0,
  RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: 10,
  RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: 10,
  RATE_LIMIT_LOGIN_PER_USERNAME_PER_MINUTE: 10,
};

@Global()
@Module({ providers: [{ provide: AuthConfig, useValue: config }], exports: [AuthConfig] })
class ConfigStubModule {}

@Module({ imports: [ConfigStubModule, HttpEdgeModule, MeModule] })
class MeAppModule {}

describe('GET /auth/me (passport-jwt)', () => {
  let app: NestExpressApplication;
  let base: string;
  const user = { userId: randomUUID(), username: 'Ann.Lee', tokenId: randomUUID() };

  beforeAll(async () => {
    // As runService does: the application, then auth's configure hook, then listen.
    app = await NestFactory.create<NestExpressApplication>(MeAppModule, { logger: false, abortOnError: false });
    configureHttp(app, { trustProxyHops: 0 });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  const me = (authorization?: string) => fetch(`${base}/auth/me`, { headers: authorization ? { authorization } : {} });

  it('answers the user a valid access token names', async () => {
    const response = await me(`Bearer ${signAccessToken(settings, user, 60)}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ userId: user.userId, username: 'Ann.Lee' });
  });

  it('accepts a token of the previous key during a rotation (kid k1 listed in JWT_PUBLIC_KEYS)', async () => {
    const response = await me(`Bearer ${signAccessToken({ ...settings, signingKey: previous }, user, 60)}`);
    expect(response.status).toBe(200);
  });

  it('asks for a token when none was sent', async () => {
    const response = await me();
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({ error: { code: 'invalid_access_token', message: 'missing bearer access token' } });
  });

  it('tells an expired token from an invalid one', async () => {
    const expired = jwt.sign({ username: user.username, exp: Math.floor(Date.now() / 1000) - 10 }, current.privateKey, {
      algorithm: 'ES256',
      keyid: 'k2',
      subject: user.userId,
      jwtid: user.tokenId,
      issuer: settings.issuer,
      audience: settings.audience,
    });
    const response = await me(`Bearer ${expired}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'access_token_expired' } });
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it.each([
    ['a kid it does not know', () => signAccessToken({ ...settings, signingKey: generateSigningKey('k3') }, user, 60)],
    ['a known kid over another key', () => signAccessToken({ ...settings, signingKey: { kid: 'k2', privateKey: generateSigningKey('k2').privateKey } }, user, 60)],
    ['HS256 keyed with the public key', () => jwt.sign({ username: user.username }, current.publicKey.export({ type: 'spki', format: 'der' }), { algorithm: 'HS256', keyid: 'k2', subject: user.userId, jwtid: 'j', issuer: settings.issuer, audience: settings.audience, expiresIn: 60 })],
    ['another audience', () => signAccessToken({ ...settings, audience: 'elsewhere' }, user, 60)],
    ['another issuer', () => signAccessToken({ ...settings, issuer: 'someone' }, user, 60)],
    ['HS512', () => jwt.sign({ username: user.username }, 's'.repeat(40), { algorithm: 'HS512', keyid: 'k2', subject: user.userId, jwtid: 'j', issuer: settings.issuer, audience: settings.audience, expiresIn: 60 })],
    ['alg none', () => jwt.sign({ username: user.username }, '', { algorithm: 'none', keyid: 'k2', subject: user.userId, jwtid: 'j', issuer: settings.issuer, audience: settings.audience, expiresIn: 60 })],
    ['a subject that is not a user id', () => jwt.sign({ username: user.username }, current.privateKey, { algorithm: 'ES256', keyid: 'k2', subject: 'admin', jwtid: 'j', issuer: settings.issuer, audience: settings.audience, expiresIn: 60 })],
    ['garbage', () => 'not.a.jwt'],
  ])('refuses a token with %s', async (_case, token) => {
    const response = await me(`Bearer ${token()}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_access_token' } });
  });
});
