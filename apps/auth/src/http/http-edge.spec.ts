import type { AddressInfo } from 'node:net';
import { Body, Controller, Get, Global, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AuthConfig } from '../config';
import { AuthError } from '../errors/auth-error';
import { RateLimitedPerIp } from '../rate-limit/ip-rate-limit.guard';
import { RegisterBodySchema, type RegisterBody } from '../users/credentials';
import { configureHttp } from './configure-http';
import { HttpEdgeModule } from './http-edge.module';

@Controller('probe')
class ProbeController {
  @Post('register')
  @RateLimitedPerIp('registerPerIp')
  register(@Body({ schema: RegisterBodySchema }) body: RegisterBody): { username: string } {
    return { username: body.username };
  }

  @Get('taken')
  taken(): never {
    throw new AuthError('username_taken', 'this username is already taken');
  }

  @Get('boom')
  boom(): never {
    throw new Error('connection to postgres://user:secret@db failed');
  }
}

@Global()
@Module({ providers: [{ provide: AuthConfig, useValue: { TRUST_PROXY_HOPS: 0, RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: 3, RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: 3, RATE_LIMIT_LOGIN_PER_USERNAME_PER_MINUTE: 3 } }], exports: [AuthConfig] })
class ConfigStubModule {}

@Module({ imports: [ConfigStubModule, HttpEdgeModule], controllers: [ProbeController] })
class ProbeAppModule {}

describe('the HTTP edge (filter, body limits, validation, per-IP limits, trace ids)', () => {
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    // As runService does: the application, then auth's configure hook, then listen.
    app = await NestFactory.create<NestExpressApplication>(ProbeAppModule, { logger: false, abortOnError: false });
    configureHttp(app, { trustProxyHops: 0 });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  const post = (path: string, body: string, contentType = 'application/json') =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('answers every error as {error: {code, message}} with the status of its code', async () => {
    const taken = await fetch(`${base}/probe/taken`);
    expect(taken.status).toBe(409);
    expect(await taken.json()).toEqual({ error: { code: 'username_taken', message: 'this username is already taken' } });

    const missing = await fetch(`${base}/no/such/route`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no such route' } });
  });

  it('hides unexpected errors behind internal_error with an error id', async () => {
    const response = await fetch(`${base}/probe/boom`);
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body).toEqual({ error: { code: 'internal_error', message: 'internal server error', errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
    expect(JSON.stringify(body)).not.toContain('secret');
  });

  it('validates bodies with zod and names the field', async () => {
    const short = await post('/probe/register', JSON.stringify({ username: 'ann', password: 'short' }));
    expect(short.status).toBe(400);
    expect(await short.json()).toEqual({ error: { code: 'validation_failed', message: 'password: must be at least 10 characters', field: 'password' } });

    const notJson = await post('/probe/register', '{"username":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'invalid_json' } });

    const form = await post('/probe/register', 'username=ann', 'text/plain');
    expect(form.status).toBe(400);
    expect(await form.json()).toMatchObject({ error: { code: 'validation_failed', message: expect.stringContaining('must be a JSON object') } });
  });

  it('refuses bodies over 16 KiB with 413', async () => {
    const response = await post('/probe/register', JSON.stringify({ username: 'ann', password: 'x'.repeat(17 * 1024) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: 'payload_too_large', message: 'request body exceeds 16 KiB' } });
  });

  it('gives every request a trace id, keeping a valid one the caller sent', async () => {
    const fresh = await fetch(`${base}/probe/taken`);
    expect(fresh.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    const traceId = 'ab'.repeat(16);
    const kept = await fetch(`${base}/probe/taken`, { headers: { 'x-trace-id': traceId } });
    expect(kept.headers.get('x-trace-id')).toBe(traceId);
    const replaced = await fetch(`${base}/probe/taken`, { headers: { 'x-trace-id': 'not-a-trace-id' } });
    expect(replaced.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('limits marked routes per client IP, counting invalid requests too, with Retry-After', async () => {
    // Earlier tests already spent this IP's tokens on this route; spend the rest.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await post('/probe/register', JSON.stringify({ username: 'ann', password: 'correct horse' }))).status);
    expect(statuses).toContain(429);
    const limited = await post('/probe/register', JSON.stringify({ username: 'ann', password: 'correct horse' }));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toEqual({ error: { code: 'rate_limited', message: 'too many registrations from this address' } });
  });
});
