/**
 * `DialectOps`: everything the ORM does differently per database, in one object per dialect
 * (as Django's `connection.ops`), reached as `db.ops`. Fields, the query layer, the table DDL
 * and migrations ask it instead of comparing dialect names, so a third dialect is one folder
 * (`dialects/<name>/`) implementing this interface. Implemented by `dialects/sqlite/ops.ts` and
 * `dialects/postgres/ops.ts`.
 */
import type {
  DatabaseIntrospector,
  DialectAdapter,
  Expression,
  Kysely,
  QueryCompiler,
  RawBuilder,
  SqlBool,
} from 'kysely';
import type { Database, DialectName } from '../database.ts';
import type { Exact } from '../decimal.ts';
import type { SchemaEditor, SchemaEditorOptions } from '../migrations/schema-editor.ts';
import type { DatePart } from '../query/types.ts';
import type { ExtractPart, TruncUnit } from '../time-zone.ts';

/** SQL and the parameters it binds, in the order they appear in it. */
export interface BoundSql {
  readonly expression: RawBuilder<unknown>;
  readonly params: readonly unknown[];
}

/** The aggregates that compute over a decimal's value (`count` counts, whatever the kind). */
export type DecimalAggregate = 'sum' | 'avg' | 'min' | 'max';

/** The SQL column type of each kind of value. */
export interface ColumnTypes {
  readonly integer: string;
  readonly bigint: string;
  readonly float: string;
  readonly boolean: string;
  readonly date: string;
  readonly time: string;
  readonly datetime: string;
  readonly json: string;
  readonly uuid: string;
  /** Unbounded text. */
  readonly text: string;
  /** Text of at most `length` characters. */
  varchar(length: number): string;
  decimal(digits: number, places: number): string;
  /** An auto-incrementing primary key column, after its name. */
  readonly autoPrimaryKey: string;
}

/** What differs between databases. Internal: `db.ops`, not exported from `voltjs/orm`. */
export interface DialectOps {
  /** The dialect's name, as `db.dialect`. */
  readonly name: DialectName;
  /**
   * The time zone date-part lookups (`placedAt__year`) read datetimes in: set on the ops of a
   * database whose `timeZone` is not UTC ({@link zonedOps}); UTC when absent.
   */
  readonly timeZone?: string;
  readonly types: ColumnTypes;

  // Kysely

  /** Kysely's SQL compiler, adapter and introspector for this dialect. */
  kysely: {
    compiler(): QueryCompiler;
    adapter(): DialectAdapter;
    introspector(db: Kysely<any>): DatabaseIntrospector;
  };

  // Values

  /** The `n`th (1-based) bound parameter in hand-written SQL: `?` or `$n`. */
  placeholder(n: number): string;
  /** A boolean as sent to the driver. */
  booleanToDb(value: boolean): unknown;
  /** A boolean as a SQL literal (DDL defaults and checks). */
  booleanLiteral(value: boolean): string;
  /** An instant as sent to the driver. */
  datetimeToDb(date: Date): unknown;
  /** A JSON column's value as the driver returns it, parsed. */
  jsonFromDb(raw: unknown): unknown;
  /**
   * `value`, bound in a `values` list (`bulkUpdate`'s rows) for a column of `type` (a type of
   * `types`). PostgreSQL types a parameter by where it stands and a `values` list tells it
   * nothing, so it is cast: to the type without its modifier (`varchar`, `numeric`), so that
   * the column's own length and scale apply when it is assigned, as to a parameter of an
   * update's `set`. SQLite's values take no type: the parameter as it is.
   */
  typedValue(value: unknown, type: string): RawBuilder<unknown>;
  /** The most parameters one statement may bind (SQLite: 32,766; PostgreSQL: 65,535). */
  readonly maxParameters: number;
  /**
   * `true` when decimals are stored as text: a column is ordered and compared by `gt`, `lt`
   * and `range` as a number (cast to `real`: exact to 15 significant digits), values bound for
   * those comparisons too. (`=` and `in` compare the canonical text, exactly.)
   */
  readonly decimalsAsText: boolean;
  /** A decimal column or value as something to compare and order numerically. */
  comparableDecimal(expression: RawBuilder<unknown>): RawBuilder<unknown>;
  /** The same for a quoted column name in DDL (a check constraint). */
  comparableDecimalSql(column: string): string;
  /**
   * `sum`, `avg`, `min` or `max` of a decimal column, computed exactly (on SQLite by Volt's
   * functions on BigInt, `dialects/sqlite/decimal-functions.ts`); `avg` at the precision
   * PostgreSQL's `avg(numeric)` picks.
   */
  decimalAggregate(fn: DecimalAggregate, column: RawBuilder<unknown>): RawBuilder<unknown>;
  /**
   * An average from a sum and a count (`avg` over groups of per-row sums and counts): as the
   * database's `avg` gives it (for a decimal, what `decimalAggregate('avg', …)` gives), `null`
   * when the count is 0.
   */
  averageOf(sum: RawBuilder<unknown>, count: RawBuilder<unknown>, decimal: boolean): RawBuilder<unknown>;
  /** The decimal text of what `decimalAggregate` returned, its scale kept (`'0.150'`). */
  decimalAggregateFromDb(raw: unknown): string;
  /**
   * A decimal aggregate — or any decimal value: a column, an F() result — as compared by
   * filters and `having` (`total__gte: '10.00'`), exactly, whatever its scale.
   */
  comparableDecimalAggregate(expression: RawBuilder<unknown>): RawBuilder<unknown>;
  /** A decimal as bound to compare with `comparableDecimalAggregate`. */
  decimalAggregateToDb(value: Exact): unknown;
  /**
   * `a op b` on decimals (or a decimal and an integer), exact, at the scales PostgreSQL's
   * `numeric` gives (`+`, `-`: the larger scale; `*`: the sum; `/`: `select_div_scale`), as
   * decimal text; null when dividing by zero. SQLite: Volt's `volt_decimal_add`… functions.
   */
  decimalArithmetic(
    op: '+' | '-' | '*' | '/',
    a: RawBuilder<unknown>,
    b: RawBuilder<unknown>,
  ): RawBuilder<unknown>;
  /** Decimal text (`'1.50'`) bound as a decimal for `decimalArithmetic`, its scale kept. */
  decimalLiteral(text: string): RawBuilder<unknown>;

  // Lookups

  /**
   * A date part of a date, datetime or time column, as an integer. Datetimes are instants
   * stored in UTC and read at UTC, whatever the session's time zone. `weekDay` counts from 1
   * (Sunday) to 7 (Saturday).
   */
  datePart(column: RawBuilder<unknown>, part: DatePart, kind: string): RawBuilder<number>;
  /**
   * `trunc()`: a date or datetime cut down to the start of its `unit` (weeks start on Monday,
   * as ISO 8601). A datetime is read in the time zone `zone` (bound as a parameter) and gives
   * the instant its period starts at there; a date (`zone` undefined) gives a date.
   */
  truncate(column: RawBuilder<unknown>, unit: TruncUnit, zone: string | undefined): BoundSql;
  /**
   * `extract()`: a part of a date, datetime or time as an integer, a datetime read in the time
   * zone `zone` (bound), a date or time (`zone` undefined) as it is. `week` and `isoYear` are
   * ISO 8601's, `weekDay` counts from 1 (Sunday) to 7, `isoWeekDay` from 1 (Monday) to 7.
   */
  extract(column: RawBuilder<unknown>, part: ExtractPart, zone: string | undefined): BoundSql;
  /**
   * `true` when `like` ignores ASCII case (SQLite): case-sensitive `contains`, `startsWith` and
   * `endsWith` then compare with `instr`/`substr` instead.
   */
  readonly likeIgnoresCase: boolean;
  /**
   * The function `iexact` and `icontains` fold both sides with to compare `value` without case
   * (as Django, `UPPER(column) = UPPER(value)`), with Unicode's case rules (`'σίσυφος'` matches
   * `'ΣΊΣΥΦΟΣ'`); `undefined` when this dialect's `like` already ignores the case of every
   * letter of `value` and costs no function call per row (SQLite, for ASCII text).
   */
  caseFolding(value: string): string | undefined;
  /**
   * How many values an `in (…)` list binds one by one; a longer list is bound as one parameter
   * (`manyValues`, compared by `inMany`), whatever its length.
   */
  readonly inListLimit: number;
  /** `expression` equals one of the values of `list`, the parameter made by `manyValues`. */
  inMany(expression: Expression<unknown>, list: RawBuilder<unknown>): RawBuilder<SqlBool>;
  /** The one parameter holding `values` (database values, no `null`) for `inMany`. */
  manyValues(values: readonly unknown[]): unknown;
  /** The `limit` that means none, for an offset without a limit; `undefined` when none is needed. */
  readonly noLimit: number | undefined;
  /**
   * Whether `select … for update` locks rows. Without it (SQLite) a write transaction already
   * holds the database's one write lock from its first statement, so rows read in it cannot change.
   */
  readonly rowLocks: boolean;

  // Errors and transactions

  /** `true` when a failed statement aborts the transaction (writes then run in a savepoint). */
  readonly failedStatementAbortsTransaction: boolean;

  // Schema

  /** `select 1 as found …` when a table named by the one parameter exists (in the current schema). */
  readonly tableExistsSql: string;
  /**
   * The statement that moves the sequence of the auto primary key `column` of `table` past the
   * largest key in the table, once rows were inserted with their keys given (fixtures), so the
   * next insert without a key does not collide (Django's `sequence_reset_sql`); `undefined` when
   * the database keeps up by itself (SQLite's `autoincrement` remembers the largest key inserted).
   */
  resetSequenceSql(table: string, column: string): string | undefined;
  /** The column definitions of `volt_migrations`. */
  readonly migrationsTableColumns: string;
  /**
   * `true` when a foreign key to a table created later can be declared inline (checked only when
   * rows change); else it is added by `alter table` once every table exists.
   */
  readonly inlineForwardForeignKeys: boolean;
  /** `true` when a migration marked `atomic: false` can run outside a transaction. */
  readonly nonAtomicMigrations: boolean;
  /** Lines of a `sqlmigrate` script of an atomic migration: before `BEGIN`, before `COMMIT`, after. */
  readonly scriptWrapping: {
    readonly before: readonly string[];
    readonly beforeCommit: readonly string[];
    readonly after: readonly string[];
  };
  /**
   * This dialect's migration schema editor (`dialects/<name>/schema-editor.ts`), loaded when
   * first asked for (migrations only).
   */
  schemaEditor(db: Database, options?: SchemaEditorOptions): Promise<SchemaEditor>;
  /** Runs one schema change atomically (see `schemaTransaction`). */
  schemaTransaction<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T>;
}

const zoned = new WeakMap<DialectOps, Map<string, DialectOps>>();

/**
 * `ops` for a database reading datetimes in `timeZone`: the same operations, with `timeZone` set
 * for the date-part lookups; `ops` itself for UTC. One object per dialect and zone.
 *
 * @example
 * ```ts
 * zonedOps(sqliteOps, 'Europe/Paris').timeZone; // 'Europe/Paris'
 * ```
 */
export function zonedOps(ops: DialectOps, timeZone: string): DialectOps {
  if (timeZone === 'UTC') return ops;
  let byZone = zoned.get(ops);
  if (!byZone) {
    byZone = new Map();
    zoned.set(ops, byZone);
  }
  let made = byZone.get(timeZone);
  if (!made) {
    made = Object.freeze(Object.assign(Object.create(ops) as DialectOps, { timeZone }));
    byZone.set(timeZone, made);
  }
  return made;
}
