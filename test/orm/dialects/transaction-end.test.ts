/**
 * A transaction refuses statements from the moment it starts to end. A statement issued while
 * its COMMIT or ROLLBACK is on its way (a chain the callback did not await) would otherwise run
 * after it, outside the transaction: on PostgreSQL in autocommit on a client already back in the
 * pool, on SQLite between the ROLLBACK and the release of the connection's lock. A write of a
 * rolled-back transaction would be kept.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../../src/orm/database.ts';
import { ForeignKeyViolationError } from '../../../src/orm/errors.ts';
import { count, forEachDialect, ph } from '../support.ts';

/** `promise`, then `n` more turns of the microtask queue. */
function hops(promise: Promise<unknown>, n: number): Promise<unknown> {
  let next = promise;
  for (let i = 0; i < n; i++) next = next.then(() => {});
  return next;
}

/**
 * Each late write was refused, or ran early enough to be inside the transaction (and undone
 * with it, which the row checks show).
 */
async function refusedOrUndone(writes: Promise<unknown>[]): Promise<void> {
  for (const outcome of await Promise.allSettled(writes)) {
    if (outcome.status === 'rejected') assert.match(String(outcome.reason), /already finished/);
  }
}

forEachDialect((dialect, open) => {
  // A write that comes `depth` microtask turns after a statement the callback did not await:
  // the window between "the body is over" and "the transaction is over" is a few turns on
  // SQLite (every one is tried), a round trip on PostgreSQL.
  const DEPTHS =
    dialect === 'sqlite' ? Array.from({ length: 41 }, (_, i) => i) : [0, 1, 2, 3, 5, 8, 13, 21, 34];
  // On PostgreSQL the forgotten statement is still running when the body ends: the COMMIT or
  // ROLLBACK is queued behind it, and the write issued when it completes behind that.
  const slow = dialect === 'postgres' ? 'select pg_sleep(0.02)' : 'select 1';

  async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<Database> {
    const db = await open({ max: 1 });
    t.after(() => db.close());
    await db.run('create table items (name text primary key)');
    return db;
  }

  test('a write issued while the transaction rolls back is refused, never committed on its own', async (t) => {
    const db = await setup(t);
    const late: Promise<unknown>[] = [];
    for (const depth of DEPTHS) {
      await assert.rejects(
        db.transaction(async (tx) => {
          void hops(tx.all(slow), depth).then(() => {
            const write = tx.run(`insert into items values (${ph(tx, 1)})`, [`rolled back ${depth}`]);
            late.push(write);
            write.catch(() => {});
          });
          throw new Error('the callback fails');
        }),
        /the callback fails/,
      );
    }
    await sleep(100);
    assert.deepEqual(
      await db.all('select name from items'),
      [],
      'a write of a rolled-back transaction was kept',
    );
    await refusedOrUndone(late);
  });

  test('a write issued while the COMMIT is under way is refused: a COMMIT that fails keeps nothing', async (t) => {
    const db = await setup(t);
    // A foreign key checked at COMMIT: the COMMIT fails, and the transaction rolls back then.
    await db.run('create table parents (id integer primary key)');
    await db.run(
      'create table children (name text primary key, parent integer references parents (id) deferrable initially deferred)',
    );
    const late: Promise<unknown>[] = [];
    for (const depth of DEPTHS) {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run(`insert into children values (${ph(tx, 1)}, 404)`, [`orphan ${depth}`]);
          void hops(tx.all(slow), depth).then(() => {
            const write = tx.run(`insert into items values (${ph(tx, 1)})`, [`late ${depth}`]);
            late.push(write);
            write.catch(() => {});
          });
        }),
        ForeignKeyViolationError,
      );
    }
    await sleep(100);
    assert.deepEqual(await db.all('select name from items'), [], 'a write of a failed transaction was kept');
    assert.equal(await count(db, 'children'), 0);
    await refusedOrUndone(late);
  });

  test('a savepoint refuses a write issued while it is released or rolled back', async (t) => {
    const db = await setup(t);
    const late: Promise<unknown>[] = [];
    for (const depth of DEPTHS) {
      await db.transaction(async (tx) => {
        await tx
          .transaction(async (inner) => {
            void hops(inner.all(slow), depth).then(() => {
              const write = inner.run(`insert into items values (${ph(inner, 1)})`, [`inner ${depth}`]);
              late.push(write);
              write.catch(() => {});
            });
            throw new Error('the savepoint fails');
          })
          .catch(() => {});
        // The outer transaction goes on long enough for every late write to be issued.
        await tx.all(slow);
        await hops(Promise.resolve(), 50);
      });
    }
    await sleep(100);
    assert.equal(await count(db, 'items'), 0, 'a write of a rolled-back savepoint was kept');
    await refusedOrUndone(late);
  });
});
