/**
 * The app's hooks: one style (each registration returns its unsubscribe function), every phase,
 * and the same context for the hooks and the handler.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VoltApp } from '../../src/http/app.ts';
import { HttpError } from '../../src/http/errors.ts';
import { testClient } from '../../src/testing/client.ts';

function bareApp() {
  return new VoltApp({ logger: false, envFile: false });
}

test('request, beforeHandler and response hooks see the context the handler gets, in order', async (t) => {
  const app = bareApp();
  const seen: string[] = [];
  const contexts = new Set<unknown>();
  app.on('request', (ctx) => {
    seen.push(`request ${ctx.body === undefined ? 'no body yet' : 'body'}`);
    contexts.add(ctx);
  });
  app.on('beforeHandler', async (ctx) => {
    seen.push(`beforeHandler ${JSON.stringify(ctx.body)}`);
    contexts.add(ctx);
  });
  app.on('response', (ctx) => {
    seen.push('response');
    contexts.add(ctx);
    ctx.header('x-after', 'set before the headers left');
  });
  app.post('/echo', {}, (ctx) => {
    seen.push('handler');
    contexts.add(ctx);
    return { ok: true };
  });
  const client = testClient(app);
  t.after(() => client.close());
  const res = await client.post('/echo', { json: { a: 1 } });
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-after'], 'set before the headers left');
  assert.deepEqual(seen, ['request no body yet', 'beforeHandler {"a":1}', 'handler', 'response']);
  assert.equal(contexts.size, 1, 'one context per request');
});

test('a hook that throws an HttpError answers with it; the handler does not run', async (t) => {
  const app = bareApp();
  let ran = false;
  app.on('beforeHandler', () => {
    throw new HttpError(418, { detail: 'no coffee here' });
  });
  app.get('/', {}, () => {
    ran = true;
    return {};
  });
  const client = testClient(app);
  t.after(() => client.close());
  const res = await client.get('/');
  assert.equal(res.status, 418);
  assert.equal(ran, false);
});

test('every registration returns its unsubscribe function, error and lifecycle hooks too', async (t) => {
  const app = bareApp();
  const seen: string[] = [];
  const offRequest = app.on('request', () => void seen.push('request'));
  const offBefore = app.on('beforeHandler', () => void seen.push('before'));
  const offResponse = app.on('response', () => void seen.push('response'));
  const offStartup = app.onStartup(() => void seen.push('startup'));
  app.on('startup', () => void seen.push('startup 2'));
  const offShutdown = app.onShutdown(() => void seen.push('shutdown'));
  app.on('shutdown', () => void seen.push('shutdown 2'));
  const offError = app.onError((error) =>
    error instanceof RangeError ? new HttpError(409, { detail: 'mapped' }) : undefined,
  );
  app.get('/', {}, () => ({}));
  app.get('/fail', {}, () => {
    throw new RangeError('x');
  });
  offStartup();
  offShutdown();
  const client = testClient(app);
  t.after(() => client.close());
  await client.get('/');
  assert.deepEqual(seen, ['startup 2', 'request', 'before', 'response']);
  assert.equal((await client.get('/fail')).status, 409);
  for (const off of [offRequest, offBefore, offResponse, offError]) off();
  seen.length = 0;
  await client.get('/');
  assert.deepEqual(seen, [], 'removed hooks do not run');
  assert.equal((await client.get('/fail')).status, 500, 'the mapper is gone');
  await app.close();
  assert.deepEqual(seen, ['shutdown 2']);
});

test('the same function registered twice is two registrations; removing one keeps the other in its place', async (t) => {
  const app = bareApp();
  const seen: string[] = [];
  const mark = () => void seen.push('mark');
  const first = app.on('beforeHandler', mark);
  app.on('beforeHandler', () => void seen.push('between'));
  app.on('beforeHandler', mark);
  app.get('/', {}, () => ({}));
  const client = testClient(app);
  t.after(() => client.close());
  first();
  first();
  await client.get('/');
  assert.deepEqual(seen, ['between', 'mark'], 'the first registration went, the second kept its place');
});

test('a hook removed while a request awaits an earlier hook does not make that request skip the next one', async (t) => {
  const app = bareApp();
  const seen: string[] = [];
  let release!: () => void;
  const waiting = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrived!: () => void;
  const hasArrived = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const offEarly = app.on('beforeHandler', async () => {
    seen.push('early');
    arrived();
    await waiting;
  });
  app.on('beforeHandler', () => void seen.push('next'));
  app.get('/', {}, () => ({}));
  const client = testClient(app);
  t.after(() => client.close());
  const pending = client.get('/');
  await hasArrived;
  offEarly();
  release();
  assert.equal((await pending).status, 200);
  assert.deepEqual(seen, ['early', 'next']);
  await client.get('/');
  assert.deepEqual(seen, ['early', 'next', 'next'], 'removed for the requests after it');
});

test('an unknown phase is a clear error', () => {
  assert.throws(() => bareApp().on('after' as never, (() => {}) as never), /'after' is not a hook phase/);
});
