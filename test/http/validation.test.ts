/**
 * Request validation and coercion, and response serialization through the declared schemas.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { t } from '../../src/openapi/t.ts';
import { testClient } from '../../src/testing/index.ts';
import { quietApp } from './support.ts';

function invalid(errors: unknown[]) {
  return {
    type: 'about:blank',
    title: 'Unprocessable Content',
    status: 422,
    code: 'VOLT_HTTP_VALIDATION',
    detail: 'The request is not valid.',
    errors,
  };
}

/** Echoes the validated parts with their JavaScript types, so a test sees what coercion did. */
function typed(value: Record<string, unknown>) {
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, [v, Array.isArray(v) ? 'array' : typeof v]]),
  );
}

describe('coercion of URL strings', () => {
  function app() {
    const app = quietApp();
    app.get(
      '/items/:id/:ratio',
      {
        params: t.Object({ id: t.Integer(), ratio: t.Number() }),
        query: t.Object({
          limit: t.Optional(t.Integer()),
          price: t.Optional(t.Number()),
          active: t.Optional(t.Boolean()),
          tag: t.Optional(t.Array(t.String())),
          ids: t.Optional(t.Array(t.Integer())),
        }),
      },
      (ctx) => ({ params: typed(ctx.params), query: typed(ctx.query) }),
    );
    app.get(
      '/headers',
      {
        headers: t.Object({ 'x-count': t.Integer(), 'x-debug': t.Boolean() }),
        cookies: t.Object({ n: t.Integer() }),
      },
      (ctx) => ({
        count: typed({ v: ctx.headers['x-count'] }).v,
        debug: ctx.headers['x-debug'],
        n: ctx.cookies.n,
      }),
    );
    return app;
  }

  test('path parameters become integers and numbers', async () => {
    const res = await testClient(app()).get('/items/42/0.5');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { params: { id: [42, 'number'], ratio: [0.5, 'number'] }, query: {} });
  });

  test('query strings become integers, numbers and booleans', async () => {
    const res = await testClient(app()).get('/items/1/1', {
      query: { limit: '10', price: '2.5', active: 'true' },
    });
    assert.deepEqual((res.json() as { query: unknown }).query, {
      limit: [10, 'number'],
      price: [2.5, 'number'],
      active: [true, 'boolean'],
    });
  });

  test('"false" is false', async () => {
    const res = await testClient(app()).get('/items/1/1?active=false');
    assert.deepEqual((res.json() as { query: unknown }).query, { active: [false, 'boolean'] });
  });

  test('repeated query keys become an array, a single key an array of one', async () => {
    const client = testClient(app());
    const many = await client.get('/items/1/1?tag=a&tag=b&ids=1&ids=2');
    assert.deepEqual((many.json() as { query: unknown }).query, {
      tag: [['a', 'b'], 'array'],
      ids: [[1, 2], 'array'],
    });
    const one = await client.get('/items/1/1?tag=a');
    assert.deepEqual((one.json() as { query: unknown }).query, { tag: [['a'], 'array'] });
  });

  test('a string that is not a number is a 422 at its location', async () => {
    const res = await testClient(app()).get('/items/x/1?limit=ten&active=maybe&ids=1&ids=two');
    assert.equal(res.status, 422);
    assert.deepEqual(
      res.json(),
      invalid([
        { loc: ['path', 'id'], msg: 'Input should be a valid integer', type: 'integer_type' },
        { loc: ['query', 'limit'], msg: 'Input should be a valid integer', type: 'integer_type' },
        { loc: ['query', 'active'], msg: 'Input should be a valid boolean', type: 'boolean_type' },
        { loc: ['query', 'ids', 1], msg: 'Input should be a valid integer', type: 'integer_type' },
      ]),
    );
  });

  test('a fraction is not an integer', async () => {
    const res = await testClient(app()).get('/items/1.5/1');
    assert.deepEqual(
      res.json(),
      invalid([{ loc: ['path', 'id'], msg: 'Input should be a valid integer', type: 'integer_type' }]),
    );
  });

  test('a repeated key for a single value is a 422', async () => {
    const res = await testClient(app()).get('/items/1/1?limit=1&limit=2');
    assert.equal(res.status, 422);
    assert.deepEqual(
      res.json(),
      invalid([{ loc: ['query', 'limit'], msg: 'Input should be a valid integer', type: 'integer_type' }]),
    );
  });

  test('headers and cookies are coerced too', async () => {
    const res = await testClient(app()).get('/headers', {
      headers: { 'x-count': '3', 'x-debug': 'false' },
      cookies: { n: '7' },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { count: [3, 'number'], debug: false, n: 7 });
  });
});

describe('defaults', () => {
  test('query defaults fill absent parameters', async () => {
    const app = quietApp();
    app.get(
      '/list',
      { query: t.Object({ limit: t.Integer({ default: 20 }), order: t.String({ default: 'asc' }) }) },
      (ctx) => ctx.query,
    );
    const client = testClient(app);
    assert.deepEqual((await client.get('/list')).json(), { limit: 20, order: 'asc' });
    assert.deepEqual((await client.get('/list?limit=5')).json(), { limit: 5, order: 'asc' });
  });

  test('body defaults fill absent properties', async () => {
    const app = quietApp();
    app.post(
      '/items',
      {
        body: t.Object({
          name: t.String(),
          quantity: t.Integer({ default: 1 }),
          tags: t.Array(t.String(), { default: [] }),
        }),
      },
      (ctx) => ctx.body,
    );
    const res = await testClient(app).post('/items', { json: { name: 'Pen' } });
    assert.deepEqual(res.json(), { name: 'Pen', quantity: 1, tags: [] });
  });
});

describe('bodies are JSON, never coerced', () => {
  function app() {
    const app = quietApp();
    app.post(
      '/items',
      { body: t.Object({ price: t.Number(), count: t.Integer(), active: t.Boolean(), name: t.String() }) },
      (ctx) => ctx.body,
    );
    return app;
  }

  test('a string for a number, a boolean or an integer is a 422', async () => {
    const res = await testClient(app()).post('/items', {
      json: { price: '5', count: '1', active: 'true', name: 5 },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(
      res.json(),
      invalid([
        { loc: ['body', 'price'], msg: 'Input should be a valid number', type: 'number_type' },
        { loc: ['body', 'count'], msg: 'Input should be a valid integer', type: 'integer_type' },
        { loc: ['body', 'active'], msg: 'Input should be a valid boolean', type: 'boolean_type' },
        { loc: ['body', 'name'], msg: 'Input should be a valid string', type: 'string_type' },
      ]),
    );
  });

  test('a body of the wrong JSON type is a 422 at ["body"]', async () => {
    const res = await testClient(app()).post('/items', { json: [1, 2] });
    assert.deepEqual(
      res.json(),
      invalid([{ loc: ['body'], msg: 'Input should be a valid object', type: 'object_type' }]),
    );
  });

  test('extra properties are refused when the schema says so', async () => {
    const app = quietApp();
    app.post(
      '/strict',
      { body: t.Object({ name: t.String() }, { additionalProperties: false }) },
      (ctx) => ctx.body,
    );
    const res = await testClient(app).post('/strict', { json: { name: 'x', isAdmin: true } });
    assert.deepEqual(
      res.json(),
      invalid([{ loc: ['body', 'isAdmin'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' }]),
    );
  });
});

describe('formats, constraints and unions', () => {
  function app() {
    const app = quietApp();
    app.post(
      '/signup',
      {
        body: t.Object({
          email: t.String({ format: 'email' }),
          id: t.String({ format: 'uuid' }),
          at: t.String({ format: 'date-time' }),
          code: t.Optional(t.String({ pattern: '^[A-Z]{3}$' })),
          plan: t.Optional(t.Union([t.Literal('free'), t.Literal('pro'), t.Literal('team')])),
          size: t.Optional(t.Enum(['s', 'm'])),
          ref: t.Optional(t.Union([t.Integer(), t.String({ format: 'uuid' })])),
          score: t.Optional(t.Number({ minimum: 0, maximum: 1, multipleOf: 0.25 })),
        }),
      },
      (ctx) => ctx.body,
    );
    return app;
  }
  const valid = {
    email: 'ada@example.com',
    id: '0b9e4f4c-7c1d-4a0e-9d59-2f6f1f0d8a11',
    at: '2025-01-31T12:00:00Z',
  };

  test('valid formats pass', async () => {
    const res = await testClient(app()).post('/signup', {
      json: { ...valid, plan: 'pro', ref: 3, score: 0.5 },
    });
    assert.equal(res.status, 200);
  });

  test('email, uuid and date-time are checked', async () => {
    const res = await testClient(app()).post('/signup', {
      json: { email: 'not-an-email', id: '1234', at: '31/01/2025' },
    });
    assert.deepEqual(
      res.json(),
      invalid([
        { loc: ['body', 'email'], msg: 'Input should be a valid email', type: 'format' },
        { loc: ['body', 'id'], msg: 'Input should be a valid uuid', type: 'format' },
        { loc: ['body', 'at'], msg: 'Input should be a valid date-time', type: 'format' },
      ]),
    );
  });

  test('pattern, enum and number constraints have their own messages', async () => {
    const res = await testClient(app()).post('/signup', {
      json: { ...valid, code: 'ab', size: 'xl', score: 0.3 },
    });
    assert.deepEqual(
      res.json(),
      invalid([
        {
          loc: ['body', 'code'],
          msg: "String should match pattern '^[A-Z]{3}$'",
          type: 'string_pattern_mismatch',
        },
        { loc: ['body', 'size'], msg: 'Input should be "s" or "m"', type: 'enum' },
        { loc: ['body', 'score'], msg: 'Input should be a multiple of 0.25', type: 'multiple_of' },
      ]),
    );
  });

  test('a union of literals names the allowed values', async () => {
    const res = await testClient(app()).post('/signup', { json: { ...valid, plan: 'gold' } });
    assert.deepEqual(
      res.json(),
      invalid([
        { loc: ['body', 'plan'], msg: 'Input should be "free", "pro" or "team"', type: 'literal_error' },
      ]),
    );
  });

  test('a union gives one error at its location, not one per branch', async () => {
    const res = await testClient(app()).post('/signup', { json: { ...valid, ref: true } });
    assert.deepEqual(
      res.json(),
      invalid([
        { loc: ['body', 'ref'], msg: 'Input does not match any of the allowed types', type: 'union' },
      ]),
    );
  });
});

describe('nullable values', () => {
  function app() {
    const app = quietApp();
    app.post(
      '/events',
      {
        body: t.Object({
          day: t.Union([t.String({ format: 'date' }), t.Null()]),
          count: t.Optional(t.Union([t.Null(), t.Integer({ minimum: 1 })])),
          level: t.Optional(t.Union([t.Union([t.Literal('low'), t.Literal('high')]), t.Null()])),
          tags: t.Optional(t.Array(t.Union([t.String({ maxLength: 3 }), t.Null()]))),
        }),
      },
      (ctx) => ctx.body,
    );
    return app;
  }

  test("a nullable value that is not null gets its own type's error, as pydantic's Optional does", async () => {
    const res = await testClient(app()).post('/events', {
      json: { day: '2023-02-30', count: 0, level: 'mid', tags: ['ok', null, 'long'] },
    });
    assert.deepEqual(
      res.json(),
      invalid([
        { loc: ['body', 'day'], msg: 'Input should be a valid date', type: 'format' },
        {
          loc: ['body', 'count'],
          msg: 'Input should be greater than or equal to 1',
          type: 'greater_than_equal',
        },
        { loc: ['body', 'level'], msg: 'Input should be "low" or "high"', type: 'literal_error' },
        { loc: ['body', 'tags', 2], msg: 'String should have at most 3 characters', type: 'string_too_long' },
      ]),
    );
    const ok = await testClient(app()).post('/events', { json: { day: null, count: null, level: null } });
    assert.equal(ok.status, 200);
  });
});

describe('nested locations', () => {
  test('errors in nested objects and arrays carry the property names and indices', async () => {
    const app = quietApp();
    app.post(
      '/orders',
      {
        body: t.Object({
          customer: t.Object({ name: t.String({ minLength: 1 }), address: t.Object({ zip: t.String() }) }),
          lines: t.Array(t.Object({ sku: t.String(), quantity: t.Integer({ minimum: 1 }) }), { minItems: 1 }),
        }),
      },
      () => ({ ok: true }),
    );
    const res = await testClient(app).post('/orders', {
      json: {
        customer: { name: '', address: {} },
        lines: [{ sku: 'a', quantity: 1 }, { sku: 'b', quantity: 0 }, { quantity: 2 }],
      },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(
      res.json(),
      invalid([
        {
          loc: ['body', 'customer', 'name'],
          msg: 'String should have at least 1 character',
          type: 'string_too_short',
        },
        { loc: ['body', 'customer', 'address', 'zip'], msg: 'Field required', type: 'missing' },
        {
          loc: ['body', 'lines', 1, 'quantity'],
          msg: 'Input should be greater than or equal to 1',
          type: 'greater_than_equal',
        },
        { loc: ['body', 'lines', 2, 'sku'], msg: 'Field required', type: 'missing' },
      ]),
    );
  });

  test('errors follow the order the schema declares the fields, missing or not', async () => {
    const app = quietApp();
    app.post(
      '/order',
      {
        body: t.Object({
          sku: t.String(),
          quantity: t.Integer(),
          address: t.Object({ street: t.String(), zip: t.String() }),
          notes: t.Array(t.String(), { maxItems: 1 }),
        }),
      },
      () => ({}),
    );
    const res = await testClient(app).post('/order', {
      json: { notes: ['a', 2], address: { zip: 5 }, sku: 1 },
    });
    assert.deepEqual(
      res.json(),
      invalid([
        { loc: ['body', 'sku'], msg: 'Input should be a valid string', type: 'string_type' },
        { loc: ['body', 'quantity'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'address', 'street'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'address', 'zip'], msg: 'Input should be a valid string', type: 'string_type' },
        { loc: ['body', 'notes'], msg: 'List should have at most 1 item', type: 'too_long' },
        { loc: ['body', 'notes', 1], msg: 'Input should be a valid string', type: 'string_type' },
      ]),
    );
  });

  test('an empty array below minItems is a too_short error', async () => {
    const app = quietApp();
    app.post(
      '/tags',
      { body: t.Object({ tags: t.Array(t.String(), { minItems: 1, maxItems: 2 }) }) },
      () => ({}),
    );
    const client = testClient(app);
    assert.deepEqual(
      (await client.post('/tags', { json: { tags: [] } })).json(),
      invalid([{ loc: ['body', 'tags'], msg: 'List should have at least 1 item', type: 'too_short' }]),
    );
    assert.deepEqual(
      (await client.post('/tags', { json: { tags: ['a', 'b', 'c'] } })).json(),
      invalid([{ loc: ['body', 'tags'], msg: 'List should have at most 2 items', type: 'too_long' }]),
    );
  });
});

describe('response serialization', () => {
  const User = t.Object({ id: t.Integer(), name: t.String() });
  const user = { id: 1, name: 'Ada', password: 'hunter2', profile: { secret: 'x' } };

  test('undeclared properties never leak from a 200', async () => {
    const app = quietApp();
    app.get('/me', { response: { 200: User } }, () => user as never);
    const res = await testClient(app).get('/me');
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"id":1,"name":"Ada"}');
  });

  test('undeclared properties never leak from another declared status', async () => {
    const app = quietApp();
    app.post('/users', { status: 201, response: { 201: User } }, () => user as never);
    app.post('/users-ctx', { response: { 200: User, 202: User } }, (ctx) => {
      ctx.status(202);
      return user as never;
    });
    const client = testClient(app);
    const created = await client.post('/users');
    assert.equal(created.status, 201);
    assert.equal(created.text, '{"id":1,"name":"Ada"}');
    const accepted = await client.post('/users-ctx');
    assert.equal(accepted.status, 202);
    assert.equal(accepted.text, '{"id":1,"name":"Ada"}');
  });

  test('undeclared properties are dropped in nested objects and arrays', async () => {
    const app = quietApp();
    app.get(
      '/team',
      { response: { 200: t.Object({ members: t.Array(User), lead: User }) } },
      () => ({ members: [user, user], lead: user, budget: 10 }) as never,
    );
    const res = await testClient(app).get('/team');
    assert.deepEqual(res.json(), {
      members: [
        { id: 1, name: 'Ada' },
        { id: 1, name: 'Ada' },
      ],
      lead: { id: 1, name: 'Ada' },
    });
    assert.ok(!res.text.includes('hunter2'));
  });
});
