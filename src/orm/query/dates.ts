/**
 * Dates in annotations: `trunc('placedAt', 'month')` (the start of the month holding the
 * value) and `extract('placedAt', 'year')` (a part as an integer), as Django's `Trunc` and
 * `Extract`. A datetime is read in a time zone — the database's (`TIME_ZONE`, `connect()`'s
 * `timeZone`) or the call's — so a month starts at midnight there; a truncated datetime is the
 * instant that period starts at (a `Date`), a truncated date a date. Both give the same values
 * on SQLite and PostgreSQL (`dialects/*\/ops.ts`, `dialects/sqlite/date-functions.ts`).
 */
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyModel } from '../model.ts';
import { checkTimeZone, EXTRACT_PARTS, type ExtractPart, TRUNC_UNITS, type TruncUnit } from '../time-zone.ts';
import { type Annotation, computedAnnotation } from './annotations.ts';
import { QueryError } from './errors.ts';
import { DATE_PART_RULE, fieldRule } from './lookup-values.ts';
import { NUMERIC } from './lookups.ts';
import { columnAt } from './paths.ts';

export type { ExtractPart, TruncUnit };

const DATE_VALUE: unique symbol = Symbol.for('volt.orm.date');

/** `trunc()`'s and `extract()`'s options. */
export interface DateOptions {
  /** The IANA time zone a datetime is read in, instead of the database's (`TIME_ZONE`). */
  readonly timeZone?: string;
}

/** A datetime or date cut down to the start of `unit`: build one with {@link trunc}. */
export interface DateTrunc<P extends string = string, U extends TruncUnit = TruncUnit> {
  readonly [DATE_VALUE]: 'trunc';
  readonly path: P;
  readonly unit: U;
  readonly timeZone: string | undefined;
}

/** A part of a datetime, date or time: build one with {@link extract}. */
export interface DateExtract<P extends string = string, X extends ExtractPart = ExtractPart> {
  readonly [DATE_VALUE]: 'extract';
  readonly path: P;
  readonly part: X;
  readonly timeZone: string | undefined;
}

const UNITS: readonly TruncUnit[] = TRUNC_UNITS;
const DATE_UNITS: readonly TruncUnit[] = ['year', 'quarter', 'month', 'week', 'day'];
const PARTS: readonly ExtractPart[] = EXTRACT_PARTS;
const PARTS_OF: Record<string, readonly ExtractPart[]> = {
  datetime: PARTS,
  date: ['year', 'quarter', 'month', 'day', 'week', 'weekDay', 'isoWeekDay', 'isoYear'],
  time: ['hour', 'minute', 'second'],
};

function checked(fn: string, path: unknown, options: DateOptions | undefined): string | undefined {
  if (typeof path !== 'string' || path === '')
    throw new QueryError(`${fn}(): name a date or datetime field, like '${fn}('placedAt', …)'`);
  if (options?.timeZone === undefined) return undefined;
  return checkTimeZone(options.timeZone, `${fn}('${path}')`, (message) => new QueryError(message));
}

/**
 * The start of the `unit` (`year`, `quarter`, `month`, `week`, `day`, `hour`, `minute`) that
 * holds the value of a datetime or date field (or of one across foreign keys:
 * `order__placedAt`), for `annotate()`, then `values`, `groupBy`, `orderBy` and filters. A
 * datetime is cut in the database's time zone (`TIME_ZONE`), or in `options.timeZone`: the
 * result is the instant the period starts at there (a `Date`); a date gives a date
 * (`'2026-03-01'`). Weeks start on Monday, as ISO 8601, PostgreSQL and Django's `TruncWeek`.
 *
 * @example
 * ```ts
 * await query(db, Order)
 *   .annotate({ month: trunc('placedAt', 'month', { timeZone: 'Europe/Paris' }) })
 *   .groupBy('month')
 *   .aggregate({ orders: count() }); // [{ month: 2026-01-31T23:00:00.000Z, orders: 12 }, …]
 * ```
 */
export function trunc<P extends string, U extends TruncUnit>(
  path: P,
  unit: U,
  options?: DateOptions,
): DateTrunc<P, U> {
  const timeZone = checked('trunc', path, options);
  if (!UNITS.includes(unit))
    throw new QueryError(`trunc('${path}'): '${String(unit)}' is not a unit; units are: ${UNITS.join(', ')}`);
  return Object.freeze({ [DATE_VALUE]: 'trunc' as const, path, unit, timeZone });
}

/**
 * A part of a datetime, date or time field as an integer: `year`, `quarter`, `month`, `day`,
 * `week` (ISO 8601's week of the year), `weekDay` (1 = Sunday … 7, Django's `week_day`),
 * `isoWeekDay` (1 = Monday … 7), `isoYear` (the ISO week's year), `hour`, `minute`, `second`.
 * A datetime is read in the database's time zone (`TIME_ZONE`) or in `options.timeZone`.
 *
 * @example
 * ```ts
 * await query(db, Order).annotate({ weekday: extract('placedAt', 'isoWeekDay') }).groupBy('weekday')
 *   .aggregate({ orders: count() }); // [{ weekday: 1, orders: 4 }, …]
 * ```
 */
export function extract<P extends string, X extends ExtractPart>(
  path: P,
  part: X,
  options?: DateOptions,
): DateExtract<P, X> {
  const timeZone = checked('extract', path, options);
  if (!PARTS.includes(part))
    throw new QueryError(
      `extract('${path}'): '${String(part)}' is not a part; parts are: ${PARTS.join(', ')}`,
    );
  return Object.freeze({ [DATE_VALUE]: 'extract' as const, path, part, timeZone });
}

/** `true` for a value built by `trunc()` or `extract()`. */
export function isDateValue(value: unknown): value is DateTrunc | DateExtract {
  return typeof value === 'object' && value !== null && DATE_VALUE in value;
}

/**
 * The annotation `name` of `value` on `model`'s rows. `timeZone` is the database's, used
 * unless the call named one.
 */
export function dateAnnotation(
  model: AnyModel,
  name: string,
  alias: string,
  value: DateTrunc | DateExtract,
  ops: DialectOps,
  timeZone: string,
): Annotation {
  const fn = value[DATE_VALUE];
  const what = fn === 'trunc' ? `trunc('${value.path}')` : `extract('${value.path}')`;
  const column = columnAt(model, value.path, `annotate: ${what}`);
  const { field } = column;
  const kinds = fn === 'trunc' ? ['date', 'datetime'] : ['date', 'datetime', 'time'];
  if (!kinds.includes(field.kind))
    throw new QueryError(
      `annotate: ${what} needs a ${fn === 'trunc' ? 'date or datetime' : 'date, datetime or time'} field, and '${value.path}' is a ${field.kind} field`,
    );
  if (field.kind !== 'datetime' && value.timeZone !== undefined)
    throw new QueryError(
      `annotate: ${what} reads a ${field.kind}, which has no time zone; leave timeZone out`,
    );
  const zone = field.kind === 'datetime' ? (value.timeZone ?? timeZone) : undefined;
  const nullable = column.nullable;
  if (fn === 'trunc') {
    const unit = (value as DateTrunc).unit;
    if (field.kind === 'date' && !DATE_UNITS.includes(unit))
      throw new QueryError(
        `annotate: ${what} cuts a date, which has no '${unit}'; units of a date are: ${DATE_UNITS.join(', ')}`,
      );
    const { expression, params } = ops.truncate(column.expression, unit, zone);
    return computedAnnotation({
      name,
      alias,
      shape: `trunc(${unit},${column.shape},${field.kind})`,
      params,
      expression,
      nullable,
      read: (raw) => field.fromDb(raw, ops),
      values: fieldRule(field, ops),
      kind: field.kind,
    });
  }
  const part = (value as DateExtract).part;
  const parts = PARTS_OF[field.kind]!;
  if (!parts.includes(part))
    throw new QueryError(
      `annotate: ${what} reads a ${field.kind}, which has no '${part}'; its parts are: ${parts.join(', ')}`,
    );
  const { expression, params } = ops.extract(column.expression, part, zone);
  return computedAnnotation({
    name,
    alias,
    shape: `extract(${part},${column.shape},${field.kind})`,
    params,
    expression,
    nullable,
    read: (raw) => (raw === null || raw === undefined ? null : Number(raw)),
    lookups: [...NUMERIC, 'isNull'],
    values: DATE_PART_RULE,
    kind: 'integer',
  });
}
