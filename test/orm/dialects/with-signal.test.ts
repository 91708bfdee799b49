/**
 * `db.withSignal(signal)`: work stops when the signal aborts. No statement or transaction
 * starts after the abort, a transaction it interrupts rolls back, waits for the connection end,
 * and on PostgreSQL a running statement is cancelled on the server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from '../../../src/orm/database.ts';
import { DatabaseAbortedError } from '../../../src/orm/errors.ts';
import { count, deferred, describePostgres, forEachDialect, ph, testDatabase } from '../support.ts';

function aborted(error: unknown): boolean {
  assert.ok(error instanceof DatabaseAbortedError, `expected DatabaseAbortedError, got ${String(error)}`);
  assert.equal(error.code, 'VOLT_ORM_ABORTED');
  return true;
}

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    await db.run('create table items (name text primary key)');
    return db;
  }

  test('a view runs statements and transactions like the database until its signal aborts', async (t) => {
    const db = await setup(t);
    const controller = new AbortController();
    const view = db.withSignal(controller.signal);
    assert.equal(view.dialect, db.dialect);
    await view.run(`insert into items values (${ph(view, 1)})`, ['a']);
    await view.transaction(async (tx) => {
      await tx.run(`insert into items values (${ph(tx, 1)})`, ['b']);
    });
    assert.deepEqual(await view.kysely.selectFrom('items').select('name').orderBy('name').execute(), [
      { name: 'a' },
      { name: 'b' },
    ]);

    controller.abort(new Error('the client left'));
    await assert.rejects(view.all('select * from items'), aborted);
    await assert.rejects(view.run(`insert into items values (${ph(view, 1)})`, ['c']), aborted);
    await assert.rejects(
      view.transaction(async () => {}),
      aborted,
    );
    await assert.rejects(view.kysely.selectFrom('items').selectAll().execute(), aborted);
    // The database itself, and other views, go on.
    assert.equal(await count(db, 'items'), 2);
    assert.equal(await count(db.withSignal(new AbortController().signal), 'items'), 2);
    await assert.rejects(view.close(), /not a view/);
  });

  test('an abort in the middle of a transaction rolls it back; the abort reason is the cause', async (t) => {
    const db = await setup(t);
    const controller = new AbortController();
    const reason = new Error('the client left');
    await assert.rejects(
      db.withSignal(controller.signal).transaction(async (tx) => {
        await tx.run(`insert into items values (${ph(tx, 1)})`, ['a']);
        await tx.transaction(async (inner) => {
          await inner.run(`insert into items values (${ph(inner, 1)})`, ['b']);
        });
        controller.abort(reason);
        await tx.run(`insert into items values (${ph(tx, 1)})`, ['c']);
      }),
      (error) => aborted(error) && (error as Error).cause === reason,
    );
    assert.equal(await count(db, 'items'), 0);
  });

  test('the signal of a view of a view adds to its own', async (t) => {
    const db = await setup(t);
    const outer = new AbortController();
    const inner = new AbortController();
    const view = db.withSignal(outer.signal).withSignal(inner.signal);
    await view.get('select 1 as one');
    outer.abort();
    await assert.rejects(view.get('select 1 as one'), aborted);
  });

  test('a view of a transaction stops that transaction only', async (t) => {
    const db = await setup(t);
    const controller = new AbortController();
    await db.transaction(async (tx) => {
      const view = tx.withSignal(controller.signal);
      await view.run(`insert into items values (${ph(view, 1)})`, ['a']);
      controller.abort();
      await assert.rejects(view.run(`insert into items values (${ph(view, 1)})`, ['b']), aborted);
      await tx.run(`insert into items values (${ph(tx, 1)})`, ['c']);
    });
    assert.deepEqual(await db.all('select name from items order by name'), [{ name: 'a' }, { name: 'c' }]);
  });

  test('a view waiting for a busy connection stops waiting when its signal aborts', async (t) => {
    const db = await open({ max: 1 });
    t.after(() => db.close());
    const holding = deferred();
    const release = deferred();
    // SQLite: the transaction holds the connection's lock; PostgreSQL: the pool's only client.
    const busy = db.transaction(async () => {
      holding.resolve();
      await release.promise;
    });
    await holding.promise;
    const controller = new AbortController();
    const started = performance.now();
    const waiting = db.withSignal(controller.signal).transaction(async () => {});
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(waiting, aborted);
    assert.ok(performance.now() - started < 1000, 'stopped waiting at the abort');
    release.resolve();
    await busy;
    assert.deepEqual(await db.get('select 1 as one'), { one: 1 });
  });
});

describePostgres('postgres: cancelling a running statement', (url) => {
  test('a pg_sleep(10) is cancelled within a second of the abort and its backend is idle again', async (t) => {
    const db = await testDatabase({ dialect: 'postgres', url, max: 1 });
    t.after(() => db.close());
    const admin = await connect(url, { max: 1 });
    t.after(() => admin.close());
    const { pid } = (await db.get<{ pid: number }>('select pg_backend_pid() as pid'))!;
    const controller = new AbortController();
    const sleeping = db.withSignal(controller.signal).get('select pg_sleep(10)');
    // Abort once the statement runs on the server.
    for (let i = 0; i < 100; i++) {
      const row = await admin.get<{ state: string }>('select state from pg_stat_activity where pid = $1', [
        pid,
      ]);
      if (row?.state === 'active') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const abortedAt = performance.now();
    controller.abort(new Error('the client left'));
    await assert.rejects(sleeping, aborted);
    const took = performance.now() - abortedAt;
    assert.ok(took < 1000, `cancelled after ${Math.round(took)} ms`);
    // The server reports the backend's new state a moment after it answered the cancel: on a
    // busy machine the first look can still see it 'active'. Look for up to two seconds.
    let state: string | undefined;
    for (const deadline = performance.now() + 2000; performance.now() < deadline; ) {
      state = (await admin.get<{ state: string }>('select state from pg_stat_activity where pid = $1', [pid]))
        ?.state;
      if (state !== 'active') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(state, 'idle', 'the backend runs nothing any more');
    // The pool's one client serves the next statement.
    assert.deepEqual(await db.get('select pg_backend_pid() as pid'), { pid });
  });

  test('a cancelled statement inside a transaction rolls the transaction back', async (t) => {
    const db = await testDatabase({ dialect: 'postgres', url });
    t.after(() => db.close());
    await db.run('create table items (name text primary key)');
    const controller = new AbortController();
    const started = deferred();
    const work = db.withSignal(controller.signal).transaction(async (tx) => {
      await tx.run('insert into items values ($1)', ['a']);
      started.resolve();
      await tx.get('select pg_sleep(10)');
    });
    await started.promise;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const abortedAt = performance.now();
    controller.abort();
    await assert.rejects(work, aborted);
    assert.ok(performance.now() - abortedAt < 1000);
    assert.equal(await count(db, 'items'), 0);
  });
});
