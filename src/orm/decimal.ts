/**
 * Exact decimal arithmetic on BigInt, for the decimal strings rows hold (`'19.90'`): the public
 * `decimal` helpers (`add`, `sub`, `mul`, `div`, `round`, `cmp`, `sum`) and the parsing,
 * rounding and formatting that `f.decimal()` and the aggregates use. No dependency: a value is
 * a BigInt coefficient and a scale (`'19.90'` is 1990 × 10^-2).
 */

/** A decimal as exact parts: `coef × 10^-scale` (`'19.90'` is `{ coef: 1990n, scale: 2 }`). */
export interface Exact {
  readonly coef: bigint;
  /** Digits after the point, 0 or more. */
  readonly scale: number;
}

/** What the helpers accept: decimal text (`'19.90'`, `'-1e3'`), a BigInt, or a finite number (read as its shortest text: `0.1` is `'0.1'`). */
export type DecimalInput = string | bigint | number;

/**
 * How a value is rounded to fewer places, named as Python's `decimal` modes: `halfEven` (ties
 * to the even digit, Python's and IEEE 754's default), `halfUp` (ties away from zero, as
 * PostgreSQL's `round()`), `halfDown` (ties toward zero), `up` (away from zero), `down`
 * (toward zero, truncation), `ceiling` (toward +∞), `floor` (toward −∞).
 */
export type Rounding = 'halfEven' | 'halfUp' | 'halfDown' | 'up' | 'down' | 'ceiling' | 'floor';

const ROUNDINGS: readonly Rounding[] = ['halfEven', 'halfUp', 'halfDown', 'up', 'down', 'ceiling', 'floor'];

/** Sign, digits with an optional fraction (or a bare fraction), an optional exponent. */
const DECIMAL_TEXT = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d{1,6}))?$/u;

/** Larger exponents are refused: `'1e999999'` would be a million-digit BigInt. */
const MAX_EXPONENT = 20000;

const TEN = 10n;
const powers: bigint[] = [1n];

/** 10^n as a BigInt (cached for the small powers every rescale uses). */
export function pow10(n: number): bigint {
  if (n < 64) {
    for (let i = powers.length; i <= n; i++) powers.push(powers[i - 1]! * TEN);
    return powers[n]!;
  }
  return TEN ** BigInt(n);
}

/**
 * The exact value of decimal text, a BigInt or a finite number; `undefined` for anything else
 * (text that is not a decimal, `NaN`, `Infinity`, an exponent past ±20000).
 *
 * @example
 * ```ts
 * parseExact('-12.340'); // { coef: -12340n, scale: 3 }
 * parseExact('1e3'); // { coef: 1000n, scale: 0 }
 * ```
 */
export function parseExact(value: unknown): Exact | undefined {
  if (typeof value === 'bigint') return { coef: value, scale: 0 };
  if (typeof value === 'number') return Number.isFinite(value) ? parseExact(String(value)) : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DECIMAL_TEXT.exec(value);
  if (!match) return undefined;
  const sign = match[1];
  const whole = match[2] ?? '';
  const fraction = match[3] ?? match[4] ?? '';
  const exponentText = match[5];
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
  const digits = BigInt(`${whole}${fraction}` || '0');
  let coef = sign === '-' ? -digits : digits;
  let scale = fraction.length - exponent;
  if (scale < 0) {
    coef *= pow10(-scale);
    scale = 0;
  }
  return { coef, scale };
}

/**
 * Plain decimal text of `value`: every digit of its scale, no exponent, no sign on zero.
 *
 * @example
 * ```ts
 * formatExact({ coef: -5n, scale: 2 }); // '-0.05'
 * ```
 */
export function formatExact(value: Exact): string {
  const negative = value.coef < 0n;
  const digits = (negative ? -value.coef : value.coef).toString();
  if (value.scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(value.scale + 1, '0');
  const point = padded.length - value.scale;
  return `${negative ? '-' : ''}${padded.slice(0, point)}.${padded.slice(point)}`;
}

/** `true` when the bigint is odd. */
function odd(n: bigint): boolean {
  return (n < 0n ? -n : n) % 2n === 1n;
}

/**
 * `numerator / denominator` as an integer, rounded by `rounding` (the denominator is positive).
 */
export function divideRounded(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  const quotient = numerator / denominator; // truncated toward zero
  const remainder = numerator - quotient * denominator;
  if (remainder === 0n) return quotient;
  const sign = numerator < 0n ? -1n : 1n;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  const away = quotient + sign;
  switch (rounding) {
    case 'down':
      return quotient;
    case 'up':
      return away;
    case 'ceiling':
      return sign > 0n ? away : quotient;
    case 'floor':
      return sign < 0n ? away : quotient;
    case 'halfUp':
      return twice >= denominator ? away : quotient;
    case 'halfDown':
      return twice > denominator ? away : quotient;
    case 'halfEven':
      if (twice === denominator) return odd(quotient) ? away : quotient;
      return twice > denominator ? away : quotient;
  }
}

/**
 * `value` with exactly `scale` digits after the point, rounded by `rounding` when it had more.
 *
 * @example
 * ```ts
 * rescale({ coef: 125n, scale: 2 }, 1, 'halfEven'); // { coef: 12n, scale: 1 }: 1.25 → 1.2
 * ```
 */
export function rescale(value: Exact, scale: number, rounding: Rounding = 'halfEven'): Exact {
  if (scale === value.scale) return value;
  if (scale > value.scale) return { coef: value.coef * pow10(scale - value.scale), scale };
  return { coef: divideRounded(value.coef, pow10(value.scale - scale), rounding), scale };
}

/** `-1`, `0` or `1` as `a` is less than, equal to or greater than `b`. */
export function compareExact(a: Exact, b: Exact): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = a.coef * pow10(scale - a.scale);
  const y = b.coef * pow10(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `value` without the zeros that end its fraction (`1.500` → `1.5`, `2.00` → `2`). */
export function trimExact(value: Exact): Exact {
  let { coef, scale } = value;
  while (scale > 0 && coef % TEN === 0n) {
    coef /= TEN;
    scale--;
  }
  return { coef, scale };
}

/** The sum of two exact values, at the larger scale. */
export function addExact(a: Exact, b: Exact): Exact {
  const scale = Math.max(a.scale, b.scale);
  return { coef: a.coef * pow10(scale - a.scale) + b.coef * pow10(scale - b.scale), scale };
}

/** Decimal syntax with an exponent of any length: what `parseExact` refuses past ±20000 only. */
const LONG_EXPONENT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+$/u;

function input(value: DecimalInput, what: string): Exact {
  const exact = parseExact(value);
  if (exact === undefined) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    if (typeof value === 'string' && LONG_EXPONENT.test(value))
      throw new TypeError(
        `decimal.${what}: ${shown} has an exponent past ±${MAX_EXPONENT} (its digits are not held)`,
      );
    throw new TypeError(`decimal.${what}: ${shown} is not a decimal number (write it like '19.90')`);
  }
  return exact;
}

/** `places` checked: a whole number up to the largest exponent a value may have (20000). */
function placesOf(places: number, what: string): number {
  if (!Number.isSafeInteger(places) || places < 0 || places > MAX_EXPONENT)
    throw new RangeError(
      `decimal.${what}: places should be a whole number from 0 to ${MAX_EXPONENT}, got ${places}`,
    );
  return places;
}

function roundingOf(rounding: Rounding, what: string): Rounding {
  if (!ROUNDINGS.includes(rounding))
    throw new RangeError(
      `decimal.${what}: rounding should be one of ${ROUNDINGS.map((r) => `'${r}'`).join(', ')}, got ${String(rounding)}`,
    );
  return rounding;
}

/**
 * `a + b`, exact, with as many places as the longer of the two (`'0.10' + '0.2'` is `'0.30'`).
 *
 * @example
 * ```ts
 * decimal.add('0.10', '0.20'); // '0.30'
 * ```
 */
function add(a: DecimalInput, b: DecimalInput): string {
  return formatExact(addExact(input(a, 'add'), input(b, 'add')));
}

/**
 * `a − b`, exact, with as many places as the longer of the two.
 *
 * @example
 * ```ts
 * decimal.sub('10.00', '0.01'); // '9.99'
 * ```
 */
function sub(a: DecimalInput, b: DecimalInput): string {
  const y = input(b, 'sub');
  return formatExact(addExact(input(a, 'sub'), { coef: -y.coef, scale: y.scale }));
}

/**
 * `a × b`, exact: the places of both added (`'19.99' × '0.0825'` has 6). Round it with
 * `decimal.round`.
 *
 * @example
 * ```ts
 * decimal.mul('19.99', '3'); // '59.97'
 * decimal.mul('1.10', '2.0'); // '2.200'
 * ```
 */
function mul(a: DecimalInput, b: DecimalInput): string {
  const x = input(a, 'mul');
  const y = input(b, 'mul');
  return formatExact({ coef: x.coef * y.coef, scale: x.scale + y.scale });
}

/**
 * `a ÷ b` with `places` digits after the point, rounded by `rounding` (default `halfEven`, as
 * Python's `decimal`). A `RangeError` when `b` is zero.
 *
 * @example
 * ```ts
 * decimal.div('10', '3', 2); // '3.33'
 * decimal.div('0.125', '1', 2); // '0.12' (a tie, to the even digit)
 * decimal.div('0.125', '1', 2, 'halfUp'); // '0.13'
 * ```
 */
function div(a: DecimalInput, b: DecimalInput, places: number, rounding: Rounding = 'halfEven'): string {
  const x = input(a, 'div');
  const y = input(b, 'div');
  const scale = placesOf(places, 'div');
  roundingOf(rounding, 'div');
  if (y.coef === 0n) throw new RangeError('decimal.div: division by zero');
  // x / y = (x.coef / y.coef) × 10^(y.scale − x.scale); scaled by 10^scale to an integer.
  const shift = scale + y.scale - x.scale;
  let numerator = x.coef;
  let denominator = y.coef;
  if (shift >= 0) numerator *= pow10(shift);
  else denominator *= pow10(-shift);
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  return formatExact({ coef: divideRounded(numerator, denominator, rounding), scale });
}

/**
 * `value` with exactly `places` digits after the point: rounded by `rounding` (default
 * `halfEven`) when it has more, padded with zeros when it has fewer.
 *
 * @example
 * ```ts
 * decimal.round('2.675', 2); // '2.68'
 * decimal.round('2.665', 2); // '2.66' (halfEven)
 * decimal.round('-2.665', 2, 'halfUp'); // '-2.67'
 * decimal.round('7', 2); // '7.00'
 * ```
 */
function round(value: DecimalInput, places: number, rounding: Rounding = 'halfEven'): string {
  const x = input(value, 'round');
  return formatExact(rescale(x, placesOf(places, 'round'), roundingOf(rounding, 'round')));
}

/**
 * `-1`, `0` or `1` as `a` is less than, equal to or greater than `b`, by value (`'1.50'` equals
 * `'1.5'`). Sort with it: `prices.sort(decimal.cmp)`.
 *
 * @example
 * ```ts
 * decimal.cmp('1.50', '1.5'); // 0
 * decimal.cmp('-2', '1'); // -1
 * ```
 */
function cmp(a: DecimalInput, b: DecimalInput): -1 | 0 | 1 {
  return compareExact(input(a, 'cmp'), input(b, 'cmp'));
}

/**
 * The exact sum of the values, with as many places as the longest (`'0'` for none).
 *
 * @example
 * ```ts
 * decimal.sum(['19.90', '0.10', '-5']); // '15.00'
 * ```
 */
function sum(values: Iterable<DecimalInput>): string {
  let total: Exact = { coef: 0n, scale: 0 };
  for (const value of values) total = addExact(total, input(value, 'sum'));
  return formatExact(total);
}

/**
 * Exact arithmetic on decimal strings, on BigInt: what a decimal field holds (`'19.90'`) can be
 * added, multiplied, divided, rounded and compared without a float in between. Results are
 * decimal strings; inputs may also be BigInts or finite numbers (read as their shortest text).
 * Bad input is a `TypeError`; a bad `places` or `rounding`, or a division by zero, a `RangeError`.
 *
 * @example
 * ```ts
 * import { decimal } from 'voltjs/orm';
 * const subtotal = decimal.mul('19.99', '3'); // '59.97'
 * const tax = decimal.round(decimal.mul(subtotal, '0.0825'), 2); // '4.95'
 * decimal.add(subtotal, tax); // '64.92'
 * ```
 */
export const decimal = Object.freeze({ add, sub, mul, div, round, cmp, sum });
