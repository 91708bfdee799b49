/**
 * What bench/crud/run.ts starts: the databases, made afresh from the same rows
 * (bench/crud/data.ts), and the servers, each with how it starts and whether it can here.
 *
 * - Volt's file: the tables from Volt's models (`createTables`), the rows through the ORM.
 *   The Volt servers read it; fastify-raw reads a byte copy of it (the same table layout).
 * - Django's file: the tables from Django's models (schema editor), the rows through
 *   `bulk_create` (`drf_app.py seed`).
 *
 * The price is indexed in each, unless `indexed` is false, as its models declare it: Django's
 * `db_index=True`, Volt's `f.decimal({ index: true })` (on SQLite an index on `cast(price as
 * real)`, the value Volt compares and orders decimals by). Without `indexed`, both are dropped.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { connect, createTables, query } from 'voltjs/orm';
import { PYTHON, pythonModulesMissing } from '../harness/peers.ts';
import { type Command, capture } from '../harness/processes.ts';
import { type Dataset, makeDataset } from './data.ts';
import { Category, Product } from './models.ts';
import { productsSql } from './servers/raw-sql.ts';

/** The id of a server of the run. */
export type ServerId = 'volt' | 'volt-handwritten' | 'fastify-raw' | 'drf';
/** The servers, in table order. */
export const SERVER_IDS: readonly ServerId[] = ['volt', 'volt-handwritten', 'fastify-raw', 'drf'];
/** How tables name each server. */
export const LABEL: Record<ServerId, string> = {
  volt: 'Volt',
  'volt-handwritten': 'Volt by hand',
  'fastify-raw': 'fastify-raw',
  drf: 'DRF',
};
/** What each is, for the report. */
export const DESCRIPTION: Record<ServerId, string> = {
  volt: "Volt's resource() from voltjs/crud (servers/volt.ts); VOLT_ENV=production, LOG_LEVEL=silent",
  'volt-handwritten':
    'a plain Volt route on query(ctx.db, Product) (servers/volt-handwritten.ts); same settings',
  'fastify-raw':
    'bare Fastify 5 + node:sqlite by hand (servers/fastify-raw.ts): prepared statements, fast-json-stringify',
  drf: 'Django REST framework ModelViewSet (servers/drf_app.py) on gunicorn, one sync worker, DEBUG off',
};

const GUNICORN = '/usr/bin/gunicorn';
const DIR = 'bench/crud/servers';

/** The files a run made, in a temporary folder the caller removes. */
export interface Databases {
  dir: string;
  data: Dataset;
  /** SQLite file with Volt's tables (the Volt servers). */
  volt: string;
  /** A copy of it (fastify-raw). */
  raw: string;
  /** SQLite file with Django's tables (DRF); undefined when Django is not installed. */
  drf: string | undefined;
}

/** The index `f.decimal({ index: true })` makes on Volt's table (and fastify-raw's copy). */
export const VOLT_PRICE_INDEX = 'crud_product_price_idx';

/** Makes every database afresh from {@link makeDataset}, with the price indexed or not. */
export async function prepareDatabases(withDjango: boolean, indexed: boolean): Promise<Databases> {
  const dir = mkdtempSync(join(tmpdir(), 'volt-crud-bench-'));
  const data = makeDataset();
  const volt = join(dir, 'volt.db');
  const db = await connect(`sqlite:${volt}`);
  try {
    await createTables(db, [Category, Product]);
    await db.transaction(async (tx) => {
      await query(tx, Category).bulkCreate(data.categories.map(({ name }) => ({ name })));
      const rows = data.products.map(({ id: _, created, ...p }) => ({ ...p, created: new Date(created) }));
      for (let i = 0; i < rows.length; i += 1000)
        await query(tx, Product).bulkCreate(rows.slice(i, i + 1000));
    });
    // The ids are the data set's: rows were inserted in its order into empty tables.
    const last = await query(db, Product).orderBy('-id').first();
    if (last?.id !== data.products.length || last.sku !== data.products.at(-1)!.sku)
      throw new Error(`Volt's table did not get the data set's ids (last row ${JSON.stringify(last)})`);
    if (!indexed) await db.run(`drop index ${VOLT_PRICE_INDEX}`, []);
    await db.run('analyze', []);
  } finally {
    await db.close();
  }
  const raw = join(dir, 'raw.db');
  copyFileSync(volt, raw);
  let drf: string | undefined;
  if (withDjango) {
    drf = join(dir, 'drf.db');
    const json = join(dir, 'data.json');
    writeFileSync(json, JSON.stringify(data));
    await captureWithEnv(
      PYTHON,
      [`${DIR}/drf_app.py`, 'seed', json],
      { CRUD_DB: drf, CRUD_PRICE_INDEX: indexed ? '1' : '0' },
      120_000,
    );
  }
  return { dir, data, volt, raw, drf };
}

/** `capture` with extra environment variables. */
async function captureWithEnv(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<string> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await capture(command, args, timeoutMs);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The statements of one request: each one's SQL and SQLite's query plan for it. */
export type Statements = Array<{ sql: string; plan: string }>;

/** The SQL DRF runs for one GET of each path (Django's CaptureQueriesContext), with plans. */
export async function drfStatements(drfFile: string, paths: string[]): Promise<Record<string, Statements>> {
  const out = await captureWithEnv(
    PYTHON,
    [`${DIR}/drf_app.py`, 'count', ...paths],
    { CRUD_DB: drfFile },
    60_000,
  );
  const byPath = JSON.parse(out) as Record<string, Array<[string, string]>>;
  return Object.fromEntries(
    Object.entries(byPath).map(([path, list]) => [path, list.map(([sql, plan]) => ({ sql, plan }))]),
  );
}

/** SQLite's query plan of `sql` on `file`, every parameter bound to 10, one line. */
export function queryPlan(file: string, sql: string): string {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 10);
    return (db.prepare(`explain query plan ${sql}`).all(...params) as Array<{ detail: string }>)
      .map((row) => row.detail)
      .join(' | ');
  } finally {
    db.close();
  }
}

/** The SQL a Volt server runs for one GET of each path (bench/crud/count-sql.ts), with plans. */
export async function voltStatements(
  id: 'volt' | 'volt-handwritten',
  file: string,
  paths: string[],
): Promise<Record<string, Statements>> {
  const out = await captureWithEnv(
    process.execPath,
    ['--conditions=volt-source', 'bench/crud/count-sql.ts', `${DIR}/${id}.ts`, file, ...paths],
    { LOG_LEVEL: 'silent' },
    60_000,
  );
  const byPath = JSON.parse(out) as Record<string, string[]>;
  return Object.fromEntries(
    Object.entries(byPath).map(([path, list]) => [
      path,
      list.map((sql) => ({ sql, plan: queryPlan(file, sql) })),
    ]),
  );
}

/** fastify-raw's one statement for each path (its SQL is servers/raw-sql.ts), with plans. */
export function rawStatements(file: string, paths: string[]): Record<string, Statements> {
  const sql = productsSql(true, true, true, false);
  return Object.fromEntries(paths.map((path) => [path, [{ sql, plan: queryPlan(file, sql) }]]));
}

/** Why `voltjs/crud` cannot be imported here, or `undefined` when it can. */
export async function voltCrudMissing(): Promise<string | undefined> {
  try {
    await import('voltjs/crud' as string);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `voltjs/crud cannot be imported (${message})`;
  }
}

/** Why a server cannot run here, or `undefined` when it can. */
export async function serverMissing(id: ServerId): Promise<string | undefined> {
  if (id === 'volt') return voltCrudMissing();
  if (id === 'drf') {
    if (!existsSync(GUNICORN)) return `${GUNICORN} not found`;
    return pythonModulesMissing(['django', 'rest_framework', 'django_filters']);
  }
  return undefined;
}

/** How to start a server on `port` on the run's databases. */
export function serverCommand(id: ServerId, port: number, dbs: Databases): Command {
  if (id === 'drf')
    return {
      command: GUNICORN,
      args: [
        ...['--workers', '1', '--worker-class', 'sync', '--chdir', DIR],
        ...['--bind', `127.0.0.1:${port}`, '--log-level', 'warning', 'drf_app:application'],
      ],
      env: { CRUD_DB: dbs.drf ?? '' },
    };
  if (id === 'fastify-raw')
    return {
      command: process.execPath,
      args: ['--conditions=volt-source', `${DIR}/fastify-raw.ts`],
      env: { PORT: String(port), CRUD_DB: dbs.raw },
    };
  return {
    command: process.execPath,
    args: ['--conditions=volt-source', `${DIR}/${id}.ts`],
    env: {
      PORT: String(port),
      DATABASE_URL: `sqlite:${dbs.volt}`,
      VOLT_ENV: 'production',
      // A throwaway key: production refuses to start without a strong one.
      SECRET_KEY: randomBytes(48).toString('base64url'),
      LOG_LEVEL: 'silent',
    },
  };
}
