/**
 * Inputs and declarations that used to cost too much, leak, or crash: each stays a clear 4xx,
 * a refused declaration, or a 500 that says nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dependency } from '../../src/http/dependencies.ts';
import { MAX_FIELD_ERRORS } from '../../src/http/validation.ts';
import { t } from '../../src/openapi/t.ts';
import { testClient } from '../../src/testing/index.ts';
import { volt } from '../../src/volt.ts';
import { quietApp } from './support.ts';

describe('request bodies', () => {
  test('a long array of bad union items gets one bounded 422, built in linear time', {
    timeout: 30_000,
  }, async () => {
    // Past the default array limit (JSON_MAX_ARRAY_LENGTH), which would refuse it before validation.
    const app = quietApp({ jsonMaxArrayLength: 50_000 });
    app.post('/values', { body: t.Array(t.Union([t.String(), t.Number()])) }, () => ({ ok: true }));
    const res = await testClient(app).post('/values', { json: Array.from({ length: 30_000 }, () => ({})) });
    assert.equal(res.status, 422);
    const errors = res.json<{ errors: Array<{ loc: unknown[]; type: string }> }>().errors;
    assert.equal(errors.length, MAX_FIELD_ERRORS);
    assert.deepEqual(errors[0], {
      loc: ['body', 0],
      msg: 'Input does not match any of the allowed types',
      type: 'union',
    });
  });

  test('JSON nested deeper than the limit is a 400, not a stack overflow', async () => {
    const app = quietApp();
    app.post('/echo', { body: t.Any() }, (ctx) => ctx.body);
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const res = await testClient(app).post('/echo', {
      body: deep,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 400);
    assert.equal(res.json<{ detail: string }>().detail, 'The JSON body is nested deeper than 64 levels.');
  });

  test('the depth limit follows JSON_MAX_DEPTH and ignores brackets inside strings', async () => {
    const app = quietApp({ jsonMaxDepth: 3 });
    app.post('/echo', { body: t.Any() }, (ctx) => ctx.body);
    const client = testClient(app);
    const ok = await client.post('/echo', { json: { a: { b: ['[[[[[[{{{{'] } } });
    assert.equal(ok.status, 200);
    const tooDeep = await client.post('/echo', { json: { a: { b: [[1]] } } });
    assert.equal(tooDeep.status, 400);
  });
});

describe('response schemas', () => {
  test('a default status without a schema, when success schemas are declared, is refused at declaration', () => {
    const app = quietApp();
    assert.throws(
      () =>
        app.post('/leak', { status: 201, response: { 200: t.Object({ name: t.String() }) } }, () => ({
          name: 'a',
        })),
      /POST \/leak declares response schemas for 200 but answers 201 by default/,
    );
  });

  test('ctx.status() to a success status without a schema is a 500 that leaks nothing', async () => {
    const app = quietApp();
    app.get('/leak', { response: { 200: t.Object({ name: t.String() }) } }, (ctx) => {
      ctx.status(202);
      return { name: 'a', passwordHash: 'scrypt$secret' } as { name: string };
    });
    const res = await testClient(app).get('/leak');
    assert.equal(res.status, 500);
    assert.ok(!res.text.includes('secret'));
  });
});

describe('dependency schemas merged into a route', () => {
  test("a dependency's additionalProperties: false still refuses unknown query names", async () => {
    const app = quietApp();
    const search = dependency(
      { query: t.Object({ q: t.Optional(t.String()) }, { additionalProperties: false }) },
      (ctx) => ctx.query.q,
    );
    app.get('/search', { deps: { search } }, (ctx) => ({ q: ctx.deps.search }));
    const res = await testClient(app).get('/search', { query: { q: 'a', debug: '1' } });
    assert.equal(res.status, 422);
    assert.deepEqual(res.json<{ errors: unknown[] }>().errors, [
      { loc: ['query', 'debug'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
    ]);
  });

  test('a query schema with an $id can be shared by routes whose dependencies add parameters', async () => {
    const app = quietApp();
    const Paging = t.Object({ page: t.Optional(t.Integer()) }, { $id: 'Paging' });
    const trace = dependency({ headers: t.Object({ 'x-trace': t.Optional(t.String()) }) }, () => undefined);
    const extra = dependency({ query: t.Object({ q: t.Optional(t.String()) }) }, () => undefined);
    app.get('/a', { query: Paging, deps: { extra } }, () => ({ ok: true }));
    app.get('/b', { query: Paging, deps: { extra }, dependencies: [trace] }, () => ({ ok: true }));
    assert.equal((await testClient(app).get('/b', { query: { page: 2 } })).status, 200);
  });
});

describe('failures', () => {
  test('background tasks are dropped when serialization fails', async () => {
    const app = quietApp();
    const done: string[] = [];
    app.get('/bad', { response: { 200: t.Object({ n: t.Integer() }) } }, (ctx) => {
      ctx.background(() => done.push('welcome mail sent'));
      return { n: 'not-an-int' } as unknown as { n: number };
    });
    const res = await testClient(app).get('/bad');
    assert.equal(res.status, 500);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(done, []);
  });

  test('an error that only carries a 4xx statusCode is a 500 that does not quote it', async () => {
    const app = quietApp();
    app.get('/upstream', () => {
      throw Object.assign(new Error('upstream http://10.0.0.5:9200/secret-index returned 404'), {
        statusCode: 404,
      });
    });
    const res = await testClient(app).get('/upstream');
    assert.equal(res.status, 500);
    assert.ok(!res.text.includes('secret-index'));
  });

  test('a mistake in the OpenAPI document stops the start instead of failing each request', async () => {
    const app = volt({ logger: false, envFile: false });
    app.get('/a', { operationId: 'same' }, () => ({}));
    app.get('/b', { operationId: 'same' }, () => ({}));
    await assert.rejects(app.ready(), /same/);
  });
});
