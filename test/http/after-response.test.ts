/**
 * The work that runs after a response (dependency teardown, `ctx.background()` tasks), over a
 * real socket: it waits for the handler's own end, also when the response went out before it
 * (sent early through `ctx.reply`, or the client left), and it runs outside the request's async
 * context, so it does not see the finished request's AsyncLocalStorage stores.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import type { VoltApp } from '../../src/http/app.ts';
import { dependency } from '../../src/http/dependencies.ts';
import { gate, listenLocal, quietApp, sleep, waitFor } from './support.ts';

const apps: VoltApp[] = [];
after(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

async function serve(app: VoltApp): Promise<string> {
  apps.push(app);
  const { host, port } = await listenLocal(app);
  return `http://${host}:${port}`;
}

describe('after-response work waits for the handler', () => {
  test('a response sent early through ctx.reply: teardown runs after the handler returned', async () => {
    const events: string[] = [];
    const connection = dependency(function* () {
      events.push('acquired');
      try {
        yield { query: () => events.push('query') };
      } finally {
        events.push('released');
      }
    });
    const app = quietApp();
    app.get('/early', { deps: { db: connection } }, async (ctx) => {
      ctx.reply.send({ ok: true });
      await sleep(150);
      // Still using the connection the teardown releases.
      ctx.deps.db.query();
      events.push('handler done');
      return ctx.reply;
    });
    const base = await serve(app);
    const res = await fetch(`${base}/early`);
    assert.deepEqual(await res.json(), { ok: true });
    assert.ok(await waitFor(() => events.includes('released')), 'the teardown ran');
    assert.deepEqual(events, ['acquired', 'query', 'handler done', 'released']);
  });

  test('a client that leaves mid-handler: teardown and background work wait for the handler', async () => {
    const events: string[] = [];
    const entered = gate();
    const release = gate();
    const connection = dependency(async function* () {
      try {
        yield 'connection';
      } finally {
        events.push('released');
      }
    });
    const app = quietApp();
    app.get('/slow', { deps: { db: connection } }, async (ctx) => {
      ctx.onTeardown(() => events.push('teardown'));
      entered.open();
      await release.promise;
      events.push('handler done');
      return { ok: true };
    });
    const base = await serve(app);
    const { port } = new URL(base);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await entered.promise;
    socket.destroy();
    // The response is closed; the handler is still at work: nothing of its teardown runs.
    await sleep(200);
    assert.deepEqual(events, []);
    release.open();
    assert.ok(await waitFor(() => events.length === 3), `ran: ${events.join(', ')}`);
    assert.deepEqual(events, ['handler done', 'teardown', 'released']);
  });
});

describe('after-response work runs outside the request', () => {
  const store = new AsyncLocalStorage<string>();

  test('a task queued inside an async context does not see it, after a normal response', async () => {
    const seen: string[] = [];
    const app = quietApp();
    app.get('/tx', (ctx) =>
      store.run('transaction', async () => {
        ctx.background(() => seen.push(store.getStore() ?? 'outside'));
        ctx.onTeardown(() => seen.push(store.getStore() ?? 'outside'));
        return { ok: true };
      }),
    );
    const base = await serve(app);
    assert.equal((await fetch(`${base}/tx`)).status, 200);
    assert.ok(await waitFor(() => seen.length === 2));
    assert.deepEqual(seen, ['outside', 'outside']);
  });

  test('nor when the response was sent from inside the context, or the task queued after it went out', async () => {
    const seen: string[] = [];
    const app = quietApp();
    app.get('/sent-inside', (ctx) =>
      store.run('transaction', async () => {
        ctx.background(() => seen.push(`first: ${store.getStore() ?? 'outside'}`));
        ctx.reply.send({ ok: true });
        await sleep(50);
        // Queued once the response is complete.
        ctx.background(() => seen.push(`late: ${store.getStore() ?? 'outside'}`));
        return ctx.reply;
      }),
    );
    const base = await serve(app);
    assert.equal((await fetch(`${base}/sent-inside`)).status, 200);
    assert.ok(await waitFor(() => seen.length === 2));
    assert.deepEqual(seen.sort(), ['first: outside', 'late: outside']);
  });
});
