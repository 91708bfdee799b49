/**
 * Input limits: the JSON array length limit (in the same scan as the depth limit), HTML form
 * bodies (repeated keys, field limit, coercion to the route's schema), and prototype pollution
 * through JSON, query strings and forms — never polluted, never a 500.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jsonLimitExceeded } from '../../src/http/json-body.ts';
import { t } from '../../src/openapi/t.ts';
import { parseForm } from '../../src/security/form-body.ts';
import { testClient } from '../../src/testing/index.ts';
import { quietApp } from './support.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const FORM_OR_JSON = ['application/x-www-form-urlencoded', 'application/json'];

function echoApp(options: Parameters<typeof quietApp>[0] = {}) {
  const app = quietApp(options);
  app.post('/echo', { body: t.Any(), bodyTypes: FORM_OR_JSON }, (ctx) => ({
    body: ctx.body,
    proto: Object.getPrototypeOf(ctx.body) === null ? 'null' : 'object',
  }));
  app.get('/query', {}, (ctx) => ({ query: ctx.query }));
  return app;
}

function assertClean(): void {
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'isAdmin', 'x'])
    assert.equal(probe[key], undefined, `Object.prototype.${key}`);
}

describe('JSON array length', () => {
  test('the scan finds the first array past the limit, at any depth, ignoring commas in strings', () => {
    const limits = { maxDepth: 64, maxArrayLength: 3 };
    assert.equal(jsonLimitExceeded('[1,2,3]', limits), undefined);
    assert.equal(jsonLimitExceeded('[1,2,3,4]', limits), 'array');
    assert.equal(jsonLimitExceeded('{"a":{"b":[1,2,[1,2,3,4]]}}', limits), 'array');
    assert.equal(jsonLimitExceeded('{"a":1,"b":2,"c":3,"d":4,"e":5}', limits), undefined);
    assert.equal(jsonLimitExceeded('["a,b,c,d,e,f"]', limits), undefined);
    assert.equal(jsonLimitExceeded('[[1,2],[3,4],[5,6]]', limits), undefined);
    assert.equal(jsonLimitExceeded('[[[[1]]]]', { maxDepth: 3, maxArrayLength: 10 }), 'depth');
    // Escaped quotes and backslashes do not end a string early.
    const shallow = { maxDepth: 2, maxArrayLength: 10 };
    assert.equal(jsonLimitExceeded('["\\"[[[[", "\\\\", "[[[[", "\\u0022[["]', shallow), undefined);
    assert.equal(jsonLimitExceeded('["\\\\"[[[]]]]', shallow), 'depth');
  });

  test('an array longer than JSON_MAX_ARRAY_LENGTH is a 400 naming the limit', async () => {
    const client = testClient(echoApp());
    const ok = await client.post('/echo', { json: { items: Array.from({ length: 10_000 }, () => 0) } });
    assert.equal(ok.status, 200);
    const res = await client.post('/echo', { json: { items: Array.from({ length: 10_001 }, () => 0) } });
    assert.equal(res.status, 400);
    assert.equal(
      res.json<{ detail: string }>().detail,
      'The JSON body has an array of more than 10000 elements (JSON_MAX_ARRAY_LENGTH).',
    );
    const small = testClient(echoApp({ jsonMaxArrayLength: 2 }));
    assert.equal((await small.post('/echo', { json: [1, 2, 3] })).status, 400);
    assert.equal((await small.post('/echo', { json: [1, 2] })).status, 200);
  });

  test('oversized and deeply nested bodies are 413 and 400', async () => {
    const client = testClient(echoApp({ bodyLimit: 1000 }));
    assert.equal((await client.post('/echo', { json: { pad: 'x'.repeat(2000) } })).status, 413);
    assert.equal((await client.post('/echo', { body: 'a='.padEnd(2000, 'x'), headers: FORM })).status, 413);
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    const res = await client.post('/echo', { body: deep, headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
  });
});

describe('form bodies', () => {
  test('a form is a plain object; repeated keys become arrays; + and %XX are decoded', () => {
    assert.deepEqual(parseForm('grant_type=password&scope=a&scope=b&scope=c&name=Ada+L%C3%B6w&empty='), {
      grant_type: 'password',
      scope: ['a', 'b', 'c'],
      name: 'Ada Löw',
      empty: '',
    });
    assert.deepEqual(parseForm(''), {});
    assert.equal(Object.getPrototypeOf(parseForm('a=1')), Object.prototype);
  });

  test('more than 1000 fields is a 400', async () => {
    const client = testClient(echoApp());
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `f${i}=1`).join('&');
    assert.equal((await client.post('/echo', { body: fields(1000), headers: FORM })).status, 200);
    const res = await client.post('/echo', { body: fields(1001), headers: FORM });
    assert.equal(res.status, 400);
    assert.equal(res.json<{ detail: string }>().detail, 'The form has more than 1000 fields.');
  });

  test("values are coerced to the route's body schema and validated like JSON", async () => {
    const app = quietApp();
    app.post(
      '/token',
      {
        bodyTypes: FORM_OR_JSON,
        body: t.Object({
          grant_type: t.Literal('password'),
          attempts: t.Integer({ minimum: 1 }),
          remember: t.Boolean(),
          scope: t.Array(t.String()),
        }),
      },
      (ctx) => ctx.body,
    );
    const client = testClient(app);
    const ok = await client.post('/token', {
      body: 'grant_type=password&attempts=3&remember=true&scope=read',
      headers: FORM,
    });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json(), { grant_type: 'password', attempts: 3, remember: true, scope: ['read'] });
    const bad = await client.post('/token', {
      body: 'grant_type=code&attempts=zero&remember=true&scope=a&scope=b',
      headers: FORM,
    });
    assert.equal(bad.status, 422);
    const locs = bad.json<{ errors: Array<{ loc: unknown[] }> }>().errors.map((e) => e.loc.join('.'));
    assert.ok(locs.includes('body.grant_type') && locs.includes('body.attempts'), locs.join(', '));
  });
});

describe('prototype pollution', () => {
  test('JSON with __proto__ or constructor.prototype is a 400, never polluting', async () => {
    const client = testClient(echoApp());
    for (const body of [
      '{"__proto__":{"polluted":true}}',
      '{"a":{"__proto__":{"isAdmin":true}}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '[{"__proto__":{"x":1}}]',
      '{"\\u005f_proto__":{"polluted":true}}',
    ]) {
      const res = await client.post('/echo', { body, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400, body);
      assertClean();
    }
  });

  test('form keys __proto__, constructor and prototype are a 400, never polluting', async () => {
    const client = testClient(echoApp());
    for (const body of [
      '__proto__=1',
      '__proto__[polluted]=1',
      'constructor=x',
      'prototype=x',
      '%5F%5Fproto%5F%5F=1',
      'a=1&__proto__=2',
    ]) {
      const res = await client.post('/echo', { body, headers: FORM });
      if (body === '__proto__[polluted]=1') {
        // Not a special key: the name is the literal "__proto__[polluted]".
        assert.equal(res.status, 200, body);
        assert.deepEqual(res.json<{ body: unknown }>().body, { '__proto__[polluted]': '1' });
      } else {
        assert.equal(res.status, 400, body);
        assert.match(res.json<{ detail: string }>().detail, /is not accepted/);
      }
      assertClean();
    }
  });

  test('query strings with __proto__ never pollute and never give a 500', async () => {
    const client = testClient(echoApp());
    for (const query of [
      '__proto__=1',
      '__proto__[polluted]=1',
      '__proto__.polluted=1',
      'constructor[prototype][polluted]=1',
      'a[__proto__][isAdmin]=1',
      '%5F%5Fproto%5F%5F=x',
    ]) {
      const res = await client.get(`/query?${query}`);
      assert.ok(res.status < 500, `${query}: ${res.status}`);
      assertClean();
    }
  });
});
