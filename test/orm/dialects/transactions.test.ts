/**
 * Transactions on both dialects: commit, rollback on throw, savepoints, and concurrent
 * transactions that must not undo each other's writes (the shared SQLite connection).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DatabaseError } from '../../../src/orm/errors.ts';
import { count, deferred, forEachDialect, ph } from '../support.ts';

forEachDialect((dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    await db.run('create table items (name text primary key)');
    return db;
  }

  test('a failed raw statement whose error the callback caught: PostgreSQL refuses the rest and rolls back, saying so', async (t) => {
    const db = await setup(t);
    const insert = `insert into items values (${ph(db, 1)})`;
    await db.run(insert, ['taken']);
    let after: unknown;
    const ended = db
      .transaction(async (tx) => {
        await tx.run(insert, ['kept?']);
        await assert.rejects(tx.run(insert, ['taken']));
        after = await tx.run(insert, ['later']).catch((error: unknown) => error);
      })
      .then(
        () => 'committed',
        (error: unknown) => error,
      );
    const outcome = await ended;
    if (dialect === 'postgres') {
      assert.ok(after instanceof DatabaseError);
      assert.match(after.message, /An earlier statement of this transaction failed/);
      assert.ok(outcome instanceof DatabaseError);
      assert.match(outcome.message, /rolled back, not committed/);
      assert.equal(await count(db, 'items'), 1);
    } else {
      // SQLite keeps a transaction going after a failed raw statement (only the ORM's writes
      // mark it): the rest runs and commits.
      assert.equal(outcome, 'committed');
      assert.equal(await count(db, 'items'), 3);
    }
    // A savepoint survives the failure on both.
    await db.transaction(async (tx) => {
      await assert.rejects(tx.transaction((sp) => sp.run(insert, ['taken'])));
      await tx.run(insert, ['after savepoint']);
    });
    assert.equal((await db.all("select name from items where name = 'after savepoint'")).length, 1);
  });

  test('a transaction commits when its callback resolves and returns its value', async (t) => {
    const db = await setup(t);
    const value = await db.transaction(async (tx) => {
      await tx.run(`insert into items values (${ph(tx, 1)})`, ['a']);
      return 42;
    });
    assert.equal(value, 42);
    assert.equal(await count(db, 'items'), 1);
  });

  test('a throwing callback rolls back and the same error is rethrown', async (t) => {
    const db = await setup(t);
    const boom = new Error('boom');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run(`insert into items values (${ph(tx, 1)})`, ['a']);
        throw boom;
      }),
      (error) => error === boom,
    );
    assert.equal(await count(db, 'items'), 0);
  });

  test('a nested transaction is a savepoint: its rollback keeps the outer work', async (t) => {
    const db = await setup(t);
    await db.transaction(async (tx) => {
      await tx.run(`insert into items values (${ph(tx, 1)})`, ['outer']);
      await assert.rejects(
        tx.transaction(async (inner) => {
          await inner.run(`insert into items values (${ph(inner, 1)})`, ['inner']);
          throw new Error('inner fails');
        }),
        /inner fails/,
      );
      await tx.transaction(async (inner) => {
        await inner.run(`insert into items values (${ph(inner, 1)})`, ['kept']);
        await inner.transaction(async (deeper) => {
          await deeper.run(`insert into items values (${ph(deeper, 1)})`, ['deeper']);
        });
      });
    });
    assert.deepEqual(await db.all('select name from items order by name'), [
      { name: 'deeper' },
      { name: 'kept' },
      { name: 'outer' },
    ]);
  });

  test('an outer rollback undoes committed savepoints too', async (t) => {
    const db = await setup(t);
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.transaction(async (inner) => {
          await inner.run(`insert into items values (${ph(inner, 1)})`, ['inner']);
        });
        throw new Error('outer fails');
      }),
      /outer fails/,
    );
    assert.equal(await count(db, 'items'), 0);
  });

  test('sibling savepoints started together run one after the other', async (t) => {
    const db = await setup(t);
    await db.transaction(async (tx) => {
      const results = await Promise.allSettled(
        ['a', 'b', 'c'].map((name) =>
          tx.transaction(async (inner) => {
            await inner.run(`insert into items values (${ph(inner, 1)})`, [name]);
            await new Promise((resolve) => setTimeout(resolve, 5));
            if (name === 'b') throw new Error('b fails');
          }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
    });
    assert.deepEqual(await db.all('select name from items order by name'), [{ name: 'a' }, { name: 'c' }]);
  });

  test("one transaction's rollback never undoes another's writes when they interleave", async (t) => {
    const db = await setup(t);
    const aWrote = deferred();
    const bStarted = deferred();
    // A writes, then waits for B to start before failing; B writes and commits.
    const a = db.transaction(async (tx) => {
      await tx.run(`insert into items values (${ph(tx, 1)})`, ['from A']);
      aWrote.resolve();
      await Promise.race([bStarted.promise, new Promise((resolve) => setTimeout(resolve, 50))]);
      throw new Error('A rolls back');
    });
    await aWrote.promise;
    const b = db.transaction(async (tx) => {
      bStarted.resolve();
      await tx.run(`insert into items values (${ph(tx, 1)})`, ['from B']);
    });
    // Outside any transaction, also issued while A holds the connection.
    const outside = db.run(`insert into items values (${ph(db, 1)})`, ['outside']);
    await assert.rejects(a, /A rolls back/);
    await b;
    await outside;
    assert.deepEqual(await db.all('select name from items order by name'), [
      { name: 'from B' },
      { name: 'outside' },
    ]);
  });

  test('a finished transaction cannot be used any more', async (t) => {
    const db = await setup(t);
    let leaked: { all: (sql: string) => Promise<unknown> } | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await assert.rejects(leaked!.all('select 1'), /already finished/);
  });

  test('db.kysely inside a transaction is tx.kysely', async (t) => {
    const db = await setup(t);
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.kysely.insertInto('items').values({ name: 'k' }).execute();
        assert.equal(await count(tx, 'items'), 1);
        throw new Error('undo');
      }),
      /undo/,
    );
    assert.equal(await count(db, 'items'), 0);
  });

  test('using db instead of tx inside a transaction fails at once, and nothing of it is kept', async (t) => {
    const db = await setup(t);
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run(`insert into items values (${ph(tx, 1)})`, ['by tx']);
        await assert.rejects(
          db.run(`insert into items values (${ph(db, 1)})`, ['by db']),
          (error) => error instanceof DatabaseError && /use the `tx`/.test(error.message),
        );
        await assert.rejects(db.kysely.selectFrom('items').selectAll().execute(), /use the `tx`/);
        await assert.rejects(
          db.transaction(async () => {}),
          /tx\.transaction\(\)/,
        );
        // Inside a savepoint too.
        await tx.transaction(async () => {
          await assert.rejects(db.all('select 1'), /use the `tx`/);
        });
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.equal(await count(db, 'items'), 0);
  });

  test('ten transactions using db by mistake at once all fail fast instead of exhausting the pool', async (t) => {
    const db = await open({ max: 2 });
    t.after(() => db.close());
    await db.run('create table items (name text primary key)');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the transactions still wait after 4 s')), 4000);
    });
    t.after(() => clearTimeout(timer));
    const outcomes = await Promise.race([
      Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          db.transaction(async (tx) => {
            await tx.run(`insert into items values (${ph(tx, 1)})`, [`tx ${i}`]);
            await db.run(`insert into items values (${ph(db, 1)})`, [`db ${i}`]);
          }),
        ),
      ),
      timeout,
    ]);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.match(String((outcome as PromiseRejectedResult).reason), /use the `tx`/);
    }
    assert.equal(await count(db, 'items'), 0);
  });

  test('db works again once the transaction is over, also from work its callback started', async (t) => {
    const db = await setup(t);
    let later: Promise<unknown> | undefined;
    const done = deferred();
    await db.transaction(async (tx) => {
      await tx.run(`insert into items values (${ph(tx, 1)})`, ['a']);
      // Started inside the callback (same async context), run after the commit.
      later = new Promise((resolve) => setTimeout(resolve, 20)).then(() =>
        db.run(`insert into items values (${ph(db, 1)})`, ['after']).finally(done.resolve),
      );
    });
    await done.promise;
    await later;
    assert.equal(await count(db, 'items'), 2);
  });

  test('another database may be used inside a transaction', async (t) => {
    const db = await setup(t);
    const other = await open();
    t.after(() => other.close());
    await db.transaction(async (tx) => {
      await tx.run(`insert into items values (${ph(tx, 1)})`, ['a']);
      assert.deepEqual(await other.get('select 1 as one'), { one: 1 });
    });
    assert.equal(await count(db, 'items'), 1);
  });
});
