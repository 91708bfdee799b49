/**
 * A route takes a body only in the media types it declares: JSON by default, others where its
 * `bodyTypes` list them. Form, text and multipart bodies (what another site's page can send
 * without a preflight) are a 415 on JSON routes, refused before the body is read. A route
 * without a body takes none, an empty one of any type, or a JSON or form body it ignores.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { t } from '../../src/openapi/t.ts';
import { testClient } from '../../src/testing/index.ts';
import { volt } from '../../src/volt.ts';
import { listenLocal } from './support.ts';

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

describe('headers that say how to read the body', () => {
  test('a Content-Encoding other than identity is a 415 naming it: bodies are never decompressed', async () => {
    const { client, ran } = app();
    for (const encoding of [
      'gzip',
      'deflate',
      'br',
      'zstd',
      'x-unknown',
      'gzip, identity',
      'identity, gzip',
    ]) {
      const res = await client.post<{ detail: string }>('/notes', {
        body: encoding.startsWith('gzip') ? gzipSync('{"text":"hi"}') : '{"text":"hi"}',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      });
      assert.equal(res.status, 415, encoding);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(res.headers['accept-encoding'], 'identity', encoding);
      assert.equal(
        res.json().detail,
        'The request body has a Content-Encoding; send it uncompressed (Content-Encoding: identity, or none).',
      );
    }
    const form = await client.post('/login', {
      form: { text: 'a' },
      headers: { 'content-encoding': 'gzip' },
    });
    assert.equal(form.status, 415);
    assert.deepEqual(ran, []);
    for (const encoding of ['identity', 'IDENTITY', ' identity ']) {
      const res = await client.post('/notes', {
        json: { text: 'hi' },
        headers: { 'content-encoding': encoding },
      });
      assert.equal(res.status, 200, encoding);
    }
    // No body, nothing encoded: a route without a body takes the request.
    assert.equal((await client.post('/logout', { headers: { 'content-encoding': 'gzip' } })).status, 204);
  });

  test('a Content-Type with a repeated parameter is a 415, never parsed', async () => {
    const { client, ran } = app();
    for (const type of [
      'application/json; charset=utf-8; charset=latin1',
      'application/json; charset=utf-8; charset=utf-8',
      'application/json;charset=utf-8;CHARSET=utf-8',
      'application/x-www-form-urlencoded; charset=utf-8; charset=utf-16',
    ]) {
      const res = await client.post<{ detail: string }>('/login', {
        body: '{"text":"hi"}',
        headers: { 'content-type': type },
      });
      assert.equal(res.status, 415, type);
      assert.match(res.json().detail, /more than one "charset" parameter/, type);
    }
    assert.deepEqual(ran, []);
  });

  describe('over a raw socket', () => {
    async function send(text: string) {
      const server = volt({ docs: false, logger: false, envFile: false, allowedHosts: ['localhost'] });
      const ran: string[] = [];
      server.post('/notes', { body: t.Object({ text: t.String() }) }, (ctx) => {
        ran.push('post');
        return ctx.body;
      });
      const { port } = await listenLocal(server);
      try {
        const response = await new Promise<string>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
          let out = '';
          socket.setEncoding('latin1');
          socket.on('data', (chunk: string) => {
            out += chunk;
          });
          socket.on('error', reject);
          socket.on('close', () => resolve(out));
        });
        const [head = '', body = ''] = response.split('\r\n\r\n', 2);
        return { status: Number(head.split(' ', 3)[1]), head, body, ran };
      } finally {
        await server.close();
      }
    }

    const post = (headers: string, body = '{"text":"hi"}') =>
      send(`POST /notes HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers}\r\n${body}`);

    test('two Content-Type headers are a 415 problem, whichever they are', async () => {
      for (const types of [
        ['application/json', 'text/plain'],
        ['text/plain', 'application/json'],
        ['application/json', 'application/json'],
      ]) {
        const res = await post(
          `Content-Type: ${types[0]}\r\ncontent-type: ${types[1]}\r\nContent-Length: 13\r\n`,
        );
        assert.equal(res.status, 415, types.join(' + '));
        assert.match(res.head, /content-type: application\/problem\+json/i);
        assert.match(res.body, /more than one Content-Type header/);
        assert.deepEqual(res.ran, []);
      }
      const one = await post('Content-Type: application/json\r\nContent-Length: 13\r\n');
      assert.equal(one.status, 200, one.body);
    });

    test('two Content-Length headers are a 400 from Node, even when they agree', async () => {
      for (const lengths of [
        [13, 13],
        [13, 5],
      ]) {
        const res = await post(
          `Content-Type: application/json\r\nContent-Length: ${lengths[0]}\r\nContent-Length: ${lengths[1]}\r\n`,
        );
        assert.equal(res.status, 400, lengths.join(' + '));
        assert.deepEqual(res.ran, []);
      }
    });
  });
});
