/**
 * Database work stopped by a signal (`DatabaseAbortedError`) is answered by what stopped it:
 * 499 "Client Closed Request" only when the client has really gone; a time limit of the
 * server's own (`db.withSignal(AbortSignal.timeout(…))`) is a 504, the shutdown a 503 with
 * `Retry-After`, both logged as warnings — the client is still there, waiting for an answer.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { t as types } from '../../src/openapi/t.ts';
import type { Database } from '../../src/orm/database.ts';
import { forEachDialect } from '../../src/testing/database.ts';
import { testClient } from '../../src/testing/index.ts';
import { gate, listenLocal, quietApp, recordingLogger, waitFor } from './support.ts';

const tBody = types.Object({ year: types.Integer() });

interface Problem {
  title: string;
  status: number;
  detail: string;
  instance?: string;
}

/** What the log holds of an error. */
function loggedError(entry: { obj: unknown }): { name?: string } | undefined {
  return (entry.obj as { err?: { name?: string } } | undefined)?.err;
}

forEachDialect((dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    const { logger, entries } = recordingLogger();
    const app = quietApp({ fastify: { loggerInstance: logger } });
    return { db, app, entries };
  }

  /** Work given `ms` that takes longer: a statement refused after the time (SQLite), or cancelled while it runs (PostgreSQL). */
  async function overrun(db: Database, ms: number): Promise<unknown> {
    const view = db.withSignal(AbortSignal.timeout(ms));
    if (dialect === 'postgres') return view.all('select pg_sleep(5)');
    await sleep(ms + 30);
    return view.all('select 1 as one');
  }

  test("work stopped by the server's own time limit is a 504 logged as a warning, not a 499", async (t) => {
    const { db, app, entries } = await setup(t);
    app.get('/report', {}, async () => ({ rows: await overrun(db, 20) }));
    const res = await testClient(app).get('/report');
    assert.equal(res.status, 504, res.text);
    const problem = res.json<Problem>();
    assert.equal(problem.title, 'Gateway Timeout');
    assert.equal(problem.detail, 'The database work took longer than the server allows.');
    assert.equal(problem.instance, `urn:volt:request:${res.headers['x-request-id']}`);
    const warnings = entries.filter((e) => e.level === 'warn');
    assert.equal(warnings.length, 1, 'logged once, as a warning');
    assert.equal(loggedError(warnings[0]!)?.name, 'DatabaseAbortedError');
    assert.deepEqual(
      entries.filter((e) => e.level === 'error').map((e) => e.msg),
      [],
    );
  });

  test('after a body was read, with the client still connected, a time limit of its own is a 504 (real socket)', async (t) => {
    const { db, app } = await setup(t);
    app.post('/report', { body: tBody }, async () => ({ rows: await overrun(db, 20) }));
    const { host, port } = await listenLocal(app);
    t.after(() => app.close());
    const res = await fetch(`http://${host}:${port}/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ year: 2024 }),
    });
    assert.equal(res.status, 504);
    assert.equal(((await res.json()) as Problem).title, 'Gateway Timeout');
  });

  test('work stopped by the shutdown is a 503 with Retry-After, logged as a warning', async (t) => {
    const { db, app, entries } = await setup(t);
    app.get('/report', {}, async () => {
      // What `ctx.signal` aborts with when the app shuts down.
      const shutdown = new AbortController();
      shutdown.abort(Object.assign(new Error('The server is shutting down'), { code: 'VOLT_SHUTDOWN' }));
      return db.withSignal(shutdown.signal).all('select 1 as one');
    });
    const res = await testClient(app).get('/report');
    assert.equal(res.status, 503, res.text);
    assert.equal(res.headers['retry-after'], '5');
    assert.equal(res.json<Problem>().detail, 'The server is shutting down. Try again shortly.');
    assert.equal(entries.filter((e) => e.level === 'warn').length, 1);
    assert.equal(entries.filter((e) => e.level === 'error').length, 0);
  });

  test('work stopped because the client left is a 499, logged as no server fault', async (t) => {
    const { db, app, entries } = await setup(t);
    const started = gate();
    const statuses: number[] = [];
    // The status the error handler chose (nobody receives it; onResponse never runs on a closed connection).
    app.fastify.addHook('onSend', async (_request, reply) => {
      statuses.push(reply.statusCode);
    });
    app.get('/report', {}, async (ctx) => {
      const view = db.withSignal(ctx.signal);
      started.open();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      return view.all('select 1 as one');
    });
    const { host, port } = await listenLocal(app);
    t.after(() => app.close());
    const socket = net.connect(port, host);
    socket.on('error', () => {});
    socket.write('GET /report HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await started.promise;
    socket.destroy();
    assert.ok(await waitFor(() => statuses.length > 0), 'the error was answered');
    assert.deepEqual(statuses, [499]);
    assert.deepEqual(
      entries.filter((e) => e.level === 'warn' || e.level === 'error').map((e) => e.msg),
      [],
    );
  });
});
