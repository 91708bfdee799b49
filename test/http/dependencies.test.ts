/**
 * Dependencies: resolution, caching per request, teardown, guards, overrides and their own schemas.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dependency } from '../../src/http/dependencies.ts';
import { HttpError } from '../../src/http/errors.ts';
import { Router } from '../../src/http/router.ts';
import { t } from '../../src/openapi/t.ts';
import { testClient } from '../../src/testing/index.ts';
import { gate, quietApp, waitFor } from './support.ts';

describe('resolution', () => {
  test('a sync dependency gives its return value', async () => {
    const app = quietApp();
    const answer = dependency(() => 42);
    app.get('/', { deps: { answer } }, (ctx) => ({ answer: ctx.deps.answer }));
    assert.deepEqual((await testClient(app).get('/')).json(), { answer: 42 });
  });

  test('a route declaring an empty deps map reads ctx.deps as an empty object', async () => {
    const app = quietApp();
    app.get('/', { deps: {} }, (ctx) => ({ names: Object.keys(ctx.deps) }));
    assert.deepEqual((await testClient(app).get('/')).json(), { names: [] });
  });

  test('an async dependency gives its awaited value', async () => {
    const app = quietApp();
    const user = dependency(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { name: 'Ada' };
    });
    app.get('/', { deps: { user } }, (ctx) => ({ name: ctx.deps.user.name }));
    assert.deepEqual((await testClient(app).get('/')).json(), { name: 'Ada' });
  });

  test('a dependency receives the values of the dependencies it uses', async () => {
    const app = quietApp();
    const settings = dependency(() => ({ prefix: 'user-' }));
    const token = dependency(async () => 'abc');
    const user = dependency(
      { uses: { settings, token } },
      (_ctx, deps) => `${deps.settings.prefix}${deps.token}`,
    );
    app.get('/', { deps: { user } }, (ctx) => ({ user: ctx.deps.user }));
    assert.deepEqual((await testClient(app).get('/')).json(), { user: 'user-abc' });
  });

  test('a dependency used several times in one request is resolved once', async () => {
    const app = quietApp();
    let opened = 0;
    const db = dependency(() => ({ connection: ++opened }));
    const users = dependency({ uses: { db } }, (_ctx, deps) => deps.db);
    const orders = dependency({ uses: { db } }, (_ctx, deps) => deps.db);
    const guard = dependency({ uses: { db } }, () => undefined);
    app.get('/', { deps: { db, users, orders }, dependencies: [guard] }, (ctx) => ({
      same: ctx.deps.db === ctx.deps.users && ctx.deps.users === ctx.deps.orders,
    }));
    const client = testClient(app);
    assert.deepEqual((await client.get('/')).json(), { same: true });
    assert.equal(opened, 1);
    await client.get('/');
    assert.equal(opened, 2, 'each request resolves its own value');
  });

  test('a dependency can read the request context', async () => {
    const app = quietApp();
    const path = dependency((ctx) => ctx.request.url);
    app.get('/where', { deps: { path } }, (ctx) => ({ path: ctx.deps.path }));
    assert.deepEqual((await testClient(app).get('/where')).json(), { path: '/where' });
  });

  test('an HttpError from a dependency is the response and the handler does not run', async () => {
    const app = quietApp();
    let ran = false;
    const item = dependency(() => {
      throw new HttpError(404, 'No such item.');
    });
    app.get('/', { deps: { item } }, () => {
      ran = true;
      return {};
    });
    const res = await testClient(app).get('/');
    assert.equal(res.status, 404);
    assert.deepEqual(res.json(), {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      code: 'VOLT_HTTP_NOT_FOUND',
      detail: 'No such item.',
    });
    assert.equal(ran, false);
  });

  test('dependency() refuses something that is not a function', () => {
    assert.throws(() => dependency({} as never), {
      name: 'TypeError',
      message: 'dependency() needs a resolver function',
    });
  });
});

describe('teardown', () => {
  function tracked() {
    const events: string[] = [];
    const db = dependency(async function* db(ctx) {
      events.push('open db');
      try {
        yield { query: () => 'rows' };
      } finally {
        events.push(`close db (response ended: ${ctx.reply.raw.writableEnded})`);
      }
    });
    // A sync generator that uses the async one: resolved after it, torn down before it.
    const tx = dependency({ uses: { db } }, function* tx() {
      events.push('begin');
      try {
        yield 'tx';
      } finally {
        events.push('end tx');
      }
    });
    return { events, db, tx };
  }

  test('generator teardown runs after the response, in reverse order of resolution', async () => {
    const { events, db, tx } = tracked();
    const app = quietApp();
    app.get('/', { deps: { db, tx } }, (ctx) => {
      events.push('handler');
      ctx.onTeardown(() => {
        events.push('onTeardown');
      });
      return { rows: ctx.deps.db.query(), tx: ctx.deps.tx };
    });
    const res = await testClient(app).get('/');
    assert.deepEqual(res.json(), { rows: 'rows', tx: 'tx' });
    assert.ok(await waitFor(() => events.length === 6));
    assert.deepEqual(events, [
      'open db',
      'begin',
      'handler',
      'onTeardown',
      'end tx',
      'close db (response ended: true)',
    ]);
  });

  test('generator teardown also runs when the handler throws', async () => {
    const { events, db, tx } = tracked();
    const app = quietApp();
    app.get('/', { deps: { db, tx } }, () => {
      events.push('handler');
      throw new HttpError(409, 'Conflict.');
    });
    const res = await testClient(app).get('/');
    assert.equal(res.status, 409);
    assert.ok(await waitFor(() => events.length === 5));
    assert.deepEqual(events, ['open db', 'begin', 'handler', 'end tx', 'close db (response ended: true)']);
  });

  test('teardown of resolved dependencies runs when a later dependency fails', async () => {
    const { events, db } = tracked();
    const app = quietApp();
    const broken = dependency({ uses: { db } }, () => {
      throw new HttpError(401, 'No token.');
    });
    app.get('/', { deps: { db, broken } }, () => ({}));
    const res = await testClient(app).get('/');
    assert.equal(res.status, 401);
    assert.ok(await waitFor(() => events.length === 2));
    assert.deepEqual(events, ['open db', 'close db (response ended: true)']);
  });

  test('the response does not wait for a slow teardown', async () => {
    const app = quietApp();
    const release = gate();
    let closed = false;
    const slow = dependency(async function* slow() {
      try {
        yield 1;
      } finally {
        await release.promise;
        closed = true;
      }
    });
    app.get('/', { deps: { slow } }, () => ({ ok: true }));
    const res = await testClient(app).get('/');
    assert.equal(res.status, 200);
    assert.equal(closed, false);
    release.open();
    assert.ok(await waitFor(() => closed));
  });

  test('a failing teardown does not stop the others', async () => {
    const app = quietApp();
    const events: string[] = [];
    const first = dependency(function* first() {
      try {
        yield 1;
      } finally {
        events.push('first closed');
      }
    });
    const second = dependency(function* second() {
      try {
        yield 2;
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: the point of the test
        throw new Error('teardown failed');
      }
    });
    app.get('/', { deps: { first, second } }, () => ({ ok: true }));
    const res = await testClient(app).get('/');
    assert.equal(res.status, 200);
    assert.ok(await waitFor(() => events.length === 1));
    assert.deepEqual(events, ['first closed']);
  });

  test('a bound or wrapped generator function is still torn down after the response', async () => {
    const events: string[] = [];
    const pool = {
      name: 'main',
      *connect(this: { name: string }) {
        events.push(`open ${this.name}`);
        try {
          yield `conn to ${this.name}`;
        } finally {
          events.push(`close ${this.name}`);
        }
      },
    };
    async function* session() {
      events.push('open session');
      try {
        yield 'session';
      } finally {
        events.push('close session');
      }
    }
    // A wrapper, as a tracing or retry helper would write it: a plain function returning the generator.
    const traced =
      <A extends unknown[], R>(fn: (...args: A) => R) =>
      (...args: A): R =>
        fn(...args);
    const conn = dependency(pool.connect.bind(pool));
    const sess = dependency(traced(session));
    const app = quietApp();
    app.get('/', { deps: { conn, sess } }, (ctx) => ({ conn: ctx.deps.conn, sess: ctx.deps.sess }));
    const res = await testClient(app).get('/');
    assert.deepEqual(res.json(), { conn: 'conn to main', sess: 'session' });
    assert.ok(await waitFor(() => events.length === 4));
    assert.deepEqual(events, ['open main', 'open session', 'close session', 'close main']);
  });

  test('a generator that returns without yielding is a server error', async () => {
    const app = quietApp();
    // biome-ignore lint/correctness/useYield: the mistake under test
    const empty = dependency(function* empty() {
      return 1;
    });
    app.get('/', { deps: { empty } }, () => ({}));
    const res = await testClient(app).get('/');
    assert.equal(res.status, 500);
  });
});

describe('guards from routers and the app', () => {
  const requireToken = dependency({ headers: t.Object({ authorization: t.Optional(t.String()) }) }, (ctx) => {
    if (!ctx.headers.authorization)
      throw new HttpError(401, { detail: 'Log in first.', headers: { 'www-authenticate': 'Bearer' } });
    return ctx.headers.authorization.slice('Bearer '.length);
  });
  const requireAdmin = dependency({ uses: { token: requireToken } }, (_ctx, deps) => {
    if (deps.token !== 'admin') throw new HttpError(403, 'Admins only.');
  });

  test('a router dependency guards every route of the router', async () => {
    const app = quietApp();
    let handled = 0;
    const admin = new Router({ prefix: '/admin', dependencies: [requireAdmin] });
    admin.get('/stats', () => {
      handled++;
      return { users: 3 };
    });
    app.include(admin);
    app.get('/public', () => ({ ok: true }));
    const client = testClient(app);

    const anonymous = await client.get('/admin/stats');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Bearer');
    assert.deepEqual(anonymous.json(), {
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      code: 'VOLT_HTTP_UNAUTHORIZED',
      detail: 'Log in first.',
    });

    const user = await client.get('/admin/stats', { headers: { authorization: 'Bearer ada' } });
    assert.equal(user.status, 403);
    assert.deepEqual(user.json(), {
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      code: 'VOLT_HTTP_FORBIDDEN',
      detail: 'Admins only.',
    });
    assert.equal(handled, 0);

    const ok = await client.get('/admin/stats', { headers: { authorization: 'Bearer admin' } });
    assert.equal(ok.status, 200);
    assert.equal(handled, 1);
    assert.equal((await client.get('/public')).status, 200);
  });

  test('an app dependency guards every route, included ones too', async () => {
    const app = quietApp({ dependencies: [requireToken] });
    const router = new Router({ prefix: '/r' });
    router.get('/x', () => ({ ok: true }));
    app.get('/y', () => ({ ok: true }));
    app.include(router);
    const client = testClient(app);
    assert.equal((await client.get('/y')).status, 401);
    assert.equal((await client.get('/r/x')).status, 401);
    assert.equal((await client.get('/r/x', { headers: { authorization: 'Bearer a' } })).status, 200);
  });

  test('guards run outermost first: app, router, route', async () => {
    const order: string[] = [];
    const mark = (name: string) =>
      dependency({ name }, () => {
        order.push(name);
      });
    const app = quietApp({ dependencies: [mark('app')] });
    const router = new Router({ dependencies: [mark('router')] });
    router.get('/', { dependencies: [mark('route')], deps: { value: mark('deps') } }, () => {
      order.push('handler');
      return {};
    });
    app.include(router, { dependencies: [mark('include')] });
    await testClient(app).get('/');
    assert.deepEqual(order, ['app', 'include', 'router', 'route', 'deps', 'handler']);
  });
});

describe('overrides', () => {
  test('overrideDependency replaces a dependency everywhere, clearDependencyOverrides restores it', async () => {
    const app = quietApp();
    const currentUser = dependency(() => 'real');
    const greeting = dependency({ uses: { user: currentUser } }, (_ctx, deps) => `hi ${deps.user}`);
    app.get('/', { deps: { user: currentUser, greeting } }, (ctx) => ctx.deps);
    const client = testClient(app);

    assert.deepEqual((await client.get('/')).json(), { user: 'real', greeting: 'hi real' });
    app.overrideDependency(
      currentUser,
      dependency(() => 'fake'),
    );
    assert.deepEqual((await client.get('/')).json(), { user: 'fake', greeting: 'hi fake' });
    app.clearDependencyOverrides();
    assert.deepEqual((await client.get('/')).json(), { user: 'real', greeting: 'hi real' });
  });

  test('an override can stand in for a guard', async () => {
    const app = quietApp();
    const guard = dependency(() => {
      throw new HttpError(401);
    });
    app.get('/', { dependencies: [guard] }, () => ({ ok: true }));
    const client = testClient(app);
    assert.equal((await client.get('/')).status, 401);
    app.overrideDependency(
      guard,
      dependency(() => undefined),
    );
    assert.equal((await client.get('/')).status, 200);
  });
});

describe('a dependency’s own schemas', () => {
  const pagination = dependency(
    { query: t.Object({ limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }) }) },
    (ctx) => ({ limit: ctx.query.limit }),
  );
  const tenant = dependency(
    {
      headers: t.Object({ 'x-tenant': t.String({ minLength: 2 }) }),
      cookies: t.Object({ region: t.Optional(t.String()) }),
    },
    (ctx) => `${ctx.headers['x-tenant']}@${ctx.cookies.region ?? 'eu'}`,
  );

  function app() {
    const app = quietApp();
    app.get(
      '/items',
      { query: t.Object({ q: t.Optional(t.String()) }), deps: { page: pagination, tenant } },
      (ctx) => ({
        limit: ctx.deps.page.limit,
        tenant: ctx.deps.tenant,
        q: ctx.query.q ?? null,
      }),
    );
    return app;
  }

  test('its query, header and cookie schemas are validated and coerced on the route', async () => {
    const res = await testClient(app()).get('/items', {
      query: { limit: '5', q: 'pen' },
      headers: { 'x-tenant': 'acme' },
      cookies: { region: 'us' },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { limit: 5, tenant: 'acme@us', q: 'pen' });
  });

  test('its defaults apply', async () => {
    const res = await testClient(app()).get('/items', { headers: { 'x-tenant': 'acme' } });
    assert.deepEqual(res.json(), { limit: 20, tenant: 'acme@eu', q: null });
  });

  test('a bad value is a 422 at the dependency’s parameter', async () => {
    const res = await testClient(app()).get('/items', { query: { limit: '0' } });
    assert.equal(res.status, 422);
    assert.deepEqual(res.json(), {
      type: 'about:blank',
      title: 'Unprocessable Content',
      status: 422,
      code: 'VOLT_HTTP_VALIDATION',
      detail: 'The request is not valid.',
      errors: [
        {
          loc: ['query', 'limit'],
          msg: 'Input should be greater than or equal to 1',
          type: 'greater_than_equal',
        },
        { loc: ['header', 'x-tenant'], msg: 'Field required', type: 'missing' },
      ],
    });
  });

  test('the route’s own query schema keeps its rules when a dependency adds parameters', async () => {
    const app = quietApp();
    app.get(
      '/strict',
      {
        query: t.Object({ q: t.Optional(t.String()) }, { additionalProperties: false }),
        deps: { page: pagination },
      },
      (ctx) => ({ limit: ctx.deps.page.limit }),
    );
    const client = testClient(app);
    assert.deepEqual((await client.get('/strict', { query: { limit: 3, q: 'x' } })).json(), { limit: 3 });
    const res = await client.get('/strict', { query: { debug: '1' } });
    assert.equal(res.status, 422);
    assert.deepEqual((res.json() as { errors: unknown }).errors, [
      { loc: ['query', 'debug'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
    ]);
  });
});

describe('cycles', () => {
  test('a dependency cycle throws when the route is declared, naming the cycle', () => {
    const uses: Record<string, ReturnType<typeof dependency>> = {};
    const a = dependency({ name: 'a', uses }, () => 1);
    const b = dependency({ name: 'b', uses: { a } }, () => 2);
    const c = dependency({ name: 'c', uses: { b } }, () => 3);
    uses.c = c;
    const app = quietApp();
    assert.throws(() => app.get('/', { deps: { a } }, () => ({})), {
      message: 'Dependency cycle: a → c → b → a',
    });
  });

  test('something that is not a dependency is refused when the route is declared', () => {
    const app = quietApp();
    assert.throws(() => app.get('/', { deps: { x: (() => 1) as never } }, () => ({})), {
      name: 'TypeError',
      message: /^Not a dependency: .*; create it with dependency\(\)$/,
    });
  });
});
