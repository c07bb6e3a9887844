import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../app.module';
import { FoundUsersSchema, LookupUsersBodySchema } from '../directory/directory.schemas';
import { z } from 'zod';
import { generateSigningKey, privateKeyPem } from '@chat/auth-tokens';
import { AuthConfig } from '../config';
import { ErrorBodySchema } from '../http/api-errors';
import { RefreshTokenBodySchema, TokenPairSchema } from '../sessions/sessions.schemas';
import { LoginBodySchema, RegisterBodySchema, UserSchema } from '../users/credentials';
import { mountApiDocs } from './api-docs';

describe('API docs', () => {
  let app: NestExpressApplication;
  let document: OpenAPIObject;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    // The service's real module graph in preview mode: scanned, nothing instantiated, so nothing connects.
    const config = AuthConfig.load({ KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3001', DATABASE_URL: 'postgres://chat@localhost:5433/chat_auth', JWT_PRIVATE_KEY: privateKeyPem(generateSigningKey('k1').privateKey), JWT_KEY_ID: 'k1' });
    app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, { service: 'auth', instanceId: 'auth-docs-spec', startedAt: Date.now() }), { preview: true, logger: false, abortOnError: false });
    document = mountApiDocs(app);
    // The Express instance alone (Nest's own routes join it at init, which preview skips).
    server = createServer(app.getHttpAdapter().getInstance());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('documents every route of the auth API with its bodies and error answers', () => {
    const paths = document.paths;
    expect(Object.keys(paths).sort()).toEqual(['/auth/login', '/auth/logout', '/auth/logout-everywhere', '/auth/me', '/auth/refresh', '/auth/register', '/auth/users/lookup']);
    expect(paths['/auth/register'].post?.responses).toEqual(expect.objectContaining({ 201: expect.anything(), 409: expect.anything(), 429: expect.anything() }));
    expect(paths['/auth/login'].post?.requestBody).toBeDefined();
    expect(paths['/auth/logout'].post?.responses).toHaveProperty('204');
    expect(paths['/auth/me'].get?.security).toEqual([{ bearer: [] }]);
    expect(paths['/auth/logout-everywhere'].post?.security).toEqual([{ bearer: [] }]);
    expect(paths['/auth/logout-everywhere'].post?.responses).toHaveProperty('204');
    expect(paths['/auth/users/lookup'].post?.security).toEqual([{ bearer: [] }]);
    expect(paths['/auth/register'].post?.requestBody).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/RegisterBody' } } } });
    expect(paths['/auth/login'].post?.responses['200']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/TokenPair' } } } });
  });

  it('generates every body and answer schema from the zod schema the route validates or answers with', () => {
    const generated: Array<[string, z.ZodType, 'input' | 'output']> = [
      ['RegisterBody', RegisterBodySchema, 'input'],
      ['LoginBody', LoginBodySchema, 'input'],
      ['RefreshTokenBody', RefreshTokenBodySchema, 'input'],
      ['TokenPair', TokenPairSchema, 'output'],
      ['User', UserSchema, 'output'],
      ['LookupUsersBody', LookupUsersBodySchema, 'input'],
      ['FoundUsers', FoundUsersSchema, 'output'],
      ['ErrorBody', ErrorBodySchema, 'output'],
    ];
    const schemas = document.components?.schemas ?? {};
    expect(Object.keys(schemas).sort()).toEqual(generated.map(([name]) => name).sort());
    for (const [name, schema, io] of generated) {
      // zod names the schema by its id under `definitions`; Swagger moves it to components and writes
      // OpenAPI 3.0's single `example` where JSON Schema has `examples`.
      const { definitions } = z.toJSONSchema(schema, { target: 'openapi-3.0', io }) as { definitions?: Record<string, unknown> };
      // A schema that nests another refers to it where Swagger put it.
      const expected = JSON.parse(JSON.stringify(definitions?.[name]).replaceAll('"#/definitions/', '"#/components/schemas/')) as unknown;
      expect({ name, schema: withoutExamples(schemas[name]) }).toEqual({ name, schema: withoutExamples(expected) });
    }
  });

  it('answers with exactly the routes and statuses of the REST table in docs/protocol.md', () => {
    // Rows like "| `POST /auth/register` | body | `201 {…}` | 400 `validation_failed`, 409 … |".
    const table = readFileSync(path.resolve(__dirname, '../../../../docs/protocol.md'), 'utf8');
    const documented = [...table.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/\S+)` \|[^|]*\|([^|]*)\|([^|]*)\|$/gm)].flatMap(
      ([, method, route, success, errors]) => [...`${success} ${errors}`.matchAll(/\b[1-5]\d\d\b/g)].map(([status]) => `${method} ${route} ${status}`),
    );
    const served = Object.entries(document.paths).flatMap(([route, operations]) =>
      (['get', 'post', 'put', 'patch', 'delete'] as const).flatMap((method) =>
        Object.keys(operations[method]?.responses ?? {}).map((status) => `${method.toUpperCase()} ${route} ${status}`),
      ),
    );
    expect([...new Set(documented)].sort()).toEqual([...new Set(served)].sort());
  });

  it('serves the document as JSON and Swagger UI from the service\'s own application', async () => {
    const json = await fetch(`${base}/auth/docs-json`);
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ info: { title: 'chat auth' } });
    const ui = await fetch(`${base}/auth/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('Swagger UI');
  });
});

/** The schema without `example`/`examples` (documentation that the two writers spell differently). */
function withoutExamples(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutExamples);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(Object.entries(schema).filter(([key]) => key !== 'example' && key !== 'examples').map(([key, value]) => [key, withoutExamples(value)]));
}
