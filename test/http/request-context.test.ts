/**
 * app.trackRequestContext() and currentContext(): each request's work sees its own context,
 * after async hooks, dependencies and awaits, with many requests at once; nothing outside
 * requests, in an app that did not ask, or in the work that runs after the response.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { VoltApp } from '../../src/http/app.ts';
import { dependency } from '../../src/http/dependencies.ts';
import { currentContext } from '../../src/http/request-context.ts';
import { testClient } from '../../src/testing/client.ts';

function bareApp() {
  return new VoltApp({ logger: false, envFile: false });
}

/** The `n` query parameter of the current request, or `'none'`. */
function current(): string {
  const ctx = currentContext();
  return ctx ? (new URL(ctx.request.url, 'http://x').searchParams.get('n') ?? '?') : 'none';
}

test('50 concurrent requests each see their own context in hooks, dependencies and the handler, after awaits', async (t) => {
  const app = bareApp();
  // Routes added before the call are tracked too.
  const seenBy = dependency(async (ctx) => {
    await sleep(Math.random() * 5);
    return currentContext() === ctx ? current() : 'wrong';
  });
  app.get('/', { deps: { seenBy } }, async (ctx) => {
    const first = currentContext() === ctx;
    await sleep(Math.random() * 5);
    await Promise.resolve();
    return { n: current(), same: first && currentContext() === ctx, dep: ctx.deps.seenBy };
  });
  app.trackRequestContext();
  app.on('beforeHandler', async (ctx) => {
    await sleep(Math.random() * 5);
    ctx.header('x-hook-saw', current());
  });
  app.on('beforeHandler', (ctx) => {
    // After an async hook: its then-reaction still runs in the request's context.
    if (currentContext() !== ctx) throw new Error('the second hook lost the context');
  });
  const client = testClient(app);
  t.after(() => client.close());
  const answers = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const res = await client.get(`/?n=${i}`);
      return { status: res.status, hook: res.headers['x-hook-saw'], body: res.json() };
    }),
  );
  answers.forEach((answer, i) => {
    assert.deepEqual(answer, {
      status: 200,
      hook: String(i),
      body: { n: String(i), same: true, dep: String(i) },
    });
  });
  assert.equal(currentContext(), undefined, 'nothing outside requests');
});

test('an app that did not ask sees undefined; background tasks run outside the request', async (t) => {
  const untracked = bareApp();
  untracked.get('/', {}, async () => {
    await sleep(1);
    return { n: current() };
  });
  const tracked = bareApp().trackRequestContext();
  const background: string[] = [];
  const done = Promise.withResolvers<void>();
  tracked.get('/', {}, (ctx) => {
    ctx.background(() => {
      background.push(current());
      done.resolve();
    });
    return { n: current() };
  });
  const a = testClient(untracked);
  const b = testClient(tracked);
  t.after(() => a.close());
  t.after(() => b.close());
  assert.deepEqual((await a.get('/?n=1')).json(), { n: 'none' });
  assert.deepEqual((await b.get('/?n=2')).json(), { n: '2' });
  await done.promise;
  // The task runs after the response, in no request: a task that needs the request captures ctx.
  assert.deepEqual(background, ['none']);
  assert.equal(currentContext(), undefined);
});
