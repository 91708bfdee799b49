/**
 * Numbers reach a handler as the client wrote them, or not at all: text (path, query, headers,
 * cookies, form fields) converts to an integer, number or boolean only in its canonical form,
 * JSON numbers a double cannot hold are refused anywhere, and integers stay within the range
 * where JavaScript numbers are exact. Each refusal is a 422 naming the parameter.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { t } from '../../src/openapi/t.ts';
import { testClient } from '../../src/testing/index.ts';
import { volt } from '../../src/volt.ts';

interface Problem {
  errors?: Array<{ loc: Array<string | number>; msg: string; type: string }>;
}

const MAX = Number.MAX_SAFE_INTEGER;

function app() {
  const seen: unknown[] = [];
  const api = volt({ logger: false, envFile: false });
  api.get(
    '/users/:id',
    {
      params: t.Object({ id: t.Integer() }),
      query: t.Object({
        offset: t.Optional(t.Integer({ minimum: 0 })),
        ratio: t.Optional(t.Number()),
        flag: t.Optional(t.Boolean()),
        ids: t.Optional(t.Array(t.Integer())),
        limit: t.Optional(t.Union([t.Integer(), t.Literal('all')])),
      }),
      headers: t.Object({ 'x-count': t.Optional(t.Integer()) }),
      cookies: t.Object({ page: t.Optional(t.Integer()) }),
    },
    (ctx) => {
      seen.push(ctx.params.id);
      return { id: ctx.params.id, query: ctx.query, count: ctx.headers['x-count'] ?? null };
    },
  );
  api.post(
    '/items',
    {
      body: t.Object({
        price: t.Number(),
        stock: t.Optional(t.Integer()),
        small: t.Optional(t.Integer({ minimum: 0, maximum: 10 })),
        extra: t.Optional(t.Any()),
      }),
    },
    (ctx) => {
      seen.push(ctx.body);
      return ctx.body;
    },
  );
  api.post(
    '/forms',
    {
      bodyTypes: ['application/x-www-form-urlencoded'],
      body: t.Object({ n: t.Integer(), on: t.Optional(t.Boolean()) }),
    },
    (ctx) => ctx.body,
  );
  return { api, client: testClient(api), seen };
}

async function errorsOf(res: { status: number; text: string; json<U>(): U }) {
  assert.equal(res.status, 422, res.text);
  return res.json<Problem>().errors?.map((e) => [e.loc.join('.'), e.type]);
}

describe('integers, numbers and booleans from text', () => {
  test('an integer path parameter is only 0|-?[1-9][0-9]* within ±(2^53 − 1)', async () => {
    const { client, seen } = app();
    for (const id of [
      '1e309',
      '-1e309',
      '3.0',
      '0x3',
      '+3',
      '%203',
      '3%20',
      '03',
      '1e3',
      'NaN',
      'Infinity',
      '',
      '%20',
    ]) {
      const res = await client.get(`/users/${id}`);
      assert.deepEqual(await errorsOf(res), [['path.id', 'integer_type']], id);
    }
    for (const id of ['99999999999999999999999', '9007199254740992', '-9007199254740992']) {
      const res = await client.get(`/users/${id}`);
      const [error] = (await errorsOf(res)) ?? [];
      assert.equal(error?.[0], 'path.id', id);
      assert.match(String(error?.[1]), /^(less|greater)_than_equal$/, id);
    }
    assert.equal(seen.length, 0);
    for (const [id, value] of [
      ['3', 3],
      ['-3', -3],
      ['0', 0],
      [String(MAX), MAX],
      [String(-MAX), -MAX],
    ] as const) {
      const res = await client.get<{ id: number }>(`/users/${id}`);
      assert.equal(res.status, 200, id);
      assert.equal(res.json().id, value);
    }
  });

  test('-0 is no canonical integer: a 422 in a path, query, header or cookie, never 0', async () => {
    const { client, seen } = app();
    assert.deepEqual(await errorsOf(await client.get('/users/-0')), [['path.id', 'integer_type']]);
    assert.deepEqual(await errorsOf(await client.get('/users/1?offset=-0')), [
      ['query.offset', 'integer_type'],
    ]);
    assert.deepEqual(await errorsOf(await client.get('/users/1?ids=1&ids=-0')), [
      ['query.ids.1', 'integer_type'],
    ]);
    const header = await client.get('/users/1', { headers: { 'x-count': '-0' } });
    assert.deepEqual(await errorsOf(header), [['header.x-count', 'integer_type']]);
    const cookie = await client.get('/users/1', { headers: { cookie: 'page=-0' } });
    assert.deepEqual(await errorsOf(cookie), [['cookie.page', 'integer_type']]);
    const form = await client.post('/forms', { form: { n: '-0' } });
    assert.deepEqual(await errorsOf(form), [['body.n', 'integer_type']]);
    assert.equal(seen.length, 0);
    assert.equal((await client.get<{ id: number }>('/users/0')).json().id, 0);
    assert.equal((await client.get<{ id: number }>('/users/-10')).json().id, -10);
  });

  test('query, header and cookie numbers: blank, padded, hex, non-finite are a 422 naming the parameter', async () => {
    const { client, seen } = app();
    for (const offset of ['', '%20', '+1', '1.0', '1e20', '0x10', 'NaN']) {
      const res = await client.get(`/users/1?offset=${offset}`);
      assert.deepEqual(await errorsOf(res), [['query.offset', 'integer_type']], offset);
    }
    const huge = await client.get('/users/1?offset=100000000000000000000');
    assert.deepEqual(await errorsOf(huge), [['query.offset', 'less_than_equal']]);
    for (const ratio of ['1e309', '-1e309', 'Infinity', '.5', '5.', '1,5', ' 1']) {
      const res = await client.get(`/users/1?ratio=${encodeURIComponent(ratio)}`);
      assert.deepEqual(await errorsOf(res), [['query.ratio', 'number_type']], ratio);
    }
    const header = await client.get('/users/1', { headers: { 'x-count': ' 3' } });
    assert.deepEqual(await errorsOf(header), [['header.x-count', 'integer_type']]);
    const cookie = await client.get('/users/1', { headers: { cookie: 'page=0x2' } });
    assert.deepEqual(await errorsOf(cookie), [['cookie.page', 'integer_type']]);
    const items = await client.get('/users/1?ids=1&ids=2.0');
    assert.deepEqual(await errorsOf(items), [['query.ids.1', 'integer_type']]);
    assert.equal(seen.length, 0);
    const ok = await client.get<{ query: unknown; count: number }>(
      '/users/1?offset=20&ratio=-1.5e3&ids=7&limit=all',
      { headers: { 'x-count': '3', cookie: 'page=2' } },
    );
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json(), {
      id: 1,
      query: { offset: 20, ratio: -1500, ids: [7], limit: 'all' },
      count: 3,
    });
    const number = await client.get<{ query: unknown }>('/users/1?limit=5');
    assert.deepEqual(number.json().query, { limit: 5 });
  });

  test('booleans are read as FastAPI reads them: true/false, 1/0, yes/no, on/off, t/f, y/n', async () => {
    const { client } = app();
    for (const [text, value] of [
      ['true', true],
      ['True', true],
      ['1', true],
      ['yes', true],
      ['on', true],
      ['t', true],
      ['Y', true],
      ['false', false],
      ['0', false],
      ['no', false],
      ['OFF', false],
      ['f', false],
      ['n', false],
    ] as const) {
      const res = await client.get<{ query: { flag: boolean } }>(`/users/1?flag=${text}`);
      assert.equal(res.status, 200, text);
      assert.equal(res.json().query.flag, value, text);
    }
    for (const text of ['', '2', 'tru', 'null', ' true', 'yess']) {
      const res = await client.get(`/users/1?flag=${encodeURIComponent(text)}`);
      assert.deepEqual(await errorsOf(res), [['query.flag', 'boolean_type']], text);
    }
  });

  test('form fields convert as strictly; a checked checkbox (on) is true', async () => {
    const { client } = app();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const ok = await client.post('/forms', { body: 'n=3&on=on', headers: form });
    assert.deepEqual(ok.json(), { n: 3, on: true });
    for (const n of ['3.0', '+3', '%203', '']) {
      const res = await client.post('/forms', { body: `n=${n}`, headers: form });
      assert.deepEqual(await errorsOf(res), [['body.n', 'integer_type']], n);
    }
  });
});

describe('JSON numbers', () => {
  test('a number a double cannot hold (1e400) is a 422 wherever it is, never Infinity', async () => {
    const { client, seen } = app();
    const json = { 'content-type': 'application/json' };
    const cases: Array<[string, string]> = [
      ['{"price":1e400}', 'body.price'],
      ['{"price":-1E+400}', 'body.price'],
      ['{"price":1,"extra":[1,{"a":2e999}]}', 'body.extra.1.a'],
      [`{"price":${'9'.repeat(400)}}`, 'body.price'],
      [`{"price":1,"extra":${'9'.repeat(309)}.5}`, 'body.extra'],
    ];
    for (const [body, loc] of cases) {
      const res = await client.post('/items', { body, headers: json });
      assert.deepEqual(await errorsOf(res), [[loc, 'finite_number']], body.slice(0, 40));
    }
    const top = await client.post('/items', { body: '1e400', headers: json });
    assert.equal(top.status, 422);
    assert.equal(seen.length, 0);
    // Large but finite numbers, and exponents, are fine.
    const ok = await client.post('/items', {
      body: '{"price":1.5e308,"extra":[1e-300,true,false]}',
      headers: json,
    });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json(), { price: 1.5e308, extra: [1e-300, true, false] });
  });

  test('a literal of 309 digits or more without an exponent that overflows is a 422 too, in arrays and objects', async () => {
    const { client, seen } = app();
    const json = { 'content-type': 'application/json' };
    // 2·10^308 has 309 digits and no exponent: past Number.MAX_VALUE (1.79…·10^308).
    const big = `2${'0'.repeat(308)}`;
    const cases: Array<[string, string]> = [
      [`{"price":1${'0'.repeat(309)}}`, 'body.price'],
      [`{"price":${big}}`, 'body.price'],
      [`{"price":-${big}}`, 'body.price'],
      [`{"price":1,"extra":[${big}]}`, 'body.extra.0'],
      [`{"price":1,"extra":[1,${big}]}`, 'body.extra.1'],
      [`{"price":1,"extra":[1,${big},2]}`, 'body.extra.1'],
      [`{"price":1,"extra":{"a":[{"b":${big}.25}]}}`, 'body.extra.a.0.b'],
      [`{"price":1,"extra":[${'1'.repeat(200)}.${'0'.repeat(120)}e200]}`, 'body.extra.0'],
      [`{"price":1,"stock":${big}}`, 'body.stock'],
    ];
    for (const [body, loc] of cases) {
      const res = await client.post('/items', { body, headers: json });
      const errors = await errorsOf(res);
      assert.deepEqual(errors?.[0], [loc, 'finite_number'], body.slice(0, 40));
    }
    for (const body of [`[${big}]`, big, `-${big}`, ` ${big} `])
      assert.equal((await client.post('/items', { body, headers: json })).status, 422, body.slice(0, 5));
    assert.equal(seen.length, 0);
    // The largest 309-digit integers a double holds, and long decimals, are numbers.
    const max = `17976931348623157${'0'.repeat(292)}`;
    const ok = await client.post('/items', {
      body: `{"price":${max},"extra":[${max},0.${'1'.repeat(400)}]}`,
      headers: json,
    });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json(), { price: Number(max), extra: [Number(max), 0.1111111111111111] });
    // An integer field written as a long digit string past 2^53 is a 422 on its bounds.
    const long = await client.post('/items', {
      body: `{"price":1,"stock":${'9'.repeat(300)}}`,
      headers: json,
    });
    assert.deepEqual(await errorsOf(long), [['body.stock', 'less_than_equal']]);
  });

  test('an integer field past ±(2^53 − 1) is a 422; its own bounds still apply', async () => {
    const { client } = app();
    for (const stock of ['9007199254740992', '99999999999999999999', '-9007199254740993', '1e20']) {
      const res = await client.post('/items', {
        body: `{"price":1,"stock":${stock}}`,
        headers: { 'content-type': 'application/json' },
      });
      const [error] = (await errorsOf(res)) ?? [];
      assert.equal(error?.[0], 'body.stock', stock);
    }
    const max = await client.post('/items', { json: { price: 1, stock: MAX } });
    assert.deepEqual(max.json(), { price: 1, stock: MAX });
    const small = await client.post('/items', { json: { price: 1, small: 11 } });
    assert.deepEqual(await errorsOf(small), [['body.small', 'less_than_equal']]);
    // A number field takes large values (a double is what was asked for).
    const price = await client.post('/items', { json: { price: 1e20 } });
    assert.equal(price.status, 200);
  });

  test('the safe-integer bounds are for validation only: the OpenAPI document shows the declared schema', async () => {
    const { client } = app();
    const doc = await client.get<{ paths: Record<string, any> }>('/openapi.json');
    const id = doc.json().paths['/users/{id}'].get.parameters.find((p: { name: string }) => p.name === 'id');
    assert.deepEqual(id.schema, { type: 'integer' });
  });
});
