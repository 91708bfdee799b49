/**
 * Routers (prefixes, tags, inherited dependencies), response status and headers, lifecycle
 * hooks, graceful shutdown and the Fastify escape hatch.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';
import { dependency } from '../../src/http/dependencies.ts';
import { Router } from '../../src/http/router.ts';
import { t } from '../../src/openapi/t.ts';
import { testClient } from '../../src/testing/index.ts';
import { gate, listenLocal, quietApp, waitFor } from './support.ts';

describe('routers', () => {
  test('prefixes nest: app include prefix, outer router, inner router, route', async () => {
    const app = quietApp();
    const inner = new Router({ prefix: '/items' });
    inner.get('/:id', { params: t.Object({ id: t.Integer() }) }, (ctx) => ({ id: ctx.params.id }));
    inner.get('/', () => ({ list: true }));
    const outer = new Router({ prefix: '/v1' });
    outer.include(inner);
    app.include(outer, { prefix: '/api' });
    const client = testClient(app);
    assert.deepEqual((await client.get('/api/v1/items/3')).json(), { id: 3 });
    assert.deepEqual((await client.get('/api/v1/items')).json(), { list: true });
    assert.equal((await client.get('/items/3')).status, 404);
    assert.deepEqual(
      app.routes.map((r) => `${r.method} ${r.path}`),
      ['GET /api/v1/items/:id', 'GET /api/v1/items'],
    );
  });

  test('a trailing slash in a prefix is not doubled', async () => {
    const app = quietApp();
    const router = new Router({ prefix: '/shop/' });
    router.get('/cart', () => ({ ok: true }));
    app.include(router);
    assert.equal((await testClient(app).get('/shop/cart')).status, 200);
  });

  test('tags and dependencies are inherited, outermost first', () => {
    const auth = dependency({ name: 'auth' }, () => undefined);
    const audit = dependency({ name: 'audit' }, () => undefined);
    const admin = dependency({ name: 'admin' }, () => undefined);
    const app = quietApp({ dependencies: [auth] });
    const inner = new Router({ prefix: '/users', tags: ['users'], dependencies: [admin] });
    inner.get('/', { tags: ['list'] }, () => []);
    const outer = new Router({ prefix: '/admin', tags: ['admin'] });
    outer.include(inner);
    app.include(outer, { tags: ['v1'], dependencies: [audit] });
    const [route] = app.routes;
    assert.ok(route);
    assert.equal(route.path, '/admin/users');
    assert.deepEqual(route.tags, ['v1', 'admin', 'users']);
    assert.deepEqual(route.options.tags, ['list']);
    assert.deepEqual(
      route.dependencies.map((d) => d.name),
      ['auth', 'audit', 'admin'],
    );
  });

  test('routes declared on a router after it was included are not added', async () => {
    const app = quietApp();
    const router = new Router({ prefix: '/r' });
    router.get('/before', () => ({}));
    app.include(router);
    router.get('/after', () => ({}));
    const client = testClient(app);
    assert.equal((await client.get('/r/before')).status, 200);
    assert.equal((await client.get('/r/after')).status, 404);
  });

  test('one router can be included twice under different prefixes', async () => {
    const app = quietApp();
    const router = new Router();
    router.get('/ping', () => 'pong');
    app.include(router, { prefix: '/v1' }).include(router, { prefix: '/v2' });
    const client = testClient(app);
    assert.equal((await client.get('/v1/ping')).text, 'pong');
    assert.equal((await client.get('/v2/ping')).text, 'pong');
  });

  test('a path or prefix without a leading slash is refused', () => {
    const app = quietApp();
    assert.throws(() => app.get('items', () => ({})), {
      message: 'A route path must start with "/", got "items"',
    });
    assert.throws(() => new Router({ prefix: 'api' }), {
      message: 'A router prefix must start with "/", got "api"',
    });
  });

  test('route() declares any method, HEAD and OPTIONS included', async () => {
    const app = quietApp();
    app.route('OPTIONS', '/thing', {}, (ctx) => {
      ctx.header('allow', 'GET, OPTIONS');
      return undefined;
    });
    const res = await testClient(app).request('OPTIONS', '/thing');
    assert.equal(res.status, 204);
    assert.equal(res.headers.allow, 'GET, OPTIONS');
  });
});

describe('status and headers', () => {
  test('the status option sets the success status', async () => {
    const app = quietApp();
    app.post('/items', { status: 201 }, () => ({ id: 1 }));
    const res = await testClient(app).post('/items');
    assert.equal(res.status, 201);
    assert.deepEqual(res.json(), { id: 1 });
  });

  test('ctx.status overrides the status option', async () => {
    const app = quietApp();
    app.put('/items/:id', { status: 200 }, (ctx) => {
      ctx.status(201);
      return { created: true };
    });
    const res = await testClient(app).put('/items/1');
    assert.equal(res.status, 201);
  });

  test('returning undefined is a 204 with no body', async () => {
    const app = quietApp();
    app.delete('/items/:id', () => undefined);
    const res = await testClient(app).delete('/items/1');
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
  });

  test('returning undefined with a declared status keeps that status', async () => {
    const app = quietApp();
    app.post('/jobs', { status: 202 }, () => undefined);
    const res = await testClient(app).post('/jobs');
    assert.equal(res.status, 202);
    assert.equal(res.text, '');
  });

  test('ctx.header sets response headers', async () => {
    const app = quietApp();
    app.get('/cached', (ctx) => {
      ctx.header('cache-control', 'max-age=60').header('x-items', 3).header('vary', ['accept', 'origin']);
      return { ok: true };
    });
    const res = await testClient(app).get('/cached');
    assert.equal(res.headers['cache-control'], 'max-age=60');
    assert.equal(res.headers['x-items'], '3');
    assert.deepEqual(res.headers.vary, ['accept', 'origin']);
  });

  test('a string is sent as text, an object as JSON', async () => {
    const app = quietApp();
    app.get('/text', () => 'hello');
    app.get('/json', () => ({ hello: 'world' }));
    const client = testClient(app);
    const text = await client.get('/text');
    assert.equal(text.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(text.text, 'hello');
    const json = await client.get('/json');
    assert.equal(json.headers['content-type'], 'application/json; charset=utf-8');
  });

  test('a handler may answer through ctx.reply itself', async () => {
    const app = quietApp();
    app.get('/raw', (ctx) => ctx.reply.code(418).type('text/plain').send('teapot'));
    const res = await testClient(app).get('/raw');
    assert.equal(res.status, 418);
    assert.equal(res.text, 'teapot');
  });
});

describe('lifecycle', () => {
  test('onStartup hooks run, in order and awaited, before the first request', async () => {
    const app = quietApp();
    const events: string[] = [];
    app.onStartup(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      events.push('open pool');
    });
    app.onStartup(() => {
      events.push('warm cache');
    });
    app.get('/', () => {
      events.push('request');
      return {};
    });
    assert.deepEqual(events, []);
    await testClient(app).get('/');
    assert.deepEqual(events, ['open pool', 'warm cache', 'request']);
  });

  test('a failing onStartup hook fails ready()', async () => {
    const app = quietApp();
    app.onStartup(() => {
      throw new Error('database unreachable');
    });
    await assert.rejects(app.ready(), { message: 'database unreachable' });
  });

  test('onShutdown hooks run on close(), newest first, and a failing one does not stop the rest', async () => {
    const app = quietApp();
    const events: string[] = [];
    app.onShutdown(() => {
      events.push('close pool');
    });
    app.onShutdown(() => {
      throw new Error('flush failed');
    });
    app.onShutdown(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push('stop workers');
    });
    await app.ready();
    await app.close();
    assert.deepEqual(events, ['stop workers', 'close pool']);
  });

  test('close() is idempotent', async () => {
    const app = quietApp();
    let runs = 0;
    app.onShutdown(() => {
      runs++;
    });
    await app.ready();
    await Promise.all([app.close(), app.close()]);
    await app.close();
    assert.equal(runs, 1);
  });

  test('close() lets an in-flight request finish, refuses new connections, then runs shutdown hooks', async () => {
    const app = quietApp();
    const release = gate();
    const events: string[] = [];
    let started = false;
    app.get('/slow', async () => {
      started = true;
      await release.promise;
      events.push('handler done');
      return { done: true };
    });
    app.onShutdown(() => {
      events.push('shutdown hook');
    });
    const { host, port } = await listenLocal(app);

    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get({ host, port, path: '/slow', agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
    assert.ok(await waitFor(() => started));

    const closing = app.close();
    assert.ok(await waitFor(() => !app.fastify.server.listening));
    const refused = await new Promise<NodeJS.ErrnoException>((resolve) => {
      http
        .get({ host, port, path: '/slow', agent: false }, () => resolve(new Error('connected') as never))
        .on('error', resolve);
    });
    assert.equal(refused.code, 'ECONNREFUSED');
    assert.deepEqual(events, [], 'shutdown hooks wait for the in-flight request');

    release.open();
    assert.deepEqual(await response, { status: 200, body: '{"done":true}' });
    await closing;
    assert.deepEqual(events, ['handler done', 'shutdown hook']);
  });
});

describe('the Fastify escape hatch', () => {
  test('a Fastify plugin can add routes and decorators next to Volt routes', async () => {
    const app = quietApp();
    await app.fastify.register(async (instance) => {
      instance.decorate('greeting', 'hello from a plugin');
      instance.get('/plugin', async function () {
        return { greeting: (this as unknown as { greeting: string }).greeting };
      });
    });
    app.fastify.decorateRequest('tenant', 'acme');
    app.get('/volt', (ctx) => ({ tenant: (ctx.request as unknown as { tenant: string }).tenant }));
    const client = testClient(app);
    assert.deepEqual((await client.get('/plugin')).json(), { greeting: 'hello from a plugin' });
    assert.deepEqual((await client.get('/volt')).json(), { tenant: 'acme' });
  });

  test('errors and unknown methods on plugin routes are problems too', async () => {
    const app = quietApp();
    app.fastify.register(
      async (instance) => {
        instance.get('/boom', async () => {
          throw new Error('internal');
        });
      },
      { prefix: '/plugin' },
    );
    const client = testClient(app);
    const boom = await client.get('/plugin/boom');
    assert.equal(boom.status, 500);
    assert.equal(boom.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal((boom.json() as { detail: string }).detail, 'The server could not complete the request.');
    const wrongMethod = await client.post('/plugin/boom');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.allow, 'GET, HEAD');
  });

  test('Fastify hooks see Volt routes', async () => {
    const app = quietApp();
    app.fastify.addHook('onSend', async (_request, reply, payload) => {
      reply.header('x-powered-by', 'volt');
      return payload;
    });
    app.get('/', () => ({}));
    const res = await testClient(app).get('/');
    assert.equal(res.headers['x-powered-by'], 'volt');
  });
});
