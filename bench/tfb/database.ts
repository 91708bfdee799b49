/**
 * The database every TechEmpower server reads: `volt_tfb` on the local PostgreSQL, created when
 * missing, its two tables dropped and filled again on every run, plus the CPU time its
 * backends use (read from /proc, for "PostgreSQL's CPU per request").
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { FORTUNES } from './checks.ts';

/** The database the servers use. */
export const DATABASE = 'volt_tfb';

/**
 * The URL of `database` on the server `serverUrl` (`postgres://postgres@127.0.0.1:5432`), with an
 * `application_name` when given: each server's connections carry its own (`tfb-volt`), so
 * PostgreSQL's CPU is counted for the server under load only. Every driver here (pg, asyncpg,
 * libpq under psycopg2) reads it from the URL.
 */
export function databaseUrl(serverUrl: string, database: string, applicationName?: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  if (applicationName) url.searchParams.set('application_name', applicationName);
  return url.toString();
}

/** The `application_name` of a server's connections. */
export const applicationName = (server: string): string => `tfb-${server}`;

/**
 * Creates `volt_tfb` if missing (connecting to `test`), then (re)creates `world` with 10,000 rows
 * and `fortune` with the twelve standard fortunes.
 */
export async function prepareDatabase(serverUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl(serverUrl, 'test') });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (found.rowCount === 0) await admin.query(`create database ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const client = new pg.Client({ connectionString: databaseUrl(serverUrl, DATABASE) });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('drop table if exists world, fortune');
    await client.query('create table world (id integer primary key, randomnumber integer not null)');
    await client.query(
      `insert into world (id, randomnumber)
       select i, 1 + floor(random() * 10000)::integer from generate_series(1, 10000) as i`,
    );
    await client.query('create table fortune (id integer primary key, message varchar(2048) not null)');
    for (const [id, message] of FORTUNES)
      await client.query('insert into fortune (id, message) values ($1, $2)', [id, message]);
    await client.query('commit');
    await client.query('vacuum analyze world');
    await client.query('vacuum analyze fortune');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * CPU time of PostgreSQL's backends serving one server (its connections' `application_name`),
 * read from /proc: before and after a measurement, the difference is what the database spent
 * on it. Background work (WAL writer, checkpointer, autovacuum) is not counted.
 */
export class BackendCpu {
  readonly #client: pg.Client;
  readonly #ticksPerSecond: number;

  private constructor(client: pg.Client, ticksPerSecond: number) {
    this.#client = client;
    this.#ticksPerSecond = ticksPerSecond;
  }

  /** Opens the monitoring connection; `undefined` when /proc cannot be read (then no PG CPU is shown). */
  static async open(serverUrl: string, ticksPerSecond: number): Promise<BackendCpu | undefined> {
    const client = new pg.Client({ connectionString: databaseUrl(serverUrl, DATABASE) });
    await client.connect();
    const probe = new BackendCpu(client, ticksPerSecond);
    const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    if (ticksOf(pid) === undefined) {
      await client.end();
      return undefined;
    }
    return probe;
  }

  /** CPU milliseconds so far of each backend of `volt_tfb` named `applicationName`, by pid. */
  async sample(applicationName: string): Promise<Map<number, number>> {
    const { rows } = await this.#client.query<{ pid: number }>(
      `select pid from pg_stat_activity
       where datname = $1 and application_name = $2 and backend_type = 'client backend'`,
      [DATABASE, applicationName],
    );
    const sample = new Map<number, number>();
    for (const { pid } of rows) {
      const ticks = ticksOf(pid);
      if (ticks !== undefined) sample.set(pid, (ticks * 1000) / this.#ticksPerSecond);
    }
    return sample;
  }

  /** The CPU milliseconds used between two samples (a backend started in between counts whole). */
  static between(before: Map<number, number>, after: Map<number, number>): number {
    let ms = 0;
    for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0);
    return ms;
  }

  async close(): Promise<void> {
    await this.#client.end();
  }
}

/** utime + stime of a process in clock ticks, or `undefined` when it cannot be read. */
function ticksOf(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}
