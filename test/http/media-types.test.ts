/**
 * A route takes a body only in the media types it declares: JSON by default, others where its
 * `bodyTypes` list them. Form, text and multipart bodies (what another site's page can send
 * without a preflight) are a 415 on JSON routes, refused before the body is read. A route
 * without a body takes none, an empty one of any type, or a JSON or form body it ignores.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { t } from '../../src/schema/t.ts';
import { testClient } from '../../src/testing/index.ts';
import { volt } from '../../src/volt.ts';

const FORM = 'application/x-www-form-urlencoded';

function app() {
  const ran: string[] = [];
  const api = volt({ docs: false, logger: false, envFile: false, bodyLimit: 1000 });
  const Note = t.Object({ text: t.String() });
  api.post('/notes', { body: Note }, (ctx) => {
    ran.push('post');
    return ctx.body;
  });
  api.patch('/notes/:id', { body: Note }, (ctx) => {
    ran.push('patch');
    return ctx.body;
  });
  api.put('/notes/:id', { body: Note }, (ctx) => {
    ran.push('put');
    return ctx.body;
  });
  api.post('/login', { bodyTypes: [FORM, 'application/json'], body: Note }, (ctx) => {
    ran.push('login');
    return ctx.body;
  });
  api.post('/logout', { status: 204 }, () => {
    ran.push('logout');
  });
  return { client: testClient(api), ran };
}

const bodies: Array<[string | undefined, string]> = [
  [FORM, 'text=hi'],
  ['text/plain', '{"text":"hi"}'],
  ['text/plain;charset=UTF-8', '{"text":"hi"}'],
  [
    'multipart/form-data; boundary=x',
    '--x\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\r\n--x--\r\n',
  ],
  ['application/xml', '<text>hi</text>'],
  [undefined, '{"text":"hi"}'],
];

describe('a route with a declared body', () => {
  test('takes JSON only: form, text, multipart, other or no type is a 415 naming application/json', async () => {
    const { client, ran } = app();
    for (const [type, body] of bodies) {
      for (const [method, path, header] of [
        ['POST', '/notes', 'accept-post'],
        ['PATCH', '/notes/1', 'accept-patch'],
        ['PUT', '/notes/1', undefined],
      ] as const) {
        const res = await client.request<{ detail: string }>(method, path, {
          body,
          headers: type === undefined ? {} : { 'content-type': type },
        });
        const what = `${method} ${type}`;
        assert.equal(res.status, 415, what);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', what);
        assert.match(res.json().detail, /; send application\/json\.$/, what);
        if (header) assert.equal(res.headers[header], 'application/json', what);
      }
    }
    assert.deepEqual(ran, []);
    const ok = await client.post('/notes', { json: { text: 'hi' } });
    assert.equal(ok.status, 200);
    const withCharset = await client.post('/notes', {
      body: '{"text":"hi"}',
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
    });
    assert.equal(withCharset.status, 200);
  });

  test('the 415 comes before the body is read: a body past the size limit is still a 415', async () => {
    const { client } = app();
    const res = await client.post('/notes', {
      body: 'x'.repeat(5000),
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(res.status, 415);
    assert.equal(res.headers.connection, 'close');
    const json = await client.post('/notes', { json: { text: 'x'.repeat(5000) } });
    assert.equal(json.status, 413);
  });

  test('a route whose bodyTypes list forms takes forms and JSON, and names both otherwise', async () => {
    const { client, ran } = app();
    assert.deepEqual((await client.post('/login', { form: { text: 'a' } })).json(), { text: 'a' });
    assert.deepEqual((await client.post('/login', { json: { text: 'b' } })).json(), { text: 'b' });
    const text = await client.post<{ detail: string }>('/login', {
      body: 'text=c',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(text.status, 415);
    assert.equal(text.headers['accept-post'], `${FORM}, application/json`);
    assert.equal(
      text.json().detail,
      `Content type "text/plain" is not accepted here; send ${FORM} or application/json.`,
    );
    assert.deepEqual(ran, ['login', 'login']);
  });
});

describe('a route without a declared body', () => {
  test('takes an empty body of any type (an HTML form posting to logout), and ignores JSON and forms', async () => {
    const { client, ran } = app();
    for (const headers of [
      {},
      { 'content-type': FORM },
      { 'content-type': 'application/json' },
      { 'content-type': 'text/plain' },
    ]) {
      const res = await client.post('/logout', { headers });
      assert.equal(res.status, 204, JSON.stringify(headers));
    }
    assert.equal((await client.post('/logout', { form: { csrf_token: 'x' } })).status, 204);
    assert.equal((await client.post('/logout', { json: { a: 1 } })).status, 204);
    assert.equal(ran.length, 6);
  });

  test('refuses a non-empty text, multipart or other body with a 415', async () => {
    const { client, ran } = app();
    for (const [type, body] of bodies.filter(([type]) => type !== FORM)) {
      const res = await client.post<{ detail: string }>('/logout', {
        body,
        headers: type === undefined ? {} : { 'content-type': type },
      });
      assert.equal(res.status, 415, type);
      assert.match(res.json().detail, /this route takes no body/, type);
    }
    assert.deepEqual(ran, []);
  });
});
