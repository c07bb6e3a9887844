import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiDocs, type ApiDocs } from './api-docs';

describe('API docs', () => {
  let docs: ApiDocs;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    docs = await createApiDocs();
    server = createServer((request, response) =>
      docs.handler(request, response, () => {
        response.statusCode = 404;
        response.end();
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('documents every route of the auth API with its bodies and error answers', () => {
    const paths = docs.document.paths;
    expect(Object.keys(paths).sort()).toEqual(['/auth/login', '/auth/logout', '/auth/me', '/auth/refresh', '/auth/register']);
    expect(paths['/auth/register'].post?.responses).toEqual(expect.objectContaining({ 201: expect.anything(), 409: expect.anything(), 429: expect.anything() }));
    expect(paths['/auth/login'].post?.requestBody).toBeDefined();
    expect(paths['/auth/logout'].post?.responses).toHaveProperty('204');
    expect(paths['/auth/me'].get?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(docs.document.components?.schemas ?? {})).toEqual(expect.arrayContaining(['RegisterRequestDto', 'TokenPairDto', 'ErrorBodyDto']));
  });

  it('serves the document as JSON and Swagger UI, and passes other requests on', async () => {
    const json = await fetch(`${base}/auth/docs-json`);
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ info: { title: 'chat auth' } });
    const ui = await fetch(`${base}/auth/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('Swagger UI');
    expect((await fetch(`${base}/auth/login`)).status).toBe(404);
  });
});
