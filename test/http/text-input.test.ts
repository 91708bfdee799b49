/**
 * Text a database cannot hold, or that would change on the way in: NUL characters are a 422 on
 * their field wherever a string comes from (JSON at any depth, forms, query, path, headers,
 * cookies); bytes that are not UTF-8 (in a body, or percent-encoded in a query, path or form)
 * and lone surrogates are refused — never replaced with U+FFFD, never stored, never handed to a
 * handler.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { t } from '../../src/openapi/t.ts';
import { testClient } from '../../src/testing/index.ts';
import { volt as voltApp } from '../../src/volt.ts';
import { forEachDialect, serialKey } from '../orm/support.ts';

interface Problem {
  status: number;
  detail?: string;
  errors?: Array<{ loc: Array<string | number>; msg: string; type: string }>;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };
const NUL = 'null_characters_not_allowed';

/** An app whose routes count the requests that reached a handler. */
function app() {
  const seen: unknown[] = [];
  const volt = voltApp({ docs: false, logger: false, envFile: false });
  const Item = t.Object({
    name: t.String(),
    tags: t.Optional(t.Array(t.String())),
    meta: t.Optional(t.Record(t.String(), t.Any())),
  });
  volt.post('/items', { body: Item }, (ctx) => {
    seen.push(ctx.body);
    return ctx.body;
  });
  volt.post('/any', { body: t.Any() }, (ctx) => {
    seen.push(ctx.body);
    return { ok: true };
  });
  volt.post(
    '/form',
    { bodyTypes: ['application/x-www-form-urlencoded'], body: t.Object({ name: t.String() }) },
    (ctx) => {
      seen.push(ctx.body);
      return ctx.body;
    },
  );
  volt.post('/text', { bodyTypes: ['text/plain'], body: t.String() }, (ctx) => {
    seen.push(ctx.body);
    return { text: ctx.body };
  });
  volt.get(
    '/search',
    {
      query: t.Object({ search: t.Optional(t.String()) }),
      headers: t.Object({ 'x-thing': t.Optional(t.String()) }),
      cookies: t.Object({ theme: t.Optional(t.String()) }),
    },
    (ctx) => {
      seen.push(ctx.query);
      return { search: ctx.query.search ?? null };
    },
  );
  volt.get('/raw', (ctx) => {
    seen.push(ctx.query);
    return ctx.query;
  });
  volt.get('/slugs/:slug', { params: t.Object({ slug: t.String() }) }, (ctx) => {
    seen.push(ctx.params);
    return ctx.params;
  });
  volt.get('/pages/:slug', (ctx) => {
    seen.push(ctx.params);
    return ctx.params;
  });
  return { app: volt, client: testClient(volt), seen };
}

describe('NUL characters', () => {
  test('in a JSON body, at any depth and in keys, are a 422 on the field; the handler never runs', async () => {
    const { client, seen } = app();
    const cases: Array<[unknown, Array<string | number>]> = [
      [{ name: 'a\u0000b' }, ['body', 'name']],
      [{ name: 'ok', tags: ['x', '\u0000'] }, ['body', 'tags', 1]],
      [{ name: 'ok', meta: { deep: [{ deeper: '\u0000' }] } }, ['body', 'meta', 'deep', 0, 'deeper']],
      [{ name: 'ok', meta: { 'k\u0000': 1 } }, ['body', 'meta', 'k\u0000']],
    ];
    for (const [json, loc] of cases) {
      const res = await client.post<Problem>('/items', { json });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.json().errors, [
        { loc, msg: 'String should not contain null characters (U+0000)', type: NUL },
      ]);
    }
    const anything = await client.post<Problem>('/any', { json: [['\u0000']] });
    assert.equal(anything.status, 422);
    assert.deepEqual(anything.json().errors?.[0]?.loc, ['body', 0, 0]);
    // The escape `\\u0000` as text (a backslash, then u0000) is not a NUL.
    const escaped = await client.post('/items', { json: { name: '\\u0000' } });
    assert.equal(escaped.status, 200);
    assert.equal(seen.length, 1);
  });

  test('in a form, a query, a path, a declared header or cookie, they are a 422 on the field', async () => {
    const { client, seen } = app();
    const form = await client.post<Problem>('/form', { body: 'name=a%00b', headers: FORM_TYPE });
    assert.equal(form.status, 422);
    assert.deepEqual(form.json().errors?.[0]?.loc, ['body', 'name']);
    const query = await client.get<Problem>('/search?search=%00');
    assert.equal(query.status, 422);
    assert.deepEqual(query.json().errors?.[0], {
      loc: ['query', 'search'],
      msg: 'String should not contain null characters (U+0000)',
      type: NUL,
    });
    const raw = await client.get<Problem>('/raw?q=a%00');
    assert.equal(raw.status, 422);
    assert.deepEqual(raw.json().errors?.[0]?.loc, ['query', 'q']);
    for (const path of ['/slugs/a%00b', '/pages/a%00b']) {
      const res = await client.get<Problem>(path);
      assert.equal(res.status, 422, path);
      assert.deepEqual(res.json().errors?.[0]?.loc, ['path', 'slug']);
    }
    const header = await client.get<Problem>('/search', { headers: { 'x-thing': 'a\u0000b' } });
    assert.equal(header.status, 422);
    assert.deepEqual(header.json().errors?.[0]?.loc, ['header', 'x-thing']);
    const cookie = await client.get<Problem>('/search', { headers: { cookie: 'theme=a%00b' } });
    assert.equal(cookie.status, 422);
    assert.deepEqual(cookie.json().errors?.[0]?.loc, ['cookie', 'theme']);
    assert.equal(seen.length, 0);
  });

  test('in a text/plain body, they are a 422 on the body; the handler never runs', async () => {
    const { client, seen } = app();
    for (const body of ['a\u0000b', '\u0000', Buffer.from([0x61, 0x00])]) {
      const res = await client.post<Problem>('/text', { body, headers: { 'content-type': 'text/plain' } });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.json().errors, [
        { loc: ['body'], msg: 'String should not contain null characters (U+0000)', type: NUL },
      ]);
    }
    assert.equal(seen.length, 0);
    const ok = await client.post('/text', { body: 'a\\u0000', headers: { 'content-type': 'text/plain' } });
    assert.deepEqual(ok.json(), { text: 'a\\u0000' });
  });

  forEachDialect((dialect, open) => {
    test(`${dialect}: a NUL in a body or a search is a 422 and nothing is stored or searched`, async (context) => {
      const db = await open();
      context.after(() => db.close());
      await db.run(`create table notes (id ${serialKey(dialect)}, title text not null)`);
      const place = dialect === 'sqlite' ? '?' : '$1';
      const volt = voltApp({ docs: false, logger: false, envFile: false });
      volt.post('/notes', { body: t.Object({ title: t.String() }), status: 201 }, async (ctx) => {
        await db.run(`insert into notes (title) values (${place})`, [ctx.body.title]);
        return { ok: true };
      });
      volt.get('/notes', { query: t.Object({ search: t.String() }) }, async (ctx) =>
        db.all(`select title from notes where title like ${place}`, [`%${ctx.query.search}%`]),
      );
      const client = testClient(volt);
      assert.equal((await client.post('/notes', { json: { title: 'kept' } })).status, 201);
      const stored = await client.post('/notes', { json: { title: 'a\u0000b' } });
      assert.equal(stored.status, 422, stored.text);
      const search = await client.get('/notes?search=%00');
      assert.equal(search.status, 422, search.text);
      assert.deepEqual(
        (await db.all<{ title: string }>('select title from notes')).map((row) => row.title),
        ['kept'],
      );
    });
  });
});

describe('bytes that are not UTF-8', () => {
  const invalid = {
    'an overlong encoding (C0 AE)': [0xc0, 0xae],
    'a lone continuation byte (80)': [0x80],
    'a truncated sequence (E2 82)': [0xe2, 0x82],
    'an encoded surrogate (ED A0 80)': [0xed, 0xa0, 0x80],
    'a Latin-1 byte (E9)': [0xe9],
  };

  test('in a JSON, form or text body are a 400, never replaced with U+FFFD', async () => {
    const { client, seen } = app();
    for (const [what, bytes] of Object.entries(invalid)) {
      const json = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from(bytes), Buffer.from('"}')]);
      const res = await client.post<Problem>('/items', { body: json, headers: JSON_TYPE });
      assert.equal(res.status, 400, what);
      assert.equal(res.json().detail, 'The request body is not valid UTF-8.');
      const form = Buffer.concat([Buffer.from('name=a'), Buffer.from(bytes)]);
      assert.equal((await client.post('/form', { body: form, headers: FORM_TYPE })).status, 400, what);
      const text = Buffer.from(bytes);
      assert.equal(
        (await client.post('/text', { body: text, headers: { 'content-type': 'text/plain' } })).status,
        400,
        what,
      );
    }
    assert.equal(seen.length, 0);
    // The same bodies with valid UTF-8 reach the handler byte for byte.
    const ok = await client.post('/items', { body: Buffer.from('{"name":"café 🚀"}'), headers: JSON_TYPE });
    assert.deepEqual(ok.json(), { name: 'café 🚀' });
    const text = await client.post('/text', {
      body: Buffer.from('café 🚀'),
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
    assert.deepEqual(text.json(), { text: 'café 🚀' });
  });

  test('percent-encoded in a form, a query or a path are a 400 naming the part', async () => {
    const { client, seen } = app();
    for (const bad of ['%C0%AE', '%80', '%E2%82', '%ED%A0%80', '%E9', '%FF', '%', '%zz']) {
      const form = await client.post<Problem>('/form', { body: `name=a${bad}`, headers: FORM_TYPE });
      assert.equal(form.status, 400, `form ${bad}`);
      assert.match(form.json().detail ?? '', /^The form is not valid/);
      for (const path of [`/search?search=a${bad}`, `/raw?q${bad}=1`]) {
        const query = await client.get<Problem>(path);
        assert.equal(query.status, 400, path);
        assert.match(query.json().detail ?? '', /^The query string is not valid/);
      }
      const route = await client.get<Problem>(`/slugs/a${bad}`);
      assert.equal(route.status, 400, `path ${bad}`);
      assert.equal(route.json().detail, 'The URL is not valid.');
    }
    assert.equal(seen.length, 0);
    // Valid escapes decode as before; so do repeated keys, keys without a value, and `+`.
    const ok = await client.get('/search?search=caf%C3%A9+au+lait');
    assert.deepEqual(ok.json(), { search: 'café au lait' });
    const raw = await client.get('/raw?a=1&a=2&b&c=&d+e=f+g&h=i=j&%5F%5Fproto%5F%5F=k');
    assert.deepEqual(raw.json(), { a: ['1', '2'], b: '', c: '', 'd e': 'f g', h: 'i=j', ['__proto__']: 'k' });
  });
});

describe('declared header parameters', () => {
  test('take ASCII only: a byte past 0x7E in a declared header is a 422 naming it', async () => {
    const { client, seen } = app();
    for (const value of ['caf\u00e9', 'caf\u00c3\u00a9', '\u00ff', 'a\u0080']) {
      const res = await client.get<Problem>('/search', { headers: { 'x-thing': value } });
      assert.equal(res.status, 422, value);
      assert.deepEqual(res.json().errors, [
        { loc: ['header', 'x-thing'], msg: 'Header value should be ASCII text', type: 'string_ascii' },
      ]);
      assert.doesNotMatch(res.text, /caf/);
    }
    assert.equal(seen.length, 0);
    // Printable ASCII, tabs and spaces inside are text; an undeclared header is not looked at.
    const ok = await client.get('/search', { headers: { 'x-thing': 'a b\t~!', 'x-other': 'caf\u00e9' } });
    assert.equal(ok.status, 200, ok.text);
  });
});

describe('lone surrogates', () => {
  test('in a JSON string or key are a 422 on the field; a surrogate pair is text', async () => {
    const { client, seen } = app();
    const cases: Array<[string, Array<string | number>]> = [
      ['{"name":"\\ud800"}', ['body', 'name']],
      ['{"name":"\\uDC00"}', ['body', 'name']],
      ['{"name":"a\\ud83dx"}', ['body', 'name']],
      ['{"name":"\\ud83d\\ud83d"}', ['body', 'name']],
      ['{"name":"\\ude00\\ud83d"}', ['body', 'name']],
      ['{"name":"ok","tags":["\\udfff"]}', ['body', 'tags', 0]],
      ['{"name":"ok","meta":{"\\ud800":1}}', ['body', 'meta', '\ud800']],
    ];
    for (const [body, loc] of cases) {
      const res = await client.post<Problem>('/items', { body, headers: JSON_TYPE });
      assert.equal(res.status, 422, body);
      assert.deepEqual(
        res.json().errors?.map((e) => [e.loc, e.type]),
        [[loc, 'string_unicode']],
        body,
      );
    }
    assert.equal(seen.length, 0);
    const pair = await client.post('/items', {
      body: '{"name":"\\ud83d\\ude80\\uD83D\\uDE80"}',
      headers: JSON_TYPE,
    });
    assert.equal(pair.status, 200);
    assert.deepEqual(pair.json(), { name: '🚀🚀' });
  });
});
