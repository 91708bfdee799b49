/**
 * The in-process test client: what it sends and what it gives back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testClient } from 'voltjs/testing';
import { VoltApp } from '../../src/http/app.ts';
import { t } from '../../src/openapi/t.ts';

/** An app that echoes what it received. */
function echoApp() {
  const app = new VoltApp({ logger: false, envFile: false });
  const echo = (ctx: {
    request: { method: string; url: string; headers: Record<string, unknown>; body: unknown };
  }) => ({
    method: ctx.request.method,
    url: ctx.request.url,
    contentType: ctx.request.headers['content-type'] ?? null,
    cookie: ctx.request.headers.cookie ?? null,
    custom: ctx.request.headers['x-custom'] ?? null,
    body: ctx.request.body ?? null,
  });
  // A body in any of these types reaches the route (others are a 415).
  const bodyTypes = ['application/json', 'text/plain'];
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const)
    app.route(method, '/echo', { bodyTypes }, echo);
  app.get(
    '/query',
    { query: t.Object({ tag: t.Array(t.String()), n: t.Integer(), on: t.Boolean() }) },
    (ctx) => ctx.query,
  );
  app.get(
    '/cookies',
    { cookies: t.Object({ session: t.String(), theme: t.String() }) },
    (ctx) => ctx.cookies,
  );
  return app;
}

test('each method helper sends its method', async () => {
  const client = testClient(echoApp());
  for (const [send, method] of [
    [client.get, 'GET'],
    [client.post, 'POST'],
    [client.put, 'PUT'],
    [client.patch, 'PATCH'],
    [client.delete, 'DELETE'],
  ] as const) {
    const res = await send('/echo');
    assert.equal((res.json() as { method: string }).method, method);
  }
});

test('query arrays become repeated keys and values are encoded', async () => {
  const client = testClient(echoApp());
  const res = await client.get<{ url: string }>('/echo', { query: { tag: ['a b', 'c&d'], n: 3, on: true } });
  assert.equal(res.json().url, '/echo?tag=a+b&tag=c%26d&n=3&on=true');
  const typed = await client.get('/query', { query: { tag: ['a', 'b'], n: 3, on: false } });
  assert.deepEqual(typed.json(), { tag: ['a', 'b'], n: 3, on: false });
});

test('query parameters are added to those already in the path', async () => {
  const client = testClient(echoApp());
  const res = await client.get<{ url: string }>('/echo?page=2', { query: { size: 10 } });
  assert.equal(res.json().url, '/echo?page=2&size=10');
});

test('json() takes its type from the call or from its own type argument', async () => {
  const client = testClient(echoApp());
  const typedByCall = await client.get<{ url: string }>('/echo');
  const url: string = typedByCall.json().url;
  const untyped = await client.get('/echo');
  const method: string = untyped.json<{ method: string }>().method;
  assert.deepEqual([url, method], ['/echo', 'GET']);
});

test('cookies are sent URL-encoded in one Cookie header and decoded by the app', async () => {
  const client = testClient(echoApp());
  const raw = await client.get<{ cookie: string }>('/echo', { cookies: { session: 'a;b c', theme: 'dark' } });
  assert.equal(raw.json().cookie, 'session=a%3Bb%20c; theme=dark');
  const parsed = await client.get('/cookies', { cookies: { session: 'a;b c', theme: 'dark' } });
  assert.deepEqual(parsed.json(), { session: 'a;b c', theme: 'dark' });
});

test('cookies are added to a Cookie header given explicitly', async () => {
  const client = testClient(echoApp());
  const res = await client.get<{ cookie: string }>('/echo', {
    headers: { Cookie: 'theme=dark' },
    cookies: { session: 'abc' },
  });
  assert.equal(res.json().cookie, 'theme=dark; session=abc');
});

test('json sends a JSON body with its content type', async () => {
  const client = testClient(echoApp());
  const res = await client.post<{ contentType: string; body: unknown }>('/echo', {
    json: { name: 'Pen', n: [1] },
  });
  assert.deepEqual(res.json(), {
    method: 'POST',
    url: '/echo',
    contentType: 'application/json',
    cookie: null,
    custom: null,
    body: { name: 'Pen', n: [1] },
  });
});

test('json sends falsy values too', async () => {
  const client = testClient(echoApp());
  assert.equal((await client.post<{ body: unknown }>('/echo', { json: false })).json().body, false);
  assert.equal((await client.post<{ body: unknown }>('/echo', { json: 0 })).json().body, 0);
});

test('a content type given in any case wins over the JSON default', async () => {
  const client = testClient(echoApp());
  const res = await client.post<{ contentType: string }>('/echo', {
    json: { a: 1 },
    headers: { 'Content-Type': 'application/merge-patch+json' },
  });
  // Fastify has no parser for it: the point is that the caller's type was the one sent.
  assert.equal(res.status, 415);
  assert.match(res.text, /application\/merge-patch\+json/);
});

test('headers are sent, and response headers are read in lower case', async () => {
  const app = echoApp();
  app.get('/header', (ctx) => {
    ctx.header('X-Answer', '42');
    return { got: ctx.request.headers['x-custom'] };
  });
  const client = testClient(app);
  const res = await client.get('/header', { headers: { 'X-Custom': 'yes' } });
  assert.deepEqual(res.json(), { got: 'yes' });
  assert.equal(res.headers['x-answer'], '42');
});

test('a raw body is sent as given', async () => {
  const client = testClient(echoApp());
  const res = await client.post<{ body: unknown }>('/echo', {
    body: Buffer.from('plain words'),
    headers: { 'content-type': 'text/plain' },
  });
  assert.equal(res.json().body, 'plain words');
});

test('text has the body; json() on a body that is not JSON names the response', async () => {
  const app = new VoltApp({ logger: false, envFile: false });
  app.get('/text', () => 'not json');
  app.delete('/empty', () => undefined);
  const client = testClient(app);
  const text = await client.get('/text');
  assert.equal(text.text, 'not json');
  assert.throws(() => text.json(), {
    name: 'SyntaxError',
    message: 'The 200 response (text/plain; charset=utf-8) is not JSON: "not json"',
  });
  const empty = await client.delete('/empty');
  assert.throws(() => empty.json(), { message: /^The 204 response .* is not JSON: ""$/ });
});

test('the client readies the app on first use and close() shuts it down', async () => {
  const app = new VoltApp({ logger: false, envFile: false });
  const events: string[] = [];
  app.onStartup(() => {
    events.push('startup');
  });
  app.onShutdown(() => {
    events.push('shutdown');
  });
  app.get('/', () => ({}));
  const client = testClient(app);
  assert.deepEqual(events, []);
  await client.get('/');
  await client.get('/');
  assert.deepEqual(events, ['startup']);
  await client.close();
  assert.deepEqual(events, ['startup', 'shutdown']);
});

test('with cookieJar, cookies the app sets are sent back until the app expires them', async () => {
  const app = new VoltApp({ logger: false, envFile: false });
  app.post('/in', {}, (ctx) => {
    ctx.header('set-cookie', ['sid=abc%20d; Path=/; HttpOnly', 'theme=dark; Path=/']);
    return {};
  });
  app.post('/out', {}, (ctx) => {
    ctx.header('set-cookie', 'sid=; Path=/; Max-Age=0');
    return {};
  });
  app.get('/cookie', {}, (ctx) => ({ cookie: ctx.request.headers.cookie ?? null }));
  const client = testClient(app, { cookieJar: true });
  const plain = testClient(app);
  try {
    await client.post('/in');
    assert.equal(client.cookies.get('sid'), 'abc d');
    const seen = await client.get<{ cookie: string }>('/cookie', { cookies: { extra: '1' } });
    assert.equal(seen.json().cookie, 'sid=abc%20d; theme=dark; extra=1');
    await client.post('/out');
    assert.equal((await client.get<{ cookie: string }>('/cookie')).json().cookie, 'theme=dark');
    await plain.post('/in');
    assert.equal((await plain.get<{ cookie: null }>('/cookie')).json().cookie, null);
  } finally {
    await client.close();
  }
});

test('headers given to the client go with every request; a request can override them', async () => {
  const app = new VoltApp({ logger: false, envFile: false });
  app.get('/who', {}, (ctx) => ({ auth: ctx.request.headers.authorization ?? null }));
  const client = testClient(app, { headers: { Authorization: 'Bearer a' } });
  try {
    assert.deepEqual((await client.get('/who')).json(), { auth: 'Bearer a' });
    assert.deepEqual((await client.get('/who', { headers: { authorization: 'Bearer b' } })).json(), {
      auth: 'Bearer b',
    });
  } finally {
    await client.close();
  }
});

test('testClient(app, { database }) gives the app the test database, which stays open after close', async () => {
  const { volt } = await import('voltjs');
  const { connect } = await import('voltjs/orm');
  const db = await connect('sqlite::memory:');
  const app = volt({ database: 'sqlite:/nonexistent-folder/never-opened.db', logger: false, docs: false });
  let seen: unknown;
  app.get('/db', {}, (ctx) => {
    seen = ctx.db;
    return { ok: true };
  });
  const client = testClient(app, { database: db });
  assert.equal((await client.get('/db')).status, 200);
  assert.equal(seen, db);
  await client.close();
  assert.deepEqual(
    (await db.kysely.selectNoFrom((eb) => eb.val(1).as('one')).execute()).map((row) => ({ ...row })),
    [{ one: 1 }],
  );
  await db.close();
  // Closing a test client closes its app; a second test of the file is told where to close it.
  assert.throws(() => testClient(app, { database: db }), {
    message:
      "overrideDatabase(): the app has shut down: a test client's close() closes its app. In a file of several tests, close the app once, after the last one: after(() => app.close())",
  });
});

test('each test of a file can bring its own database: a running app switches to the next one', async () => {
  const { volt } = await import('voltjs');
  const { connect } = await import('voltjs/orm');
  const app = volt({ database: 'sqlite:/nonexistent-folder/never-opened.db', logger: false, docs: false });
  const seen: unknown[] = [];
  app.get('/db', {}, (ctx) => {
    seen.push(ctx.db);
    return { ok: true };
  });
  const first = await connect('sqlite::memory:');
  const second = await connect('sqlite::memory:');
  const a = testClient(app, { database: first });
  assert.equal((await a.get('/db')).status, 200);
  const b = testClient(app, { database: second });
  assert.equal((await b.get('/db')).status, 200);
  assert.deepEqual(seen, [first, second]);
  await b.close();
  await Promise.all([first.close(), second.close()]);
});

test('an app running on its own database refuses to be switched to another', async () => {
  const { volt } = await import('voltjs');
  const { connect } = await import('voltjs/orm');
  const app = volt({ database: 'sqlite::memory:', logger: false, docs: false });
  await app.ready();
  const db = await connect('sqlite::memory:');
  assert.throws(() => app.overrideDatabase(db), /before the app starts/);
  await app.close();
  await db.close();
});
