/** SQLite's `DialectOps`: what the ORM does differently on SQLite (see `dialects/ops.ts`). */
import {
  type RawBuilder,
  type SqlBool,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely';
import type { Database } from '../../database.ts';
import { formatExact } from '../../decimal.ts';
import { ForeignKeyViolationError } from '../../errors.ts';
import type { DatePart } from '../../query/types.ts';
import type { ExtractPart, TruncUnit } from '../../time-zone.ts';
import type { BoundSql, DialectOps } from '../ops.ts';
import { fromSortableText, sortableKey } from './decimal-functions.ts';

function datePart(column: RawBuilder<unknown>, part: DatePart): RawBuilder<number> {
  const f = (format: string) => sql<number>`cast(strftime(${sql.lit(format)}, ${column}) as integer)`;
  switch (part) {
    case 'year':
      return f('%Y');
    case 'quarter':
      return sql<number>`((${f('%m')} + 2) / 3)`;
    case 'month':
      return f('%m');
    case 'day':
      return f('%d');
    case 'weekDay':
      return sql<number>`(${f('%w')} + 1)`;
    case 'hour':
      return f('%H');
    case 'minute':
      return f('%M');
    case 'second':
      return f('%S');
  }
}

/** The zone argument of Volt's date functions: bound, or `null` for a date or time. */
function zoneArgument(zone: string | undefined) {
  return zone === undefined ? { sql: sql`null`, params: [] } : { sql: sql`${zone}`, params: [zone] };
}

/** `trunc()` and `extract()` by Volt's functions (`date-functions.ts`); unit and part are from a fixed list. */
function truncate(column: RawBuilder<unknown>, unit: TruncUnit, zone: string | undefined): BoundSql {
  const z = zoneArgument(zone);
  return { expression: sql`volt_trunc(${sql.lit(unit)}, ${column}, ${z.sql})`, params: z.params };
}

function extract(column: RawBuilder<unknown>, part: ExtractPart, zone: string | undefined): BoundSql {
  const z = zoneArgument(zone);
  return { expression: sql`volt_extract(${sql.lit(part)}, ${column}, ${z.sql})`, params: z.params };
}

/** Volt's exact decimal arithmetic (`decimal-functions.ts`). */
const DECIMAL_FUNCTIONS = {
  '+': 'volt_decimal_add',
  '-': 'volt_decimal_sub',
  '*': 'volt_decimal_mul',
  '/': 'volt_decimal_div',
} as const;

const ASCII = /^\p{ASCII}*$/u;
/** Text this long is compared by `upper()`, not `like`: SQLite refuses patterns over 50,000 bytes. */
const LONGEST_LIKE = 10_000;

/**
 * Longer `in` lists are one JSON parameter read by `json_each`: SQLite allows 32,766 parameters
 * per statement, and each length of list would otherwise be a statement of its own. Measured on
 * a 100k-row table by primary key, both forms cost the same up to 100 values once cached (29 µs
 * at 50, 47 against 48 at 100; `json_each` is 7–9% slower at 200–500), while a list length not
 * seen before costs a compilation and a prepare (340 µs against 29 at 50 values).
 */
const IN_LIST_LIMIT = 50;

/** Database values as a JSON array (integers past 2^53 written as the digits they are). */
function jsonList(values: readonly unknown[]): string {
  if (!values.some((v) => typeof v === 'bigint')) return JSON.stringify(values);
  return `[${values.map((v) => (typeof v === 'bigint' ? v.toString() : JSON.stringify(v))).join(',')}]`;
}

/**
 * A schema change with foreign keys off (set before `BEGIN`, as SQLite ignores the pragma inside
 * a transaction, and restored after), every foreign key checked with `PRAGMA foreign_key_check`
 * before the commit.
 */
async function schemaTransaction<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T> {
  const before = await db.get<{ foreign_keys: number }>('pragma foreign_keys');
  await db.run('pragma foreign_keys = off');
  try {
    return await db.transaction(async (tx) => {
      const result = await fn(tx);
      const broken = await tx.all<{ table: string; parent: string; rowid: number }>(
        'pragma foreign_key_check',
      );
      if (broken.length > 0) {
        const first = broken[0]!;
        throw new ForeignKeyViolationError(
          `${broken.length} row(s) would point at missing rows, e.g. ${first.table} row ${first.rowid} → ${first.parent}`,
          { table: first.table },
        );
      }
      return result;
    });
  } finally {
    if (before?.foreign_keys) await db.run('pragma foreign_keys = on');
  }
}

/** SQLite: dynamic types (text for dates, decimals and JSON, integers for booleans), `?` parameters. */
export const sqliteOps: DialectOps = Object.freeze<DialectOps>({
  name: 'sqlite',
  types: Object.freeze({
    integer: 'INTEGER',
    bigint: 'INTEGER',
    float: 'REAL',
    boolean: 'INTEGER',
    date: 'TEXT',
    time: 'TEXT',
    datetime: 'TEXT',
    json: 'TEXT',
    uuid: 'TEXT',
    text: 'TEXT',
    varchar: () => 'TEXT',
    decimal: () => 'TEXT',
    autoPrimaryKey: 'integer primary key autoincrement',
  }),
  kysely: {
    compiler: () => new SqliteQueryCompiler(),
    adapter: () => new SqliteAdapter(),
    introspector: (db) => new SqliteIntrospector(db),
  },
  placeholder: () => '?',
  booleanToDb: (value) => (value ? 1 : 0),
  booleanLiteral: (value) => (value ? '1' : '0'),
  datetimeToDb: (date) => date.toISOString(),
  jsonFromDb: (raw) => (typeof raw === 'string' ? JSON.parse(raw) : raw),
  decimalsAsText: true,
  comparableDecimal: (expression) => sql`cast(${expression} as real)`,
  comparableDecimalSql: (column) => `cast(${column} as real)`,
  // Volt's own aggregates (decimal-functions.ts), answering text that sorts as the numbers do.
  decimalAggregate: (fn, column) => sql`${sql.raw(`volt_decimal_${fn}`)}(${column})`,
  // A real division (SQLite divides integers into an integer); a decimal's, exact.
  averageOf: (sum, count, decimal) =>
    decimal
      ? sql`volt_decimal_quotient(${sum}, ${count})`
      : sql`(cast(${sum} as real) / nullif(${count}, 0))`,
  decimalAggregateFromDb: (raw) => formatExact(fromSortableText(String(raw))),
  comparableDecimalAggregate: (expression) => sql`volt_decimal_key(${expression})`,
  decimalAggregateToDb: (value) => sortableKey(value),
  decimalArithmetic: (op, a, b) => sql`${sql.raw(DECIMAL_FUNCTIONS[op])}(${a}, ${b})`,
  // Bound as text: a cast to numeric would make it a float.
  decimalLiteral: (text) => sql`${text}`,
  datePart,
  truncate,
  extract,
  likeIgnoresCase: true,
  // Its like already ignores ASCII case, in C (its own upper() too, for text longer than a like
  // pattern may be); other text goes through the connection's `volt_upper` (JavaScript's
  // toUpperCase(): SQLite's upper() folds ASCII only).
  caseFolding: (value) =>
    ASCII.test(value) ? (value.length > LONGEST_LIKE ? 'upper' : undefined) : 'volt_upper',
  inListLimit: IN_LIST_LIMIT,
  inMany: (expression, list) => sql<SqlBool>`${expression} in (select value from json_each(${list}))`,
  manyValues: jsonList,
  noLimit: -1,
  typedValue: (value) => sql`${value}`,
  // SQLITE_MAX_VARIABLE_NUMBER's default since SQLite 3.32.
  maxParameters: 32766,
  rowLocks: false,
  failedStatementAbortsTransaction: false,
  tableExistsSql: "select 1 as found from sqlite_master where type = 'table' and name = ?",
  // `autoincrement` keeps the largest key ever inserted (given or not) in sqlite_sequence.
  resetSequenceSql: () => undefined,
  migrationsTableColumns:
    '"id" integer primary key autoincrement, "app" text not null, "name" text not null, "applied_at" text not null',
  inlineForwardForeignKeys: true,
  // SQLite has no statement that refuses a transaction: it runs every migration in one.
  nonAtomicMigrations: false,
  scriptWrapping: Object.freeze({
    before: ['PRAGMA foreign_keys = OFF;'],
    beforeCommit: ['PRAGMA foreign_key_check;'],
    after: ['PRAGMA foreign_keys = ON;'],
  }),
  // Loaded on demand: migrations only (and a static import would make a cycle through the
  // table DDL, which asks for ops by dialect name).
  schemaEditor: async (db, options) =>
    new (await import('./schema-editor.ts')).SqliteSchemaEditor(db, options),
  schemaTransaction,
});
