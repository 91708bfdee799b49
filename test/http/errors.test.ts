/**
 * Every failure is an RFC 9457 problem with a stable body, and no input produces a 500.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeOfStatus, HttpError } from '../../src/http/errors.ts';
import { t } from '../../src/openapi/t.ts';
import { testClient } from '../../src/testing/index.ts';
import { quietApp, recordingLogger } from './support.ts';

const PROBLEM = 'application/problem+json; charset=utf-8';

/** A problem body; its code is the status's (`VOLT_HTTP_NOT_FOUND`) unless `extra` gives one. */
function problem(status: number, title: string, detail?: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'about:blank',
    title,
    status,
    code: codeOfStatus(status),
    ...(detail === undefined ? {} : { detail }),
    ...extra,
  };
}

/** A server error's problem names the request (its `X-Request-Id`) as its `instance`. */
function serverProblem(res: { headers: Record<string, unknown> }, body: Record<string, unknown>) {
  const id = res.headers['x-request-id'];
  assert.equal(typeof id, 'string');
  return { ...body, instance: `urn:volt:request:${id}` };
}

describe('422 validation', () => {
  function app() {
    const app = quietApp();
    app.post(
      '/shops/:shopId/items',
      {
        params: t.Object({ shopId: t.Integer({ minimum: 1 }) }),
        query: t.Object({ limit: t.Integer({ maximum: 100 }) }),
        headers: t.Object({ 'x-api-version': t.Integer() }),
        cookies: t.Object({ session: t.String({ minLength: 8 }) }),
        body: t.Object({ name: t.String({ minLength: 1 }), price: t.Number({ exclusiveMinimum: 0 }) }),
      },
      () => ({ ok: true }),
    );
    return app;
  }

  test('lists every failing field of every request part, in part order', async () => {
    const client = testClient(app());
    const res = await client.post('/shops/abc/items', {
      query: { limit: 500 },
      headers: { 'x-api-version': 'v2' },
      cookies: { session: 'short' },
      json: { name: '', price: 'free' },
    });
    assert.equal(res.status, 422);
    assert.equal(res.headers['content-type'], PROBLEM);
    assert.deepEqual(
      res.json(),
      problem(422, 'Unprocessable Content', 'The request is not valid.', {
        code: 'VOLT_HTTP_VALIDATION',
        errors: [
          { loc: ['path', 'shopId'], msg: 'Input should be a valid integer', type: 'integer_type' },
          {
            loc: ['query', 'limit'],
            msg: 'Input should be less than or equal to 100',
            type: 'less_than_equal',
          },
          { loc: ['header', 'x-api-version'], msg: 'Input should be a valid integer', type: 'integer_type' },
          {
            loc: ['cookie', 'session'],
            msg: 'String should have at least 8 characters',
            type: 'string_too_short',
          },
          { loc: ['body', 'name'], msg: 'String should have at least 1 character', type: 'string_too_short' },
          { loc: ['body', 'price'], msg: 'Input should be a valid number', type: 'number_type' },
        ],
      }),
    );
  });

  test('names each missing field with type "missing"', async () => {
    const client = testClient(app());
    const res = await client.post('/shops/1/items', { json: {} });
    assert.equal(res.status, 422);
    assert.deepEqual(res.json(), {
      ...problem(422, 'Unprocessable Content', 'The request is not valid.', { code: 'VOLT_HTTP_VALIDATION' }),
      errors: [
        { loc: ['query', 'limit'], msg: 'Field required', type: 'missing' },
        { loc: ['header', 'x-api-version'], msg: 'Field required', type: 'missing' },
        { loc: ['cookie', 'session'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'name'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'price'], msg: 'Field required', type: 'missing' },
      ],
    });
  });

  test('a missing body is one error at ["body"]', async () => {
    const client = testClient(app());
    const res = await client.post('/shops/1/items', {
      query: { limit: 1 },
      headers: { 'x-api-version': '2' },
      cookies: { session: 'long-enough' },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(res.json(), {
      ...problem(422, 'Unprocessable Content', 'The request is not valid.', { code: 'VOLT_HTTP_VALIDATION' }),
      errors: [{ loc: ['body'], msg: 'Field required', type: 'missing' }],
    });
  });

  test('a valid request reaches the handler', async () => {
    const client = testClient(app());
    const res = await client.post('/shops/1/items', {
      query: { limit: 1 },
      headers: { 'x-api-version': '2' },
      cookies: { session: 'long-enough' },
      json: { name: 'Pen', price: 2.5 },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { ok: true });
  });
});

describe('400, 413 and 415 from the body parser', () => {
  function app(options: Parameters<typeof quietApp>[0] = {}) {
    const app = quietApp(options);
    app.post('/items', { body: t.Object({ name: t.String() }) }, (ctx) => ({ name: ctx.body.name }));
    app.post('/small', { bodyLimit: 16, body: t.Object({ name: t.String() }) }, (ctx) => ({
      name: ctx.body.name,
    }));
    return app;
  }
  const json = { 'content-type': 'application/json' };

  test('malformed JSON is a 400 that says what is wrong and where, and nothing of __proto__', async () => {
    const client = testClient(app());
    const res = await client.post('/items', { body: '{"name": ', headers: json });
    assert.equal(res.status, 400);
    assert.equal(res.headers['content-type'], PROBLEM);
    assert.deepEqual(
      res.json(),
      problem(
        400,
        'Bad Request',
        'The request body is not valid JSON: Unexpected end of input at position 9.',
        { code: 'VOLT_HTTP_INVALID_JSON' },
      ),
    );
    const details: Record<string, string> = {
      '{"name" "x"}': "Expected ':' after property name at position 8",
      '{"name":"x",}': 'Expected double-quoted property name at position 12',
      '{"name":"x"}x': 'Unexpected non-whitespace character after JSON at position 12',
      '[1,]': 'Unexpected token "]"',
      '{"name":"x\\u12"}': 'Bad Unicode escape at position 14',
    };
    for (const [body, reason] of Object.entries(details)) {
      const bad = await client.post('/items', { body, headers: json });
      assert.equal(bad.status, 400, body);
      const detail = bad.json<{ detail: string }>().detail;
      assert.equal(detail, `The request body is not valid JSON: ${reason}.`, body);
      assert.doesNotMatch(detail, /__proto__/);
    }
  });

  const poisoned = problem(
    400,
    'Bad Request',
    'The JSON body has a key named __proto__ or constructor.prototype, which is refused.',
    { code: 'VOLT_HTTP_INVALID_JSON' },
  );

  test('a __proto__ key is refused with a 400 that names it', async () => {
    const res = await testClient(app()).post('/items', {
      body: '{"name":"x","__proto__":{"isAdmin":true}}',
      headers: json,
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), poisoned);
  });

  test('a constructor.prototype key is refused with a 400 that names it', async () => {
    const res = await testClient(app()).post('/items', {
      body: '{"name":"x","constructor":{"prototype":{"isAdmin":true}}}',
      headers: json,
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), poisoned);
  });

  test('an empty JSON body is a 400', async () => {
    const res = await testClient(app()).post('/items', { body: '', headers: json });
    assert.equal(res.status, 400);
    assert.deepEqual(
      res.json(),
      problem(400, 'Bad Request', 'The body is empty but the Content-Type says application/json.'),
    );
  });

  const tooLarge = problem(413, 'Content Too Large', 'The request body is larger than the limit.');

  test('a body over 1 MiB is a 413 by default', async () => {
    const client = testClient(app());
    const name = 'x'.repeat(1024 * 1024);
    const res = await client.post('/items', { json: { name } });
    assert.equal(res.status, 413);
    assert.equal(res.headers['content-type'], PROBLEM);
    assert.deepEqual(res.json(), tooLarge);
    const justUnder = await client.post('/items', { json: { name: 'x'.repeat(1024 * 1024 - 20) } });
    assert.equal(justUnder.status, 200);
  });

  test('the app option bodyLimit sets the limit', async () => {
    const client = testClient(app({ bodyLimit: 100 }));
    assert.equal((await client.post('/items', { json: { name: 'x'.repeat(80) } })).status, 200);
    const res = await client.post('/items', { json: { name: 'x'.repeat(101) } });
    assert.equal(res.status, 413);
    assert.deepEqual(res.json(), tooLarge);
  });

  test('a route bodyLimit overrides the app limit', async () => {
    const client = testClient(app());
    assert.equal((await client.post('/small', { json: { name: 'abc' } })).status, 200);
    const res = await client.post('/small', { json: { name: 'x'.repeat(20) } });
    assert.equal(res.status, 413);
    assert.deepEqual(res.json(), tooLarge);
  });

  test('an unsupported content type is a 415 naming the accepted ones', async () => {
    const res = await testClient(app()).post('/items', {
      body: '<name>x</name>',
      headers: { 'content-type': 'application/xml' },
    });
    assert.equal(res.status, 415);
    assert.equal(res.headers['content-type'], PROBLEM);
    assert.equal(res.headers['accept-post'], 'application/json');
    assert.deepEqual(
      res.json(),
      problem(
        415,
        'Unsupported Media Type',
        'Content type "application/xml" is not accepted here; send application/json.',
      ),
    );
  });

  test('a body without a content type is a 415 that says so', async () => {
    const res = await testClient(app()).post('/items', { body: '{"name":"x"}' });
    assert.equal(res.status, 415);
    assert.deepEqual(
      res.json(),
      problem(
        415,
        'Unsupported Media Type',
        'The request has a body but no Content-Type header; send application/json.',
      ),
    );
  });
});

describe('404 and 405', () => {
  function app() {
    const app = quietApp();
    app.get('/items/:id', () => ({}));
    app.delete('/items/:id', () => undefined);
    app.post('/orders', () => ({}));
    return app;
  }

  test('an unknown path is a 404', async () => {
    const res = await testClient(app()).get('/nowhere', { query: { a: 1 } });
    assert.equal(res.status, 404);
    assert.equal(res.headers['content-type'], PROBLEM);
    assert.deepEqual(res.json(), problem(404, 'Not Found', 'No route matches GET /nowhere.'));
  });

  test('a path with a trailing slash is a 404 naming the route without it', async () => {
    const res = await testClient(app()).get('/items/7/');
    assert.equal(res.status, 404);
    assert.equal(
      res.json<{ detail: string }>().detail,
      'No route matches GET /items/7/. Did you mean /items/7?',
    );
    const none = await testClient(app()).get('/nowhere/');
    assert.equal(none.json<{ detail: string }>().detail, 'No route matches GET /nowhere/.');
  });

  test('a known path with another method is a 405 whose Allow lists GET, HEAD and the others', async () => {
    const res = await testClient(app()).put('/items/7');
    assert.equal(res.status, 405);
    assert.equal(res.headers['content-type'], PROBLEM);
    // Fastify answers HEAD for every GET route, so HEAD is allowed too (RFC 9110 §9.3.2).
    assert.equal(res.headers.allow, 'GET, HEAD, DELETE');
    assert.deepEqual(
      res.json(),
      problem(405, 'Method Not Allowed', 'PUT is not allowed here; use GET, HEAD, DELETE.'),
    );
  });

  test('HEAD is answered on a GET route', async () => {
    const res = await testClient(app()).request('HEAD', '/items/7');
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
  });

  test('a POST-only path does not allow HEAD', async () => {
    const res = await testClient(app()).get('/orders');
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'POST');
  });

  test('a path that is not valid percent-encoding is a 400 problem', async () => {
    const res = await testClient(app()).get('/items/%zz');
    assert.equal(res.status, 400);
    assert.equal(res.headers['content-type'], PROBLEM);
    assert.deepEqual(res.json(), problem(400, 'Bad Request', 'The URL is not valid.'));
  });

  test('a path parameter past the length limit is a 414 problem', async () => {
    const res = await testClient(app()).get(`/items/${'x'.repeat(200)}`);
    assert.equal(res.status, 414);
    assert.equal(res.headers['content-type'], PROBLEM);
    assert.deepEqual(res.json(), problem(414, 'URI Too Long', 'A path parameter is longer than the limit.'));
  });
});

describe('500', () => {
  function app(options: Parameters<typeof quietApp>[0] = {}) {
    const app = quietApp(options);
    app.get('/boom', () => {
      throw new Error('password=hunter2 at db.internal:5432');
    });
    app.get('/throws-string', () => {
      throw 'raw string';
    });
    app.get('/throws-null', () => {
      throw null;
    });
    return app;
  }
  const generic = problem(500, 'Internal Server Error', 'The server could not complete the request.');

  test('an unexpected error is a generic 500 with no message and no stack', async () => {
    const res = await testClient(app()).get('/boom');
    assert.equal(res.status, 500);
    assert.equal(res.headers['content-type'], PROBLEM);
    assert.deepEqual(res.json(), serverProblem(res, generic));
    assert.ok(!res.text.includes('hunter2'));
  });

  test('thrown non-errors are generic 500s too', async () => {
    const client = testClient(app());
    for (const path of ['/throws-string', '/throws-null']) {
      const res = await client.get(path);
      assert.equal(res.status, 500);
      assert.deepEqual(res.json(), serverProblem(res, generic));
    }
  });

  test('every error response names its request in X-Request-Id; only server errors as instance', async () => {
    const client = testClient(app());
    const boom = await client.get('/boom');
    const missing = await client.get('/nowhere');
    for (const res of [boom, missing]) assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.notEqual(boom.headers['x-request-id'], missing.headers['x-request-id']);
    assert.equal(
      boom.json<{ instance: string }>().instance,
      `urn:volt:request:${boom.headers['x-request-id']}`,
    );
    assert.equal('instance' in missing.json<object>(), false);
  });

  test('the error is logged with its message', async () => {
    const { logger, entries } = recordingLogger();
    await testClient(app({ fastify: { loggerInstance: logger } })).get('/boom');
    const logged = entries.find((e) => e.level === 'error' && e.msg === 'unhandled error');
    assert.ok(logged);
    assert.equal((logged.obj as { err: Error }).err.message, 'password=hunter2 at db.internal:5432');
  });

  test('debug mode shows the message and the stack', async () => {
    const res = await testClient(app({ debug: true })).get('/boom');
    assert.equal(res.status, 500);
    const body = res.json() as Record<string, unknown>;
    const { stack, ...rest } = body;
    assert.deepEqual(
      rest,
      serverProblem(res, problem(500, 'Internal Server Error', 'password=hunter2 at db.internal:5432')),
    );
    assert.ok(Array.isArray(stack));
    assert.equal(stack[0], 'Error: password=hunter2 at db.internal:5432');
    assert.ok(stack.some((line: string) => line.includes('errors.test.ts')));
  });
});

describe('HttpError and error mappers', () => {
  class OutOfStock extends Error {}

  test('HttpError sends its status, detail, headers and extensions', async () => {
    const app = quietApp();
    app.get('/limited', () => {
      throw new HttpError(429, {
        detail: 'Slow down.',
        type: 'https://volt.dev/problems/rate-limit',
        headers: { 'retry-after': '30' },
        extensions: { limit: 10, status: 999 },
        cause: new Error('bucket empty'),
      });
    });
    const res = await testClient(app).get('/limited');
    assert.equal(res.status, 429);
    assert.equal(res.headers['content-type'], PROBLEM);
    assert.equal(res.headers['retry-after'], '30');
    // An extension cannot replace a standard member; the cause is never sent.
    assert.deepEqual(res.json(), {
      type: 'https://volt.dev/problems/rate-limit',
      title: 'Too Many Requests',
      status: 429,
      code: 'VOLT_HTTP_TOO_MANY_REQUESTS',
      detail: 'Slow down.',
      limit: 10,
    });
  });

  test('HttpError with a string is its detail', async () => {
    const app = quietApp();
    app.get('/gone', () => {
      throw new HttpError(410, 'The item was removed.');
    });
    const res = await testClient(app).get('/gone');
    assert.deepEqual(res.json(), problem(410, 'Gone', 'The item was removed.'));
  });

  test('HttpError refuses a status outside 400–599', () => {
    assert.throws(() => new HttpError(302), RangeError);
    assert.throws(() => new HttpError(600), RangeError);
  });

  test('a 5xx HttpError keeps its detail (it was written for clients)', async () => {
    const app = quietApp();
    app.get('/down', () => {
      throw new HttpError(503, { detail: 'Maintenance until 10:00.', headers: { 'retry-after': '600' } });
    });
    const res = await testClient(app).get('/down');
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '600');
    assert.deepEqual(
      res.json(),
      serverProblem(res, problem(503, 'Service Unavailable', 'Maintenance until 10:00.')),
    );
  });

  test('app.onError maps a custom error class to a 409', async () => {
    const app = quietApp();
    app.onError((error) =>
      error instanceof OutOfStock ? new HttpError(409, { detail: error.message }) : undefined,
    );
    app.post('/orders', () => {
      throw new OutOfStock('Pens are out of stock.');
    });
    const res = await testClient(app).post('/orders');
    assert.equal(res.status, 409);
    assert.equal(res.headers['content-type'], PROBLEM);
    assert.deepEqual(res.json(), problem(409, 'Conflict', 'Pens are out of stock.'));
  });

  test('the first mapper that answers wins', async () => {
    const app = quietApp();
    const calls: string[] = [];
    app.onError(() => {
      calls.push('first');
    });
    app.onError(() => {
      calls.push('second');
      return new HttpError(409);
    });
    app.onError(() => {
      calls.push('third');
      return new HttpError(400);
    });
    app.get('/x', () => {
      throw new OutOfStock();
    });
    const res = await testClient(app).get('/x');
    assert.deepEqual(res.json(), problem(409, 'Conflict'));
    assert.deepEqual(calls, ['first', 'second']);
  });

  test('a mapper that throws still yields a generic 500 problem and is logged', async () => {
    const { logger, entries } = recordingLogger();
    const app = quietApp({ fastify: { loggerInstance: logger } });
    app.onError(() => {
      throw new TypeError('mapper bug');
    });
    app.get('/x', () => {
      throw new OutOfStock('secret detail');
    });
    const res = await testClient(app).get('/x');
    assert.equal(res.status, 500);
    assert.equal(res.headers['content-type'], PROBLEM);
    assert.deepEqual(
      res.json(),
      serverProblem(res, problem(500, 'Internal Server Error', 'The server could not complete the request.')),
    );
    assert.ok(entries.some((e) => e.msg === 'error mapper failed'));
  });

  test('a mapper that throws does not hide an HttpError', async () => {
    const app = quietApp();
    app.onError(() => {
      throw new TypeError('mapper bug');
    });
    app.get('/x', () => {
      throw new HttpError(403, 'No.');
    });
    const res = await testClient(app).get('/x');
    assert.deepEqual(res.json(), problem(403, 'Forbidden', 'No.'));
  });
});

describe('no input can produce a 500', () => {
  /** mulberry32: a small seeded generator, so a failure can be replayed. */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let r = Math.imul(a ^ (a >>> 15), 1 | a);
      r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
      return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
    };
  }

  function buildApp() {
    const app = quietApp();
    const Body = t.Object({
      name: t.String({ minLength: 1, maxLength: 50 }),
      price: t.Number({ exclusiveMinimum: 0 }),
      email: t.Optional(t.String({ format: 'email' })),
      tags: t.Optional(t.Array(t.String(), { maxItems: 5 })),
      owner: t.Optional(t.Object({ id: t.Integer(), kind: t.Union([t.Literal('user'), t.Literal('team')]) })),
      variant: t.Optional(t.Union([t.String(), t.Number(), t.Null()])),
      when: t.Optional(t.String({ format: 'date-time' })),
    });
    const handler = (ctx: { params: { id: number }; body: unknown }) => ({
      id: ctx.params.id,
      name: (ctx.body as { name?: string } | undefined)?.name ?? 'none',
      extra: 'dropped',
    });
    const options = {
      params: t.Object({ id: t.Integer({ minimum: 1 }) }),
      query: t.Object({
        limit: t.Optional(t.Integer({ minimum: 1, maximum: 100 })),
        ratio: t.Optional(t.Number()),
        flag: t.Optional(t.Boolean()),
        tags: t.Optional(t.Array(t.String(), { maxItems: 5 })),
        sort: t.Optional(t.Union([t.Literal('asc'), t.Literal('desc')])),
        since: t.Optional(t.String({ format: 'date-time' })),
        id: t.Optional(t.String({ format: 'uuid' })),
      }),
      headers: t.Object({
        'x-count': t.Optional(t.Integer()),
        'x-token': t.Optional(t.String({ minLength: 4 })),
      }),
      cookies: t.Object({ session: t.Optional(t.String({ format: 'uuid' })), n: t.Optional(t.Integer()) }),
      response: { 200: t.Object({ id: t.Integer(), name: t.String() }) },
    };
    app.post('/fuzz/:id', { ...options, body: Body }, handler);
    app.get('/fuzz/:id', options, handler);
    app.put('/fuzz/:id/raw', { ...options, body: t.Array(t.Union([t.Integer(), t.String()])) }, handler);
    return app;
  }

  const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

  function garbage(rand: () => number, max: number, alphabet?: string): string {
    const length = Math.floor(rand() * max);
    let out = '';
    for (let i = 0; i < length; i++) {
      out += alphabet
        ? alphabet[Math.floor(rand() * alphabet.length)]
        : String.fromCharCode(Math.floor(rand() * 0x2fff));
    }
    return out;
  }

  const PRINTABLE = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~\t';
  const URLISH = '%/.?&=+#;:@[]abcAZ0129_-~é💥\\';

  function randomBody(rand: () => number): string | undefined {
    const valid = { name: 'Pen', price: 2, email: 'a@b.co', tags: ['x'], owner: { id: 1, kind: 'user' } };
    switch (Math.floor(rand() * 9)) {
      case 0:
        return undefined;
      case 1:
        return garbage(rand, 200);
      case 2:
        return JSON.stringify(valid);
      case 3:
        // A valid document with one value replaced by something of another type.
        return JSON.stringify({
          ...valid,
          [pick(rand, ['name', 'price', 'email', 'tags', 'owner', 'variant', 'when'])]: pick(rand, [
            null,
            -1,
            1e308,
            '',
            'x'.repeat(100),
            [],
            {},
            [1, { a: 1 }],
            true,
            'not-an-email',
            { id: 'x', kind: 'robot' },
          ]),
        });
      case 4:
        return pick(rand, [
          'null',
          '[]',
          '"str"',
          '0',
          'true',
          '{}',
          '[[[[[[]]]]]]',
          '{"a":',
          '\u0000',
          '1e999',
        ]);
      case 5:
        return `{"__proto__":${JSON.stringify(valid)}}`;
      case 6:
        return `${'['.repeat(5000)}${']'.repeat(5000)}`;
      case 7:
        return garbage(rand, 100, PRINTABLE);
      default:
        return JSON.stringify(valid).slice(0, Math.floor(rand() * 40));
    }
  }

  const CONTENT_TYPES = [
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    '',
    ';;;',
    'application/json;;charset',
    '*/*',
    'application/problem+json',
  ];

  test('300 random requests all answer below 500, errors as problem+json', async () => {
    const rand = random(0x5eed);
    const client = testClient(buildApp());
    const failures: string[] = [];
    for (let i = 0; i < 300; i++) {
      const method = pick(rand, [
        'GET',
        'GET',
        'POST',
        'POST',
        'POST',
        'PUT',
        'PATCH',
        'DELETE',
        'HEAD',
        'OPTIONS',
      ]);
      const id = pick(rand, [
        '1',
        '42',
        '7',
        '0',
        '-1',
        'abc',
        '1.5',
        '9'.repeat(30),
        garbage(rand, 12, URLISH),
      ]);
      // The in-process injector parses the URL with WHATWG rules, so paths start with a letter
      // after the first slash (`//x` would be read as a host).
      const path = pick(rand, [
        `/fuzz/${id}`,
        `/fuzz/${id}`,
        `/fuzz/${id}/raw`,
        `/p${garbage(rand, 20, URLISH)}`,
        '/fuzz/',
        '/fuzz//',
      ]);
      const query = Array.from(
        { length: Math.floor(rand() * 4) },
        () =>
          `${pick(rand, ['limit', 'ratio', 'flag', 'tags', 'sort', 'since', 'id', '__proto__', garbage(rand, 6, URLISH)])}=${garbage(rand, 10, URLISH)}`,
      ).join('&');
      const headers: Record<string, string> = {};
      if (rand() < 0.5) headers['x-count'] = garbage(rand, 10, PRINTABLE);
      if (rand() < 0.3) headers['x-token'] = garbage(rand, 10, PRINTABLE);
      if (rand() < 0.5) headers.cookie = garbage(rand, 30, `${PRINTABLE}=;%`);
      const contentType = pick(rand, CONTENT_TYPES);
      if (contentType !== undefined) headers['content-type'] = contentType;
      const body = method === 'GET' || method === 'HEAD' ? undefined : randomBody(rand);
      const url = query ? `${path}?${query}` : path;
      const res = await client.request(method, url, { headers, ...(body === undefined ? {} : { body }) });
      const label = `#${i} ${method} ${JSON.stringify(url)} ${JSON.stringify(headers)} ${JSON.stringify(body)?.slice(0, 80)}`;
      if (res.status >= 500) failures.push(`${label} → ${res.status} ${res.text.slice(0, 200)}`);
      else if (res.status >= 400 && res.headers['content-type'] !== PROBLEM) {
        failures.push(`${label} → ${res.status} with content type ${res.headers['content-type']}`);
      }
    }
    assert.deepEqual(failures, []);
  });
});
