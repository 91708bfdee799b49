/**
 * A cancel request (sent when a `withSignal()` view's signal aborts) travels on a connection of
 * its own: it can arrive after the statement it was sent for ended on its own, and then stops
 * whatever its connection runs next. Outside a transaction that connection is closed, not
 * reused; inside one, the transaction stops there (its next statements and its COMMIT throw
 * `DatabaseAbortedError`), rolls back, and its connection is closed. (SQLite has no cancel
 * requests: a statement that started always runs to its end.)
 *
 * The request's packet is held back here (the postmaster forks and signals the backend; on a
 * busy server that takes a while), to make the race deterministic.
 */
import assert from 'node:assert/strict';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseAbortedError } from '../../../src/orm/errors.ts';
import { count, describePostgres, testDatabase } from '../support.ts';

/** Cancel requests reach the server `ms` after they are sent, until the test ends. */
function holdCancelRequests(t: { after: (fn: () => void) => void }, ms: number): void {
  const original = net.connect;
  (net as { connect: unknown }).connect = (...args: unknown[]) => {
    const socket = (original as (...a: unknown[]) => net.Socket)(...args);
    const end = socket.end.bind(socket);
    (socket as { end: unknown }).end = (chunk: Buffer) => {
      setTimeout(() => end(chunk), ms);
      return socket;
    };
    return socket;
  };
  // postgres/cancel.ts imports `connect` from node:net: the named export follows the change.
  syncBuiltinESMExports();
  t.after(() => {
    (net as { connect: unknown }).connect = original;
    syncBuiltinESMExports();
  });
}

// A statement given 100 ms that takes 200: it ends before its cancel request (held 600 ms) arrives.
const HELD = 600;
function abortAfter(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('too slow')), ms);
  return controller.signal;
}

describePostgres('postgres: a cancel request that arrives late', (url) => {
  test('a late cancel of a tx.withSignal() statement stops the transaction, not its next statement', async (t) => {
    holdCancelRequests(t, HELD);
    const db = await testDatabase({ dialect: 'postgres', url, max: 1 });
    t.after(() => db.close());
    await db.run('create table items (name text primary key)');
    let next: Promise<unknown> | undefined;
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run(`insert into items values ('kept only if the transaction commits')`);
        await tx.withSignal(abortAfter(100)).all('select pg_sleep(0.2)');
        // The transaction goes on, no signal involved: it would be the statement the late
        // request stops (a 57014 "canceling statement" deep in unrelated code).
        next = tx.all('select pg_sleep(0.8)');
        await next;
      }),
      DatabaseAbortedError,
    );
    await assert.rejects(next!, DatabaseAbortedError);
    assert.equal(await count(db, 'items'), 0, 'the stopped transaction rolled back');
    // The pool's one connection is a new one: the late request stops nothing there.
    await assert.doesNotReject(db.all('select pg_sleep(0.8)'));
  });

  test('a late cancel never lands on the COMMIT of db.withSignal(s).transaction()', async (t) => {
    holdCancelRequests(t, HELD);
    const db = await testDatabase({ dialect: 'postgres', url, max: 1 });
    t.after(() => db.close());
    await db.run('create table items (name text primary key)');
    // A COMMIT that takes a while, as one with deferred triggers or a slow disk does.
    await db.run(
      `create function slow_commit() returns trigger language plpgsql as $$ begin perform pg_sleep(0.8); return null; end $$`,
    );
    await db.run(
      'create constraint trigger slow_commit after insert on items deferrable initially deferred for each row execute function slow_commit()',
    );
    await assert.rejects(
      db.withSignal(abortAfter(100)).transaction(async (tx) => {
        await tx.run(`insert into items values ('a')`);
        await tx.all('select pg_sleep(0.2)');
      }),
      DatabaseAbortedError,
    );
    assert.equal(await count(db, 'items'), 0);
    await assert.doesNotReject(db.all('select pg_sleep(0.8)'));
  });

  test('a statement_timeout while our cancel is on its way: the connection is not reused', async (t) => {
    holdCancelRequests(t, HELD);
    const db = await testDatabase({ dialect: 'postgres', url, max: 1 });
    t.after(() => db.close());
    // The statement is stopped by the server's timeout (57014 "due to statement timeout") at
    // 150 ms, while the cancel request sent at 50 ms is still on its way.
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run('set local statement_timeout = 150');
        await tx.withSignal(abortAfter(50)).all('select pg_sleep(2)');
      }),
    );
    // The next request's statement, on the pool's one connection: the late cancel request
    // must not stop it.
    await assert.doesNotReject(db.all('select pg_sleep(0.8)'));
    await sleep(50);
  });
});
