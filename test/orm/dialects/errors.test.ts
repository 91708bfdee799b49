/**
 * Driver errors become Volt's error classes on both dialects, with table, columns and constraint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect, type Database } from '../../../src/orm/database.ts';
import { mapPostgresError } from '../../../src/orm/dialects/postgres/errors.ts';
import {
  CheckViolationError,
  ConstraintViolationError,
  DatabaseBusyError,
  DatabaseError,
  DatabaseUnavailableError,
  ForeignKeyViolationError,
  NotNullViolationError,
  UniqueViolationError,
} from '../../../src/orm/errors.ts';
import { forEachDialect, ph, serialKey } from '../support.ts';

forEachDialect((dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<Database> {
    const db = await open();
    t.after(() => db.close());
    await db.run(`create table authors (id ${serialKey(dialect)}, email text not null unique, age int,
      constraint age_positive check (age > 0))`);
    await db.run(
      'create table books (id int primary key, author_id int references authors (id), title text)',
    );
    await db.run('create table pairs (a int, b int, unique (a, b))');
    await db.run(`insert into authors (email, age) values (${ph(db, 1)}, ${ph(db, 2)})`, [
      'ada@example.com',
      36,
    ]);
    return db;
  }

  function expect<E extends ConstraintViolationError>(
    type: new (...args: any[]) => E,
    check: (error: E) => void,
  ): (error: unknown) => boolean {
    return (error) => {
      assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
      assert.ok(error instanceof DatabaseError);
      assert.ok(error.cause instanceof Error, 'the driver error is the cause');
      check(error);
      return true;
    };
  }

  test('a duplicate value is a UniqueViolationError naming table and columns', async (t) => {
    const db = await setup(t);
    await assert.rejects(
      db.run(`insert into authors (email) values (${ph(db, 1)})`, ['ada@example.com']),
      expect(UniqueViolationError, (error) => {
        assert.equal(error.table, 'authors');
        assert.deepEqual(error.columns, ['email']);
        if (dialect === 'postgres') assert.equal(error.constraint, 'authors_email_key');
      }),
    );
    await db.run('insert into pairs values (1, 2)');
    await assert.rejects(
      db.run('insert into pairs values (1, 2)'),
      expect(UniqueViolationError, (error) => assert.deepEqual(error.columns, ['a', 'b'])),
    );
    await assert.rejects(
      db.run(`insert into authors (id, email) values (1, 'other@example.com')`),
      expect(UniqueViolationError, (error) => assert.deepEqual(error.columns, ['id'])),
    );
  });

  test('a missing referenced row is a ForeignKeyViolationError', async (t) => {
    const db = await setup(t);
    await assert.rejects(
      db.run(`insert into books values (1, ${ph(db, 1)}, 'x')`, [999]),
      expect(ForeignKeyViolationError, (error) => {
        if (dialect === 'postgres') {
          assert.equal(error.table, 'books');
          assert.deepEqual(error.columns, ['author_id']);
          assert.equal(error.constraint, 'books_author_id_fkey');
        }
      }),
    );
    await db.run('insert into books values (1, 1, null)');
    await assert.rejects(
      db.run('delete from authors'),
      expect(ForeignKeyViolationError, () => {}),
    );
  });

  test('a NULL in a NOT NULL column is a NotNullViolationError', async (t) => {
    const db = await setup(t);
    await assert.rejects(
      db.run(`insert into authors (email) values (${ph(db, 1)})`, [null]),
      expect(NotNullViolationError, (error) => {
        assert.equal(error.table, 'authors');
        assert.deepEqual(error.columns, ['email']);
      }),
    );
  });

  test('a failed CHECK is a CheckViolationError naming the constraint', async (t) => {
    const db = await setup(t);
    await assert.rejects(
      db.run(`insert into authors (email, age) values (${ph(db, 1)}, ${ph(db, 2)})`, ['b@example.com', -1]),
      expect(CheckViolationError, (error) => {
        assert.equal(error.constraint, 'age_positive');
        if (dialect === 'postgres') assert.equal(error.table, 'authors');
      }),
    );
  });

  test('constraint errors inside a transaction roll it back and keep their class', async (t) => {
    const db = await setup(t);
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run(`insert into authors (email) values (${ph(tx, 1)})`, ['new@example.com']);
        await tx.run(`insert into authors (email) values (${ph(tx, 1)})`, ['new@example.com']);
      }),
      UniqueViolationError,
    );
    assert.equal((await db.all('select * from authors')).length, 1);
  });

  test("every error's code is a stable VOLT_ORM_* code of its class; the driver's is driverCode", async (t) => {
    const db = await setup(t);
    const cases: [() => Promise<unknown>, string, string, string][] = [
      [
        () => db.run(`insert into authors (email) values (${ph(db, 1)})`, ['ada@example.com']),
        'VOLT_ORM_UNIQUE_VIOLATION',
        '23505',
        '2067',
      ],
      [
        () => db.run('insert into books values (1, 999, null)'),
        'VOLT_ORM_FOREIGN_KEY_VIOLATION',
        '23503',
        '787',
      ],
      [
        () => db.run('insert into authors (email) values (null)'),
        'VOLT_ORM_NOT_NULL_VIOLATION',
        '23502',
        '1299',
      ],
      [
        () => db.run(`insert into authors (email, age) values ('b@example.com', -1)`),
        'VOLT_ORM_CHECK_VIOLATION',
        '23514',
        '275',
      ],
      [() => db.all('select * from no_such_table'), 'VOLT_ORM_DATABASE', '42P01', '1'],
    ];
    for (const [failing, code, sqlstate, sqliteCode] of cases) {
      await assert.rejects(failing(), (error) => {
        assert.ok(error instanceof DatabaseError);
        assert.equal(error.code, code);
        assert.equal(error.driverCode, dialect === 'postgres' ? sqlstate : sqliteCode);
        return true;
      });
    }
  });

  if (dialect === 'postgres')
    test('a deadlock between two transactions is a DatabaseBusyError for the one stopped; the other commits', async (t) => {
      const db = await setup(t);
      await db.run(`insert into books (id, title) values (1, 'a'), (2, 'b')`);
      let lockedBoth!: () => void;
      const bothLocked = new Promise<void>((resolve) => {
        let n = 0;
        lockedBoth = () => {
          if (++n === 2) resolve();
        };
      });
      // Each locks one row, then waits for the other's: PostgreSQL stops one after deadlock_timeout.
      const crossed = (first: number, second: number) =>
        db.transaction(async (tx) => {
          await tx.run(`update books set title = 'x' where id = $1`, [first]);
          lockedBoth();
          await bothLocked;
          await tx.run(`update books set title = 'y' where id = $1`, [second]);
        });
      const results = await Promise.allSettled([crossed(1, 2), crossed(2, 1)]);
      const failed = results.filter((r) => r.status === 'rejected');
      assert.equal(failed.length, 1, 'one transaction is stopped, the other commits');
      const error = (failed[0] as PromiseRejectedResult).reason;
      assert.ok(error instanceof DatabaseBusyError, String(error));
      assert.equal(error.driverCode, '40P01');
      assert.match(error.message, /deadlock/);
      const titles = await db.all<{ title: string }>('select title from books order by id');
      // The winner wrote 'x' on its first row and 'y' on its second; the stopped one, nothing.
      assert.deepEqual(titles.map((row) => row.title).sort(), ['x', 'y']);
    });

  test('other errors are DatabaseErrors carrying the SQL and the driver code', async (t) => {
    const db = await setup(t);
    await assert.rejects(db.all('select * from no_such_table'), (error) => {
      assert.ok(error instanceof DatabaseError);
      assert.ok(!(error instanceof ConstraintViolationError));
      assert.equal(error.sql, 'select * from no_such_table');
      assert.equal(error.code, 'VOLT_ORM_DATABASE');
      assert.equal(error.driverCode, dialect === 'postgres' ? '42P01' : '1');
      return true;
    });
  });
});

test('SQLite: a write lock held by another connection past busy_timeout is a DatabaseBusyError', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volt-busy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const url = `sqlite:${join(dir, 'app.db')}`;
  const first = await connect(url);
  const second = await connect(url, { busyTimeoutMs: 20 });
  t.after(async () => {
    await first.close();
    await second.close();
  });
  await first.run('create table t (x int)');
  await first.transaction(async (tx) => {
    // The transaction has only read: BEGIN IMMEDIATE has still taken the write lock.
    await tx.get('select count(*) from t');
    await assert.rejects(second.run('insert into t values (1)'), (error) => {
      assert.ok(error instanceof DatabaseBusyError);
      assert.match(error.message, /locked|busy/i);
      return true;
    });
    await assert.rejects(
      second.transaction(async () => {}),
      DatabaseBusyError,
    );
  });
  await second.run('insert into t values (1)');
});

// The server states the fault tests cannot cause on the shared server (restarting it, filling
// its connection slots): pg errors as pg reports them.
test('PostgreSQL: a server starting, stopping, full or gone is DatabaseUnavailableError; other errors are not', () => {
  const pgError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
  for (const [error, phase] of [
    [pgError('the database system is starting up', '57P03'), 'connect'],
    [pgError('sorry, too many clients already', '53300'), 'connect'],
    [pgError('database "x" is not currently accepting connections', '55000'), 'connect'],
    [pgError('terminating connection due to administrator command', '57P01'), 'statement'],
    [pgError('connection failure', '08006'), 'statement'],
    [pgError('read ECONNRESET', 'ECONNRESET'), 'statement'],
    [pgError('Connection terminated unexpectedly'), 'statement'],
    [pgError('Client has encountered a connection error and is not queryable'), 'statement'],
  ] as const) {
    const mapped = mapPostgresError(error, 'select 1', phase);
    assert.ok(mapped instanceof DatabaseUnavailableError, error.message);
    assert.equal(mapped.cause, error);
    assert.equal(mapped.driverCode, (error as { code?: string }).code);
  }
  // A deadlock or a serialization failure: run again, it can succeed.
  for (const code of ['40P01', '40001']) {
    const mapped = mapPostgresError(pgError('could not serialize access', code), 'update t set a = 1');
    assert.ok(mapped instanceof DatabaseBusyError, code);
    assert.equal(mapped.driverCode, code);
  }
  // currval before nextval is also 55000: on a running statement it is a plain error.
  const currval = mapPostgresError(
    pgError('currval of sequence "s" is not yet defined in this session', '55000'),
  );
  assert.ok(currval instanceof DatabaseError && !(currval instanceof DatabaseUnavailableError));
  assert.ok(
    !(
      mapPostgresError(pgError('password authentication failed', '28P01'), undefined, 'connect') instanceof
      DatabaseUnavailableError
    ),
  );
});
