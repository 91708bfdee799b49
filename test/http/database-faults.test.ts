/**
 * A database that is busy or away is answered 503 with `Retry-After`, within a bound, and the
 * rest of the app keeps answering: another process holding SQLite's write lock, a PostgreSQL
 * pool with every client busy, a database that refuses connections, a backend terminated in the
 * middle of a transaction (nothing of it is kept). A client that goes away stops its queries.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { volt } from '../../src/index.ts';
import { t as types } from '../../src/openapi/t.ts';
import { connect, type Database } from '../../src/orm/database.ts';
import { testClient } from '../../src/testing/index.ts';
import { count, describePostgres, faultDatabase, forEachDialect, holdSqliteLock } from '../orm/support.ts';
import { listenLocal, sleep, waitFor } from './support.ts';

interface Problem {
  status: number;
  title: string;
  detail: string;
}

/** An app over `db`: a route that never touches the database, one that writes, one that reads slowly. */
function appOver(db: Database) {
  const app = volt({ logger: false, envFile: false });
  app.get('/ping', {}, () => ({ pong: true }));
  app.post('/items', { status: 201, body: types.Object({ name: types.String() }) }, async (ctx) => {
    await db.run(`insert into items (name) values (${db.dialect === 'sqlite' ? '?' : '$1'})`, [
      ctx.body.name,
    ]);
    return { ok: true };
  });
  app.get('/items', {}, async () => ({ count: await count(db, 'items') }));
  app.post('/orders', {}, async () => {
    await db.transaction(async (tx) => {
      const mark = tx.dialect === 'sqlite' ? '?' : '$1';
      await tx.run(`insert into items (name) values (${mark})`, ['order line 1']);
      await tx.get(tx.dialect === 'sqlite' ? 'select 1' : 'select pg_sleep(2)');
      await tx.run(`insert into items (name) values (${mark})`, ['order line 2']);
    });
    return { ok: true };
  });
  return app;
}

function assertUnavailable(res: { status: number; headers: Record<string, unknown>; json<T>(): T }) {
  assert.equal(res.status, 503);
  assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.match(String(res.headers['retry-after']), /^\d+$/);
  const body = res.json<Problem>();
  assert.equal(body.title, 'Service Unavailable');
  assert.match(body.detail, /Try again shortly/);
}

test('SQLite: while another process holds the write lock, other routes answer at once and a write waits, then succeeds', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volt-http-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.db');
  const db = await connect(`sqlite:${file}`);
  t.after(() => db.close());
  await db.run('create table items (name text)');
  const client = testClient(appOver(db));
  t.after(() => client.close());

  const lock = holdSqliteLock(file, 2000);
  await lock.locked;
  const started = performance.now();
  const write = client.post('/items', { json: { name: 'waited' } });
  const pings: number[] = [];
  while (performance.now() - started < 1600) {
    const sent = performance.now();
    assert.equal((await client.get('/ping')).status, 200);
    pings.push(performance.now() - sent);
    await sleep(50);
  }
  const res = await write;
  assert.equal(res.status, 201, res.text);
  assert.ok(performance.now() - started >= 1500, 'the write waited for the lock');
  assert.ok(pings.length >= 10);
  // node:sqlite's own busy wait froze every route for the whole hold (2 s).
  assert.ok(Math.max(...pings) < 600, `slowest /ping: ${Math.round(Math.max(...pings))} ms`);
  await lock.released;
  assert.equal(await count(db, 'items'), 1);
});

test('SQLite: a lock held longer than busyTimeoutMs is a 503 with Retry-After, after busyTimeoutMs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volt-http-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.db');
  const db = await connect(`sqlite:${file}`, { busyTimeoutMs: 1000 });
  t.after(() => db.close());
  await db.run('create table items (name text)');
  const client = testClient(appOver(db));
  t.after(() => client.close());
  const lock = holdSqliteLock(file, 4500);
  t.after(() => lock.released);
  await lock.locked;
  for (const send of [() => client.post('/items', { json: { name: 'x' } }), () => client.post('/orders')]) {
    const started = performance.now();
    const res = await send();
    const took = performance.now() - started;
    assertUnavailable(res);
    assert.equal(res.json<Problem>().detail, 'The database is busy. Try again shortly.');
    assert.ok(took >= 900 && took < 3000, `answered after ${Math.round(took)} ms`);
  }
  await lock.released;
  assert.equal(await count(db, 'items'), 0);
});

forEachDialect((dialect, open) => {
  test('a client that goes away stops its database work: nothing starts after the abort', async (t) => {
    const db = await open();
    t.after(() => db.close());
    await db.run('create table items (name text)');
    const app = volt({ logger: false, envFile: false });
    let outcome: unknown;
    const finished = Promise.withResolvers<void>();
    app.get('/slow-write', {}, async (ctx) => {
      const scoped = db.withSignal(ctx.signal);
      try {
        await sleep(300); // the client leaves meanwhile
        await scoped.run(`insert into items (name) values (${dialect === 'sqlite' ? '?' : '$1'})`, ['late']);
        outcome = 'written';
      } catch (error) {
        outcome = error;
        throw error;
      } finally {
        finished.resolve();
      }
      return { ok: true };
    });
    const { port } = await listenLocal(app);
    t.after(() => app.close());
    const req = request({ host: '127.0.0.1', port, path: '/slow-write' });
    req.on('error', () => {});
    req.end();
    await sleep(100);
    req.destroy();
    await finished.promise;
    assert.equal((outcome as Error).name, 'DatabaseAbortedError');
    assert.equal(await count(db, 'items'), 0);
  });
});

describePostgres('postgres', (url) => {
  test('200 slow requests on a pool of 10 all get an answer, 200 or 503 + Retry-After, within the acquire timeout', async (t) => {
    const db = await connect(url, { max: 10 }); // the default acquire timeout: 5 s
    t.after(() => db.close());
    const app = volt({ logger: false, envFile: false });
    app.get('/slow', {}, async () => db.get('select pg_sleep(0.5) is null as slept'));
    const client = testClient(app);
    t.after(() => client.close());
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const res = await client.get('/slow');
        return { res, at: performance.now() - started };
      }),
    );
    const ok = answers.filter((a) => a.res.status === 200);
    const busy = answers.filter((a) => a.res.status === 503);
    assert.equal(ok.length + busy.length, 200, `statuses: ${[...new Set(answers.map((a) => a.res.status))]}`);
    assert.ok(ok.length >= 20, `${ok.length} served`);
    assert.ok(busy.length > 0, 'some waited past the timeout');
    for (const { res } of busy) {
      assertUnavailable(res);
      assert.equal(res.headers['retry-after'], '1');
      assert.equal(res.json<Problem>().detail, 'The database is busy. Try again shortly.');
    }
    const last = Math.max(...answers.map((a) => a.at));
    assert.ok(last < 9000, `the last answer came after ${Math.round(last)} ms`);
    assert.ok(Math.min(...busy.map((a) => a.at)) >= 4500, 'a 503 only after the 5 s wait');
  });

  test('a database that refuses connections is a 503 with Retry-After; it answers again once it accepts them', async (t) => {
    const fault = await faultDatabase(url);
    t.after(() => fault.drop());
    const db = await connect(fault.url);
    t.after(() => db.close());
    await db.run('create table items (name text)');
    const client = testClient(appOver(db));
    t.after(() => client.close());
    assert.deepEqual((await client.get('/items')).json(), { count: 0 });
    await fault.refuse();
    const res = await client.get('/items');
    assertUnavailable(res);
    assert.equal(res.headers['retry-after'], '5');
    assert.equal(res.json<Problem>().detail, 'The database is unavailable. Try again shortly.');
    assert.equal((await client.get('/ping')).status, 200);
    await fault.accept();
    assert.deepEqual((await client.get('/items')).json(), { count: 0 });
  });

  test('a server that is not there is a 503', async (t) => {
    const db = await connect('postgres://postgres@127.0.0.1:9/nowhere');
    t.after(() => db.close());
    const client = testClient(appOver(db));
    t.after(() => client.close());
    assertUnavailable(await client.get('/items'));
  });

  test('a backend terminated in the middle of a transaction: 503, and none of its rows', async (t) => {
    const fault = await faultDatabase(url);
    t.after(() => fault.drop());
    const db = await connect(fault.url, { logger: { error: () => {} } });
    t.after(() => db.close());
    await db.run('create table items (name text)');
    const admin = await connect(fault.url, { max: 1 });
    t.after(() => admin.close());
    const client = testClient(appOver(db));
    t.after(() => client.close());
    const pending = client.post('/orders');
    let pid: number | undefined;
    for (let i = 0; i < 300 && pid === undefined; i++) {
      const row = await admin.get<{ pid: number }>(
        "select pid from pg_stat_activity where query like 'select pg_sleep(2)%' and state = 'active'",
      );
      pid = row?.pid;
      if (pid === undefined) await sleep(10);
    }
    assert.ok(pid !== undefined, 'the transaction is running');
    await fault.terminate(pid!);
    const res = await pending;
    assertUnavailable(res);
    assert.equal(await count(db, 'items'), 0);
  });

  test('a client that goes away cancels its running query: the backend is idle within a second', async (t) => {
    const db = await connect(url, { max: 1 });
    t.after(() => db.close());
    const admin = await connect(url, { max: 1 });
    t.after(() => admin.close());
    const { pid } = (await db.get<{ pid: number }>('select pg_backend_pid() as pid'))!;
    const app = volt({ logger: false, envFile: false });
    let outcome: unknown;
    app.get('/report', {}, async (ctx) => {
      try {
        return await db.withSignal(ctx.signal).get('select pg_sleep(10) is null as slept');
      } catch (error) {
        outcome = error;
        throw error;
      }
    });
    const { port } = await listenLocal(app);
    t.after(() => app.close());
    const req = request({ host: '127.0.0.1', port, path: '/report' });
    req.on('error', () => {});
    req.end();
    const state = async () =>
      (await admin.get<{ state: string }>('select state from pg_stat_activity where pid = $1', [pid]))?.state;
    for (let i = 0; i < 200 && (await state()) !== 'active'; i++) await sleep(10);
    assert.equal(await state(), 'active', 'the query runs');
    const leftAt = performance.now();
    req.destroy();
    let idle = false;
    while (!idle && performance.now() - leftAt < 1000) {
      idle = (await state()) === 'idle';
      if (!idle) await sleep(20);
    }
    assert.ok(idle, 'the backend is idle again within a second');
    assert.ok(await waitFor(() => outcome !== undefined, 1000));
    assert.equal((outcome as Error).name, 'DatabaseAbortedError');
  });
});
