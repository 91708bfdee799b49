/**
 * The calendar kinds. `date` and `time` are strings (`'2026-11-25'`, `'14:30'`): a calendar
 * day or a wall-clock time has no time zone, and a JS `Date` would invent one. `datetime` is
 * a JS `Date`, an instant: PostgreSQL `timestamptz`, SQLite ISO-8601 UTC text
 * (`'2026-11-25T14:30:00.000Z'`, which sorts in time order as text).
 */

import { Type } from 'typebox';
import type { DialectOps } from '../dialects/ops.ts';
import { opsOf } from '../dialects/registry.ts';
import { QueryError } from '../query/errors.ts';
import { type Dialect, Field, type FieldOptions, type FieldSchema, type Issue } from './field.ts';

/** Options of `f.date()` and `f.time()`. */
export interface CalendarOptions extends FieldOptions<string> {}

/** Options of `f.datetime()`. */
export interface DatetimeOptions extends FieldOptions<Date> {
  /** Set to now on every save; not editable. */
  autoNow?: boolean;
  /** Set to now when the row is created; not editable. */
  autoNowAdd?: boolean;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/u;
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$/u;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/iu;

/** The years both databases hold and JavaScript writes as four digits: 1 to 9999. */
const FIRST_YEAR = 1;
const LAST_YEAR = 9999;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * A real day of the (proleptic Gregorian) calendar from year 1 to 9999, as PostgreSQL's `date`
 * counts. Checked by arithmetic: `Date.UTC` would read the years 0–99 as 1900–1999.
 */
function isDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return (
    year >= FIRST_YEAR &&
    year <= LAST_YEAR &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month)
  );
}

/** An instant whose UTC year is within 1–9999 (what `timestamptz` and ISO-8601 text both hold). */
function inYears(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * A calendar date as `'YYYY-MM-DD'` text.
 *
 * @example
 * ```ts
 * f.date().check('2026-02-30'); // [{ msg: 'Input should be a valid date (YYYY-MM-DD)', type: 'date_type' }]
 * ```
 */
export class DateField<O = unknown> extends Field<string, O> {
  constructor(options: CalendarOptions = {}) {
    super('date', options);
  }

  valueSchema(): FieldSchema {
    return Type.String({ format: 'date' });
  }

  protected typeIssue(value: unknown): Issue | undefined {
    return typeof value === 'string' && isDate(value)
      ? undefined
      : { msg: 'Input should be a valid date (YYYY-MM-DD)', type: 'date_type' };
  }

  columnType(dialect: DialectOps | Dialect): string {
    return opsOf(dialect).types.date;
  }

  // pg parses `date` into a Date at local midnight unless a type parser says otherwise.
  override fromDb(raw: unknown, _dialect?: DialectOps | Dialect): string | null {
    if (raw === null || raw === undefined) return null;
    if (raw instanceof Date)
      return `${pad(raw.getFullYear(), 4)}-${pad(raw.getMonth() + 1)}-${pad(raw.getDate())}`;
    return String(raw).slice(0, 10);
  }
}

/**
 * PostgreSQL's text of a time: `HH:MM:SS`, and the fraction of a second without its trailing
 * zeros (`'21:30'` → `'21:30:00'`, `'21:30:00.500'` → `'21:30:00.5'`); `undefined` when `value`
 * is not a time. The one form both databases store and compare, so text order is time order.
 */
function canonicalTime(value: string): string | undefined {
  const match = TIME.exec(value);
  if (!match) return undefined;
  // match[2]: ':SS' and the fraction, match[3]: the fraction ('.500').
  const seconds = match[2] ? match[2].slice(1, 3) : '00';
  const fraction = (match[3] ?? '').replace(/\.?0+$/u, '');
  return `${value.slice(0, 5)}:${seconds}${fraction}`;
}

/**
 * A wall-clock time, written as `'HH:MM'`, `'HH:MM:SS'` or with fractions of a second, and
 * stored and read back as PostgreSQL writes it on both databases: `'21:30'` is `'21:30:00'`,
 * and a filter on `'21:30'` or `'21:30:00.000'` finds it.
 *
 * @example
 * ```ts
 * f.time().check('25:00'); // [{ msg: 'Input should be a valid time (HH:MM[:SS])', type: 'time_type' }]
 * f.time().toDb('21:30', 'sqlite'); // '21:30:00'
 * ```
 */
export class TimeField<O = unknown> extends Field<string, O> {
  constructor(options: CalendarOptions = {}) {
    super('time', options);
  }

  valueSchema(): FieldSchema {
    return Type.String({ pattern: TIME.source });
  }

  protected typeIssue(value: unknown): Issue | undefined {
    return typeof value === 'string' && TIME.test(value)
      ? undefined
      : { msg: 'Input should be a valid time (HH:MM[:SS])', type: 'time_type' };
  }

  columnType(dialect: DialectOps | Dialect): string {
    return opsOf(dialect).types.time;
  }

  /** The canonical text (`'21:30'` → `'21:30:00'`); anything but a time is a `QueryError`. */
  override toDb(value: string | null, _dialect?: DialectOps | Dialect): unknown {
    if (value === null || value === undefined) return null;
    const text = typeof value === 'string' ? canonicalTime(value) : undefined;
    if (text === undefined)
      throw new QueryError(
        `filter: '${this.name || 'time'}' compares times written 'HH:MM[:SS[.ffffff]]', got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
      );
    return text;
  }

  override fromDb(raw: unknown, _dialect?: DialectOps | Dialect): string | null {
    if (raw === null || raw === undefined) return null;
    const text = String(raw);
    return canonicalTime(text) ?? text;
  }
}

/**
 * An instant, a JS `Date`; stored in UTC. `autoNow`/`autoNowAdd` make it non-editable and
 * set by the query layer on save/create. Inputs may be a `Date` or ISO-8601 text with an
 * offset (`'2026-11-25T14:30:00Z'`); text without one is refused, as it names no instant.
 *
 * @example
 * ```ts
 * const created = f.datetime({ autoNowAdd: true });
 * created.toDb(new Date(0), 'sqlite'); // '1970-01-01T00:00:00.000Z'
 * ```
 */
export class DatetimeField<O = unknown> extends Field<Date, O> {
  constructor(options: DatetimeOptions = {}) {
    super('datetime', options);
  }

  valueSchema(): FieldSchema {
    return Type.String({ format: 'date-time' });
  }

  protected typeIssue(value: unknown): Issue | undefined {
    const date =
      value instanceof Date
        ? value
        : typeof value === 'string' && DATETIME.test(value)
          ? new Date(value)
          : undefined;
    if (date && !Number.isNaN(date.getTime()) && inYears(date)) return undefined;
    return { msg: 'Input should be a valid datetime with a time zone (ISO 8601)', type: 'datetime_type' };
  }

  columnType(dialect: DialectOps | Dialect): string {
    return opsOf(dialect).types.datetime;
  }

  override toDb(value: Date | string | null, dialect: DialectOps | Dialect): unknown {
    if (value === null || value === undefined) return null;
    return opsOf(dialect).datetimeToDb(value instanceof Date ? value : new Date(value));
  }

  override fromDb(raw: unknown, _dialect?: DialectOps | Dialect): Date | null {
    if (raw === null || raw === undefined) return null;
    if (raw instanceof Date) return raw;
    return (typeof raw === 'string' && storedInstant(raw)) || new Date(raw as string);
  }
}

/** The digit at `at` of `text`, or -1 when it is not one. */
function digit(text: string, at: number): number {
  const code = text.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : -1;
}

/** The number written by the digits `from`–`to` (exclusive) of `text`, or -1. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = digit(text, i);
    if (d < 0) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The instant of text as SQLite stores one (`toISOString()`: `YYYY-MM-DDTHH:MM:SS.sssZ`), read
 * without the general date parser; `undefined` for any other text, which `new Date()` reads.
 * Only values that parser reads alike take this path (years 100 and later, fields in range).
 */
function storedInstant(text: string): Date | undefined {
  if (text.length !== 24 || text.charCodeAt(10) !== 84 /* T */ || text.charCodeAt(23) !== 90 /* Z */)
    return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':' || text[19] !== '.')
    return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  const ms = digits(text, 20, 23);
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23) return undefined;
  if (minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return undefined;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
}
