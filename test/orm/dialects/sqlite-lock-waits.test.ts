/**
 * SQLite: another process holding the write lock is waited for without blocking the event loop
 * (node:sqlite is synchronous: its own busy handler would freeze every request), up to
 * `busyTimeoutMs`, then `DatabaseBusyError`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect, type Database } from '../../../src/orm/database.ts';
import { DatabaseBusyError } from '../../../src/orm/errors.ts';
import { count, holdSqliteLock } from '../support.ts';

async function fileDatabase(t: { after: (fn: () => unknown) => void }, busyTimeoutMs?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'volt-lock-'));
  const file = join(dir, 'app.db');
  const db = await connect(`sqlite:${file}`, busyTimeoutMs === undefined ? {} : { busyTimeoutMs });
  t.after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await db.run('create table items (name text)');
  return { db, file };
}

/**
 * Runs `work` while a 10 ms interval ticks; answers its outcome and the longest gap between
 * ticks: how long the event loop froze.
 */
async function longestStall<T>(
  work: () => Promise<T>,
): Promise<{ result: PromiseSettledResult<T>; stall: number }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 10);
  // Started after the clock: a synchronous wait inside work() counts as a stall.
  const [result] = await Promise.allSettled([work()]);
  clearInterval(timer);
  return { result, stall: Math.max(stall, performance.now() - last) };
}

async function everyWayToWrite(db: Database, tag: string): Promise<void> {
  await db.run('insert into items values (?)', [`${tag} run`]);
  await db.transaction(async (tx) => {
    await tx.run('insert into items values (?)', [`${tag} transaction`]);
  });
}

test('a write waits for another process to release the lock, and the event loop keeps turning', async (t) => {
  const { db, file } = await fileDatabase(t);
  const lock = holdSqliteLock(file, 1500);
  await lock.locked;
  const started = performance.now();
  // A read goes on meanwhile (WAL), the writes wait.
  assert.equal(await count(db, 'items'), 0);
  const { result, stall } = await longestStall(() => everyWayToWrite(db, 'w'));
  const waited = performance.now() - started;
  assert.equal(result.status, 'fulfilled', String((result as PromiseRejectedResult).reason));
  assert.ok(waited >= 1000, `the write waited for the lock (${Math.round(waited)} ms)`);
  assert.ok(stall < 600, `the event loop stalled ${Math.round(stall)} ms`);
  await lock.released;
  assert.equal(await count(db, 'items'), 2);
});

test('past busyTimeoutMs the write fails with DatabaseBusyError, and the loop never froze', async (t) => {
  const { db, file } = await fileDatabase(t, 1000);
  const lock = holdSqliteLock(file, 3500);
  t.after(() => lock.released);
  await lock.locked;
  for (const write of [
    () => db.run('insert into items values (?)', ['x']),
    () => db.transaction(async (tx) => tx.run('insert into items values (?)', ['y'])),
  ]) {
    const started = performance.now();
    const { result, stall } = await longestStall(write);
    const waited = performance.now() - started;
    assert.equal(result.status, 'rejected');
    const error = (result as PromiseRejectedResult).reason;
    assert.ok(error instanceof DatabaseBusyError, String(error));
    assert.equal(error.code, 'VOLT_ORM_DATABASE_BUSY');
    assert.equal(
      error.message,
      'The database stayed locked by another connection for 1000 ms (busyTimeoutMs)',
    );
    // The driver's error is the cause, with its own words: the two messages differ.
    assert.notEqual((error.cause as Error).message, error.message);
    assert.ok(waited >= 950 && waited < 2500, `gave up after ${Math.round(waited)} ms`);
    assert.ok(stall < 500, `the event loop stalled ${Math.round(stall)} ms`);
  }
  await lock.released;
  assert.equal(await count(db, 'items'), 0);
});

test('busyTimeoutMs 0 gives up at once', async (t) => {
  const { db, file } = await fileDatabase(t, 0);
  const lock = holdSqliteLock(file, 1000);
  t.after(() => lock.released);
  await lock.locked;
  const started = performance.now();
  await assert.rejects(db.run('insert into items values (?)', ['x']), DatabaseBusyError);
  assert.ok(performance.now() - started < 200);
});
