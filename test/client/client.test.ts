/**
 * The typed client (`voltjs/client`) against a real app on a socket, through the global `fetch`:
 * what it sends (parameters, query, body, headers) and how it reads each kind of answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpError, Router, t, volt } from 'voltjs';
import { createClient } from 'voltjs/client';
import { fillPath, queryString } from '../../src/client/client.ts';

const Product = t.Object({ id: t.Integer(), name: t.String(), tags: t.Array(t.String()) });

const products = new Router({ prefix: '/products' })
  .get(
    '/:id',
    {
      params: t.Object({ id: t.Integer() }),
      query: t.Object({ tag: t.Optional(t.Array(t.String())), archived: t.Optional(t.Boolean()) }),
      response: { 200: Product },
    },
    (ctx) => {
      if (ctx.params.id === 404) throw new HttpError(404, { detail: 'No product 404' });
      return {
        id: ctx.params.id,
        name: `archived: ${ctx.query.archived ?? 'unset'}`,
        tags: ctx.query.tag ?? [],
      };
    },
  )
  .post(
    '/',
    {
      body: t.Object({ name: t.String({ minLength: 1 }), tags: t.Optional(t.Array(t.String())) }),
      status: 201,
      response: { 201: Product },
    },
    (ctx) => ({ id: 7, name: ctx.body.name, tags: ctx.body.tags ?? [] }),
  )
  .delete('/:id', { params: t.Object({ id: t.Integer() }), status: 204 }, () => undefined);

const app = volt({ logger: false, envFile: false });
const api = app
  .get('/files/:name', (ctx) => ({ name: ctx.params.name }))
  .get('/hello', { contentType: 'text/plain', response: { 200: t.String() } }, () => 'hello')
  .get('/echo-headers', (ctx) => ({
    token: ctx.headers['x-token'] ?? null,
    trace: ctx.headers['x-trace'] ?? null,
  }))
  .include(products, { prefix: '/api' });

let base = '';
before(async () => {
  await app.listen({ host: '127.0.0.1', port: 0, signals: false });
  const address = app.fastify.server.address();
  assert.ok(address !== null && typeof address === 'object');
  base = `http://127.0.0.1:${address.port}`;
});
after(() => app.close());

describe('a typed client of a live app', () => {
  test('GET with params and a query: JSON data, arrays repeating their key, booleans as text', async () => {
    const client = createClient<typeof api>(base);
    const res = await client.get('/api/products/:id', {
      params: { id: 3 },
      query: { tag: ['tea', 'green'], archived: false },
    });
    assert.equal(res.ok, true);
    assert.equal(res.status, 200);
    assert.deepEqual(res.data, { id: 3, name: 'archived: false', tags: ['tea', 'green'] });
    assert.equal(res.problem, undefined);
  });

  test('a parameter is URI-encoded, and the server reads it back as it was', async () => {
    const res = await createClient<typeof api>(`${base}/`).get('/files/:name', {
      params: { name: 'a b/c?d' },
    });
    assert.ok(res.ok);
    assert.deepEqual(res.data, { name: 'a b/c?d' });
  });

  test('POST sends JSON and answers the 201 data', async () => {
    const res = await createClient<typeof api>(base).post('/api/products', {
      body: { name: 'Tea', tags: ['hot'] },
    });
    assert.ok(res.ok);
    assert.equal(res.status, 201);
    assert.deepEqual(res.data, { id: 7, name: 'Tea', tags: ['hot'] });
  });

  test('a 204 gives undefined data', async () => {
    const res = await createClient<typeof api>(base).delete('/api/products/:id', { params: { id: 3 } });
    assert.ok(res.ok);
    assert.equal(res.status, 204);
    assert.equal(res.data, undefined);
  });

  test('a text success gives its text', async () => {
    const res = await createClient<typeof api>(base).get('/hello');
    assert.ok(res.ok);
    assert.equal(res.data, 'hello');
  });

  test('a 422 gives the problem with each failing field', async () => {
    const res = await createClient<typeof api>(base).post('/api/products', { body: { name: '' } });
    assert.equal(res.ok, false);
    assert.equal(res.data, undefined);
    assert.ok(!res.ok);
    assert.equal(res.status, 422);
    assert.equal(res.problem.status, 422);
    assert.equal(res.problem.code, 'VOLT_HTTP_VALIDATION');
    assert.deepEqual(
      res.problem.errors?.map((error) => error.loc),
      [['body', 'name']],
    );
  });

  test("a 404 gives the handler's problem, and an unknown route the router's", async () => {
    const typed = await createClient<typeof api>(base).get('/api/products/:id', { params: { id: 404 } });
    assert.ok(!typed.ok);
    assert.equal(typed.status, 404);
    assert.equal(typed.problem.detail, 'No product 404');
    assert.equal(typed.problem.code, 'VOLT_HTTP_NOT_FOUND');

    const untyped = await createClient(base).get('/nowhere');
    assert.ok(!untyped.ok);
    assert.equal(untyped.status, 404);
    assert.equal(untyped.problem.title, 'Not Found');
  });

  test("headers: the client's (a function called per request), then the request's own", async () => {
    const seen: string[] = [];
    const client = createClient<typeof api>(base, {
      headers: async (request) => {
        seen.push(`${request.method} ${request.path} ${request.url}`);
        return { 'x-token': 'from-client', 'x-trace': 'client' };
      },
    });
    const res = await client.get('/echo-headers', { headers: { 'x-trace': 'request' } });
    assert.ok(res.ok);
    assert.deepEqual(res.data, { token: 'from-client', trace: 'request' });
    assert.deepEqual(seen, [`GET /echo-headers ${base}/echo-headers`]);
  });

  test('request() takes the method; an aborted signal rejects', async () => {
    const client = createClient<typeof api>(base);
    const res = await client.request('GET', '/api/products/:id', { params: { id: 1 } });
    assert.ok(res.ok);
    assert.equal(res.data.id, 1);
    await assert.rejects(
      client.get('/hello', { signal: AbortSignal.abort() }),
      (error: Error) => error.name === 'AbortError',
    );
  });
});

describe('the client without a server', () => {
  test('a network failure rejects', async () => {
    const client = createClient('http://127.0.0.1:1');
    await assert.rejects(client.get('/x'), TypeError);
  });

  test('an error body that is not a problem becomes one from the status', async () => {
    const client = createClient('https://api.example', {
      fetch: async () =>
        new Response('<h1>Bad gateway</h1>', {
          status: 502,
          statusText: 'Bad Gateway',
          headers: { 'content-type': 'text/html' },
        }),
    });
    const res = await client.get('/x');
    assert.ok(!res.ok);
    assert.deepEqual(res.problem, { type: 'about:blank', status: 502, title: 'Bad Gateway', code: '' });
  });

  test('the given fetch gets the method, the JSON body with its type, and credentials', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const client = createClient('https://api.example/v1/', {
      credentials: 'include',
      fetch: async (url, init) => {
        calls.push({ url, init });
        return new Response(null, { status: 204 });
      },
    });
    const res = await client.patch('/notes/:id', {
      params: { id: 5 },
      body: { text: 'hi' },
      query: { x: undefined },
    });
    assert.ok(res.ok);
    assert.equal(res.data, undefined);
    const [call] = calls;
    assert.equal(call?.url, 'https://api.example/v1/notes/5');
    assert.equal(call?.init.method, 'PATCH');
    assert.equal(call?.init.body, '{"text":"hi"}');
    assert.equal(call?.init.credentials, 'include');
    assert.equal(new Headers(call?.init.headers).get('content-type'), 'application/json');
  });

  test('a success that says JSON and is not rejects', async () => {
    const client = createClient('https://api.example', {
      fetch: async () => new Response('{oops', { headers: { 'content-type': 'application/json' } }),
    });
    await assert.rejects(client.get('/x'), SyntaxError);
  });
});

describe('paths and query strings', () => {
  test('parameters in the route syntax: separators, regexes, optional, wildcard, escaped colon', () => {
    assert.equal(fillPath('/flights/:from-:to', { from: 'A B', to: 'C' }), '/flights/A%20B-C');
    assert.equal(fillPath('/files/:name.:ext', { name: 'a', ext: 'txt' }), '/files/a.txt');
    assert.equal(fillPath('/n/:id(^\\d+)/x', { id: 12 }), '/n/12/x');
    assert.equal(fillPath('/archive/:year?', {}), '/archive');
    assert.equal(fillPath('/archive/:year?', { year: 2024 }), '/archive/2024');
    assert.equal(fillPath('/static/*', { '*': 'css/a b.css' }), '/static/css/a%20b.css');
    assert.equal(fillPath('/rpc/items::batch', {}), '/rpc/items:batch');
    assert.throws(() => fillPath('/items/:id', {}), /needs the parameter "id"/);
  });

  test('query values: arrays repeat the key, numbers and booleans as text, undefined left out', () => {
    assert.equal(
      queryString({ tag: ['a', 'b c'], page: 2, all: true, skip: undefined, none: null }),
      'tag=a&tag=b+c&page=2&all=true',
    );
    assert.equal(queryString(undefined), '');
  });
});
