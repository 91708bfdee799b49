/**
 * PostgreSQL specifics: the pool's error listener, type parsing, the pool size, a bounded wait
 * for a client, and a server that is away or ends sessions (DatabaseUnavailableError).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { connect, type Database } from '../../../src/orm/database.ts';
import { parseInt8 } from '../../../src/orm/dialects/postgres/database.ts';
import { DatabaseBusyError, DatabaseError, DatabaseUnavailableError } from '../../../src/orm/errors.ts';
import { count, deferred, describePostgres, faultDatabase, testDatabase } from '../support.ts';

function unavailable(error: unknown): boolean {
  assert.ok(
    error instanceof DatabaseUnavailableError,
    `expected DatabaseUnavailableError, got ${String(error)}`,
  );
  assert.equal(error.code, 'VOLT_ORM_DATABASE_UNAVAILABLE');
  return true;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('int8 text becomes a number when exact, else a bigint', () => {
  assert.equal(parseInt8('42'), 42);
  assert.equal(parseInt8('-9007199254740991'), -9007199254740991);
  assert.equal(parseInt8('9007199254740993'), 9007199254740993n);
});

describePostgres('postgres', (url) => {
  test("an idle client's error is logged, not fatal", async (t) => {
    const logged: unknown[] = [];
    const db = await connect(url, { logger: { error: (object) => logged.push(object) } });
    t.after(() => db.close());
    await db.all('select 1'); // puts an idle client in the pool
    const pool = (db as unknown as { pool: import('pg').Pool }).pool;
    assert.equal(pool.idleCount, 1);
    // What pg does when the server drops an idle connection: 'error' on the pool.
    pool.emit('error', new Error('terminating connection due to administrator command'));
    assert.equal(logged.length, 1);
    assert.match(String((logged[0] as { err: Error }).err.message), /administrator command/);
    assert.deepEqual(await db.all('select 1 as one'), [{ one: 1 }], 'the pool still serves queries');
  });

  test('a backend killed while idle in the pool does not crash the process', async (t) => {
    const logged: unknown[] = [];
    const db = await connect(url, { logger: { error: (object) => logged.push(object) } });
    t.after(() => db.close());
    const { pid } = (await db.get<{ pid: number }>('select pg_backend_pid() as pid'))!;
    const admin = await connect(url, { max: 1 });
    t.after(() => admin.close());
    await admin.run('select pg_terminate_backend($1)', [pid]);
    for (let i = 0; i < 50 && logged.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(logged.length, 1, 'the idle client error reached the logger');
    assert.deepEqual(await db.all('select 2 as two'), [{ two: 2 }]);
  });

  test('a backend killed inside a transaction fails that transaction only', async (t) => {
    const logged: unknown[] = [];
    const db = await connect(url, { logger: { error: (object) => logged.push(object) } });
    t.after(() => db.close());
    const admin = await connect(url, { max: 1 });
    t.after(() => admin.close());
    await assert.rejects(
      db.transaction(async (tx) => {
        const { pid } = (await tx.get<{ pid: number }>('select pg_backend_pid() as pid'))!;
        await admin.run('select pg_terminate_backend($1)', [pid]);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await tx.all('select 1');
      }),
    );
    assert.deepEqual(await db.all('select 3 as three'), [{ three: 3 }]);
  });

  test('int8 → number or bigint, numeric → exact string, timestamptz → Date', async (t) => {
    const db = await testDatabase({ dialect: 'postgres' });
    t.after(() => db.close());
    const row = await db.get(
      "select 7::int8 as small, 9007199254740993::int8 as big, count(*) as n, 12.30::numeric(10,2) as price, '2024-05-06T07:08:09Z'::timestamptz as at from (values (1), (2)) v",
    );
    assert.deepEqual(row, {
      small: 7,
      big: 9007199254740993n,
      n: 2,
      price: '12.30',
      at: new Date('2024-05-06T07:08:09Z'),
    });
    await db.run('create table big (x int8)');
    await db.run('insert into big values ($1), ($2)', [9007199254740993n, 5]);
    assert.deepEqual(await db.all('select x from big order by x'), [{ x: 5 }, { x: 9007199254740993n }]);
  });

  test('the pool size follows the max option', async (t) => {
    const db = await connect(url, { max: 2 });
    t.after(() => db.close());
    const pool = (db as unknown as { pool: import('pg').Pool }).pool;
    assert.equal(pool.options.max, 2);
  });

  test("with no logger, an idle client's error is one JSON line on stderr", async (t) => {
    const db = await connect(url);
    t.after(() => db.close());
    await db.all('select 1');
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const pool = (db as unknown as { pool: import('pg').Pool }).pool;
      pool.emit(
        'error',
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      );
    } finally {
      process.stderr.write = write;
    }
    assert.equal(written.length, 1);
    assert.ok(written[0]!.endsWith('\n') && !written[0]!.slice(0, -1).includes('\n'), 'one line');
    const line = JSON.parse(written[0]!) as {
      level: number;
      msg: string;
      err: { message: string; code: string };
    };
    assert.equal(line.level, 50);
    assert.match(line.msg, /idle client/);
    assert.equal(line.err.message, 'terminating connection due to administrator command');
    assert.equal(line.err.code, '57P01');
  });

  test('waiting for a pooled connection is bounded: past connectionTimeoutMs, DatabaseBusyError', async (t) => {
    const db = await connect(url, { max: 1, connectionTimeoutMs: 200 });
    t.after(() => db.close());
    const release = deferred();
    const holding = deferred();
    const busy = db.transaction(async () => {
      holding.resolve();
      await release.promise;
    });
    await holding.promise;
    const started = performance.now();
    await assert.rejects(db.get('select 1'), (error) => {
      assert.ok(error instanceof DatabaseBusyError);
      assert.equal(error.code, 'VOLT_ORM_DATABASE_BUSY');
      assert.match(error.message, /within 200 ms \(connectionTimeoutMs; the pool has 1\)/);
      return true;
    });
    const waited = performance.now() - started;
    assert.ok(waited >= 150 && waited < 1500, `waited ${Math.round(waited)} ms`);
    release.resolve();
    await busy;
    assert.deepEqual(await db.get('select 1 as one'), { one: 1 });
  });

  test('a server that refuses connections is DatabaseUnavailableError', async (t) => {
    const db = await connect(`postgres://postgres@127.0.0.1:${await closedPort()}/test`);
    t.after(() => db.close());
    await assert.rejects(db.get('select 1'), unavailable);
    await assert.rejects(
      db.transaction(async () => {}),
      unavailable,
    );
  });

  test('a database that does not accept connections is DatabaseUnavailableError, until it does', async (t) => {
    const fault = await faultDatabase(url);
    t.after(() => fault.drop());
    const db = await connect(fault.url);
    t.after(() => db.close());
    await db.run('create table items (name text)');
    await fault.refuse();
    // The pool's idle client may not have heard of its end yet: its statement finds the session
    // terminated (57P01). Past it, a new connection is refused (55000).
    await assert.rejects(db.get('select 1'), unavailable);
    await assert.rejects(db.get('select 1'), (error) => {
      unavailable(error);
      assert.equal((error as DatabaseError).driverCode, '55000');
      return true;
    });
    await fault.accept();
    assert.equal(await count(db, 'items'), 0);
  });

  test('a backend terminated in the middle of a transaction: DatabaseUnavailableError and no partial rows', async (t) => {
    const fault = await faultDatabase(url);
    t.after(() => fault.drop());
    const db = await connect(fault.url, { logger: { error: () => {} } });
    t.after(() => db.close());
    await db.run('create table items (name text)');
    // Terminated while a statement runs (57P01), and while the transaction is idle between
    // two statements (the next one finds a dead connection: "not queryable").
    for (const when of ['during a statement', 'between statements'] as const) {
      await assert.rejects(
        db.transaction(async (tx: Database) => {
          await tx.run('insert into items values ($1)', ['first']);
          const { pid } = (await tx.get<{ pid: number }>('select pg_backend_pid() as pid'))!;
          if (when === 'during a statement') {
            const sleeping = tx.get('select pg_sleep(5)');
            sleeping.catch(() => {}); // awaited below, after the backend is gone
            await new Promise((resolve) => setTimeout(resolve, 100));
            await fault.terminate(pid);
            await sleeping;
          } else {
            await fault.terminate(pid);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          await tx.run('insert into items values ($1)', ['second']);
        }),
        unavailable,
        when,
      );
      assert.equal(await count(db, 'items'), 0, when);
    }
  });

  test('a statement whose backend is terminated is DatabaseUnavailableError; the next one works', async (t) => {
    const fault = await faultDatabase(url);
    t.after(() => fault.drop());
    const db = await connect(fault.url, { max: 1 });
    t.after(() => db.close());
    const { pid } = (await db.get<{ pid: number }>('select pg_backend_pid() as pid'))!;
    const sleeping = db.get('select pg_sleep(5)');
    sleeping.catch(() => {}); // awaited below, after the backend is gone
    await new Promise((resolve) => setTimeout(resolve, 100));
    await fault.terminate(pid);
    await assert.rejects(sleeping, unavailable);
    assert.deepEqual(await db.get('select 1 as one'), { one: 1 });
  });
});

test('a PostgreSQL URL that cannot be read fails at connect() without quoting it', async () => {
  for (const url of ['postgres://app:hunter2@[oops/db', 'postgres://app:hunter2@db.example.com:99999/app']) {
    await assert.rejects(connect(url), (error) => {
      assert.ok(error instanceof DatabaseError);
      assert.match(error.message, /cannot be read/);
      assert.ok(
        !JSON.stringify({ message: error.message, stack: error.stack, cause: String(error.cause) }).includes(
          'hunter2',
        ),
      );
      return true;
    });
  }
});
