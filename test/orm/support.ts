/**
 * Helpers shared by the ORM's database tests.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { connect, type Database, type DialectName } from '../../src/orm/database.ts';
import { testPostgresUrl } from '../../src/testing/database.ts';

export { forEachDialect, testDatabase } from '../../src/testing/database.ts';

/** The auto-incrementing integer primary key column type of a dialect. */
export function serialKey(dialect: DialectName): string {
  return dialect === 'sqlite' ? 'integer primary key autoincrement' : 'serial primary key';
}

/** The n-th (1-based) placeholder of a dialect: `?` or `$n`. */
export function ph(db: Database, n: number): string {
  return db.dialect === 'sqlite' ? '?' : `$${n}`;
}

/** `count(*)` of a table, as a number on both dialects. */
export async function count(db: Database, table: string): Promise<number> {
  const row = await db.get<{ n: number | bigint }>(`select count(*) as n from ${db.quoteIdentifier(table)}`);
  return Number(row?.n);
}

/** A promise and the function that resolves it. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A suite that needs PostgreSQL: skipped with a visible message when `VOLT_TEST_POSTGRES` is not
 * set, failing instead in CI.
 */
export function describePostgres(name: string, body: (url: string) => void): void {
  const url = testPostgresUrl();
  if (url) {
    describe(name, () => body(url));
  } else if (process.env.CI === 'true') {
    test(name, () => {
      throw new Error('PostgreSQL: VOLT_TEST_POSTGRES is not set; CI must run the PostgreSQL tests');
    });
  } else {
    test(name, (t) => t.skip('PostgreSQL: VOLT_TEST_POSTGRES is not set'));
  }
}

/** A second process holding a SQLite file's write lock. */
export interface LockHolder {
  /** Resolves once the other process holds the lock. */
  locked: Promise<void>;
  /** Resolves once it has committed and exited. */
  released: Promise<void>;
}

// Runs in the other process: takes the write lock (BEGIN IMMEDIATE), says so, holds it, commits.
const HOLD_LOCK = `
const { DatabaseSync } = require('node:sqlite');
const [file, ms] = process.argv.slice(1);
const db = new DatabaseSync(file);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\\n');
setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(ms));
`;

/**
 * Starts a child process (`node:sqlite`, as another app or a cron job would) that takes the
 * write lock of the SQLite database `file` for `ms` milliseconds.
 */
export function holdSqliteLock(file: string, ms: number): LockHolder {
  const child = spawn(process.execPath, ['-e', HOLD_LOCK, file, String(ms)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before locking`)));
  });
  const released = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the lock holder exited with ${code}`)),
    );
  });
  locked.catch(() => {});
  return { locked, released };
}

/** A throwaway PostgreSQL database for fault tests, and what can be done to it. */
export interface FaultDatabase {
  /** Its URL. */
  url: string;
  /** Refuses new connections (`allow_connections false`) and ends the open ones. */
  refuse(): Promise<void>;
  /** Accepts connections again. */
  accept(): Promise<void>;
  /** Ends one backend (`pg_terminate_backend`), as an administrator or a failover would. */
  terminate(pid: number): Promise<void>;
  /** Drops the database (ending its connections). */
  drop(): Promise<void>;
}

/**
 * Creates `volt_fault_<random>` on the server of `serverUrl`. Only this database's connections
 * are ever refused or ended: the shared server and its other databases are left alone.
 */
export async function faultDatabase(serverUrl: string): Promise<FaultDatabase> {
  const name = `volt_fault_${randomBytes(6).toString('hex')}`;
  const admin = await connect(serverUrl, { max: 1 });
  await admin.run(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const endConnections = () =>
    admin.run(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    );
  return {
    url: url.toString(),
    async refuse() {
      await admin.run(`alter database ${name} allow_connections false`);
      await endConnections();
    },
    async accept() {
      await admin.run(`alter database ${name} allow_connections true`);
    },
    async terminate(pid) {
      await admin.run(
        'select pg_terminate_backend($1) from pg_stat_activity where pid = $1 and datname = $2',
        [pid, name],
      );
    },
    async drop() {
      try {
        await admin.run(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.close();
      }
    },
  };
}
