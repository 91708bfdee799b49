/**
 * The numeric kinds: `integer` (32-bit), `bigint` (safe integers), `float`, `decimal` (exact,
 * as strings) and `auto` (the implicit `id` primary key).
 */

import { Type } from 'typebox';
import { compareExact, type Exact, formatExact, parseExact, pow10, rescale, trimExact } from '../decimal.ts';
import type { DialectOps } from '../dialects/ops.ts';
import { opsOf } from '../dialects/registry.ts';
import { QueryError } from '../query/errors.ts';
import {
  type Dialect,
  Field,
  type FieldOptions,
  type FieldSchema,
  type Issue,
  ModelDefinitionError,
  type RangeOptions,
  withChoices,
} from './field.ts';

/** Options of `f.integer()`, `f.bigint()` and `f.float()`. */
export interface NumberOptions extends FieldOptions<number>, RangeOptions {}

/** Options of `f.decimal()`: `digits` in total, `places` of them after the point. */
export interface DecimalOptions extends FieldOptions<string>, RangeOptions {
  digits: number;
  places: number;
}

/** The column ranges: a PostgreSQL `integer`, and what a JS number holds exactly. */
const RANGE = {
  integer: [-2147483648, 2147483647],
  bigint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  auto: [1, Number.MAX_SAFE_INTEGER],
} as const;

/**
 * A whole number. `integer` is a 32-bit column; `bigint` (and the auto `id`) is a 64-bit
 * column read as a JS `number`, so values are limited to ±2^53 − 1 (use `f.decimal` beyond).
 *
 * @example
 * ```ts
 * f.integer({ min: 0 }).check(-1); // [{ msg: 'Input should be greater than or equal to 0', ... }]
 * ```
 */
export class IntegerField<O = unknown> extends Field<number, O> {
  declare readonly kind: 'integer' | 'bigint' | 'auto';

  constructor(kind: 'integer' | 'bigint' | 'auto', options: NumberOptions = {}) {
    super(kind, kind === 'auto' ? { ...options, primaryKey: true, editable: false } : options, options);
  }
  override canHold(value: unknown): boolean {
    const n = typeof value === 'string' && /^-?\d{1,20}$/u.test(value) ? Number(value) : value;
    if (typeof n !== 'number') return typeof value !== 'string';
    const [low, high] = RANGE[this.kind];
    return Number.isInteger(n) && n >= low && n <= high;
  }

  protected bounds(): [number, number] {
    const [low, high] = RANGE[this.kind];
    return [Math.max(low, this.min ?? low), Math.min(high, this.max ?? high)];
  }

  valueSchema(): FieldSchema {
    const [minimum, maximum] = this.bounds();
    return withChoices(Type.Integer({ minimum, maximum }), this.choiceValues());
  }

  protected typeIssue(value: unknown): Issue | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value))
      return { msg: 'Input should be a valid integer', type: 'int_type' };
    const [low, high] = RANGE[this.kind];
    if (value < low)
      return { msg: `Input should be greater than or equal to ${low}`, type: 'greater_than_equal' };
    if (value > high)
      return { msg: `Input should be less than or equal to ${high}`, type: 'less_than_equal' };
    return undefined;
  }

  columnType(dialect: DialectOps | Dialect): string {
    return this.kind === 'integer' ? opsOf(dialect).types.integer : opsOf(dialect).types.bigint;
  }

  // pg returns int8 as a string; node:sqlite may return a bigint.
  override fromDb(raw: unknown, _dialect?: DialectOps | Dialect): number | null {
    return raw === null || raw === undefined ? null : Number(raw);
  }
}

/**
 * A double-precision number (`double precision` / `REAL`).
 *
 * @example
 * ```ts
 * f.float({ min: 0, max: 5 }).check(5.5); // [{ msg: 'Input should be less than or equal to 5', ... }]
 * ```
 */
export class FloatField<O = unknown> extends Field<number, O> {
  constructor(options: NumberOptions = {}) {
    super('float', options);
  }

  valueSchema(): FieldSchema {
    const options: Record<string, number> = {};
    if (this.min !== undefined) options.minimum = this.min;
    if (this.max !== undefined) options.maximum = this.max;
    return withChoices(Type.Number(options), this.choiceValues());
  }

  protected typeIssue(value: unknown): Issue | undefined {
    if (typeof value !== 'number' || !Number.isFinite(value))
      return { msg: 'Input should be a valid number', type: 'float_type' };
    return undefined;
  }

  columnType(dialect: DialectOps | Dialect): string {
    return opsOf(dialect).types.float;
  }

  override fromDb(raw: unknown, _dialect?: DialectOps | Dialect): number | null {
    return raw === null || raw === undefined ? null : Number(raw);
  }
}

/**
 * An exact decimal number, held in JavaScript as a string (`'19.90'`) so no digit is lost.
 * PostgreSQL stores `numeric(digits, places)`. SQLite stores the canonical text (`'19.90'`,
 * always `places` decimals, zero without a sign) in a `TEXT` column: SQLite's `NUMERIC`
 * affinity would turn it into a lossy 64-bit float. A value in a filter is read as a number and
 * written the same canonical way (`'12.3400'` finds `'12.34'`), so `=` and `in` are exact on both;
 * one the column cannot hold (`'12.345'` for 2 places) matches nothing.
 *
 * @example
 * ```ts
 * const price = f.decimal({ digits: 8, places: 2 });
 * price.check('19.999'); // [{ msg: 'Decimal should have at most 8 digits, 2 after the point', type: 'decimal_type' }]
 * price.toDb('19.9', 'sqlite'); // '19.90'
 * price.toDb('-0.000', 'sqlite'); // '0.00'
 * ```
 */
export class DecimalField<O = unknown> extends Field<string, O> {
  readonly digits: number;
  readonly places: number;
  protected readonly decimalRegex: RegExp;
  /** 10^digits: the smallest coefficient (at `places`) the column cannot hold. */
  protected readonly coefficientLimit: bigint;
  /** Text already canonical (`places` decimals, no leading zero, no negative zero): read as it is. */
  protected readonly canonicalText: RegExp;

  constructor(options: DecimalOptions) {
    super('decimal', options);
    const { digits, places } = options;
    if (!Number.isInteger(digits) || digits < 1 || digits > 1000)
      throw new ModelDefinitionError(`f.decimal() needs digits from 1 to 1000, got ${digits}`);
    if (!Number.isInteger(places) || places < 0)
      throw new ModelDefinitionError(`f.decimal() needs places of 0 or more, got ${places}`);
    if (places > digits)
      throw new ModelDefinitionError(
        `f.decimal() places (${places}) cannot be more than digits (${digits}): digits counts all of them`,
      );
    this.digits = digits;
    this.places = places;
    this.decimalRegex = new RegExp(this.decimalPattern(), 'u');
    this.coefficientLimit = pow10(digits);
    this.canonicalText =
      places === 0
        ? /^(?!-0$)-?(?:0|[1-9]\d*)$/u
        : new RegExp(`^(?!-0\\.0+$)-?(?:0|[1-9]\\d*)\\.\\d{${places}}$`, 'u');
  }

  /** `^-?(0|[1-9]\d{0,5})(\.\d{1,2})?$` for digits 8, places 2. */
  protected decimalPattern(): string {
    const whole = this.digits - this.places;
    const integer = whole === 0 ? '0' : `(0|[1-9]\\d{0,${whole - 1}})`;
    const fraction = this.places === 0 ? '' : `(\\.\\d{1,${this.places}})?`;
    return `^-?${integer}${fraction}$`;
  }

  valueSchema(): FieldSchema {
    return withChoices(Type.String({ pattern: this.decimalPattern() }), this.choiceValues());
  }

  protected typeIssue(value: unknown): Issue | undefined {
    if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/u.test(value))
      return {
        msg: 'Input should be a decimal number written as a string, such as "19.90"',
        type: 'decimal_type',
      };
    if (!this.decimalRegex.test(value))
      return {
        msg: `Decimal should have at most ${this.digits} digits, ${this.places} after the point`,
        type: 'decimal_type',
      };
    return undefined;
  }

  /** `min` and `max` compared exactly, not as floats. */
  protected override compareTo(value: string, bound: number): number {
    const exact = parseExact(value);
    const limit = parseExact(bound);
    return exact && limit ? compareExact(exact, limit) : Number(value) - bound;
  }

  columnType(dialect: DialectOps | Dialect): string {
    return opsOf(dialect).types.decimal(this.digits, this.places);
  }

  /** The value at this field's scale when the column can hold it exactly, else `undefined`. */
  protected fitted(value: Exact): Exact | undefined {
    if (value.scale > this.places) {
      const trimmed = trimExact(value);
      if (trimmed.scale > this.places) return undefined;
      value = trimmed;
    }
    const scaled = rescale(value, this.places);
    const magnitude = scaled.coef < 0n ? -scaled.coef : scaled.coef;
    return magnitude < this.coefficientLimit ? scaled : undefined;
  }

  /**
   * The canonical text of a decimal: exactly `places` decimals (`'19.9'` → `'19.90'`,
   * `'12.3400'` → `'12.34'`) and zero without a sign (`'-0'` → `'0.00'`): PostgreSQL's `numeric`
   * has no negative zero, and SQLite's text would keep it. Digits past `places` are rounded
   * half away from zero, as PostgreSQL rounds what it stores; text that is not a decimal is
   * returned as it is.
   */
  canonical(value: string): string {
    const exact = parseExact(value);
    return exact ? formatExact(rescale(exact, this.places, 'halfUp')) : value;
  }

  /** `false` for a number the column cannot hold (more places or whole digits than declared). */
  override canHold(value: unknown): boolean {
    const exact = parseExact(value);
    // Not a number at all: toDb names the mistake.
    return exact === undefined || this.fitted(exact) !== undefined;
  }

  /**
   * The canonical text (`'12.3400'` → `'12.34'`); a number the column cannot hold (compared by
   * `gt`, `lt`…) as its exact text. Text that is not a decimal number is a `QueryError`.
   */
  override toDb(value: string | null, _dialect?: DialectOps | Dialect): unknown {
    if (value === null || value === undefined) return null;
    const exact = parseExact(value);
    if (exact === undefined)
      throw new QueryError(
        `filter: '${this.name || 'decimal'}' compares decimal numbers, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
      );
    const fit = this.fitted(exact);
    return formatExact(fit ?? trimExact(exact));
  }

  override fromDb(raw: unknown, _dialect?: DialectOps | Dialect): string | null {
    if (raw === null || raw === undefined) return null;
    const text = String(raw);
    // What Volt stored is canonical already: the common case reads it without parsing.
    return this.canonicalText.test(text) ? text : this.canonical(text);
  }
}
