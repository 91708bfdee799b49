/**
 * Exact decimal aggregates on SQLite. SQLite has no exact decimal type (Volt stores decimals as
 * canonical text), and its `sum`/`avg`/`min`/`max` would read that text as 64-bit floats. So
 * every connection gets Volt's own aggregates, computed in JavaScript on BigInt:
 * `volt_decimal_sum`, `volt_decimal_avg` (PostgreSQL's precision), `volt_decimal_min`,
 * `volt_decimal_max`; they work wherever SQL does (`aggregate`, a per-row subquery of
 * `annotate`, `groupBy` with `having`).
 *
 * They answer *sortable text*: text that orders as the numbers do and keeps the value's scale,
 * so `order by` an annotation is right without another step. `volt_decimal_key` drops the
 * scale (`1.50` and `1.5` give one key), for `=`, `<`, `in` against `sortableKey()` values.
 * They also read their own answers (a per-row sum summed again over a group, by `groupBy`), and
 * `volt_decimal_quotient(sum, n)` divides such a sum as `volt_decimal_avg` would.
 */
import type { AggregateOptions, DatabaseSync, SQLInputValue } from 'node:sqlite';
import {
  addExact,
  compareExact,
  divideRounded,
  type Exact,
  formatExact,
  parseExact,
  pow10,
  trimExact,
} from '../../decimal.ts';

const COMPLEMENT: Record<string, string> = {
  '0': '9',
  '1': '8',
  '2': '7',
  '3': '6',
  '4': '5',
  '5': '4',
  '6': '3',
  '7': '2',
  '8': '1',
  '9': '0',
};

function complement(digits: string): string {
  let out = '';
  for (const digit of digits) out += COMPLEMENT[digit];
  return out;
}

/**
 * Text that sorts (as bytes) in the order of the values, and keeps the scale:
 * `B` + zeros for zero; `C` + the length of the whole part (4 digits) + its digits + `.` + the
 * fraction for a positive value; for a negative one `A` and the same fields with every digit
 * complemented (9 − d), then `~`, so a larger magnitude sorts lower. Values equal but for their
 * scale (`1.5`, `1.50`) sort next to each other.
 *
 * @example
 * ```ts
 * sortableText({ coef: 1250n, scale: 2 }); // 'C000212.50'
 * sortableText({ coef: -5n, scale: 1 }); // 'A9999.4~'
 * ```
 */
export function sortableText(value: Exact): string {
  if (value.coef === 0n) return `B${'0'.repeat(value.scale)}`;
  const negative = value.coef < 0n;
  const digits = (negative ? -value.coef : value.coef).toString().padStart(value.scale + 1, '0');
  const point = digits.length - value.scale;
  const whole = digits.slice(0, point).replace(/^0+/u, '');
  const fraction = digits.slice(point);
  const length = String(whole.length).padStart(4, '0');
  return negative
    ? `A${complement(length)}${complement(whole)}.${complement(fraction)}~`
    : `C${length}${whole}.${fraction}`;
}

/** The value of `sortableText()`'s text, its scale kept. */
export function fromSortableText(text: string): Exact {
  const sign = text[0];
  if (sign === 'B') return { coef: 0n, scale: text.length - 1 };
  const negative = sign === 'A';
  const body = negative ? complement(text.slice(1, -1).replace('.', '')) : text.slice(1).replace('.', '');
  const length = Number(body.slice(0, 4));
  const digits = body.slice(4);
  const coef = BigInt(digits || '0');
  return { coef: negative ? -coef : coef, scale: digits.length - length };
}

/** The sortable text of a value without its scale: one key for `1.5` and `1.50`. */
export function sortableKey(value: Exact): string {
  return sortableText(trimExact(value));
}

/** The position of the first non-zero base-10000 digit of |x| (PostgreSQL's `weight`), and that digit. */
function baseWeight(value: Exact): { weight: number; first: bigint } {
  if (value.coef === 0n) return { weight: 0, first: 0n };
  const aligned = Math.ceil(value.scale / 4) * 4;
  const digits = (value.coef < 0n ? -value.coef : value.coef) * pow10(aligned - value.scale);
  const top = Math.floor((digits.toString().length - 1) / 4);
  return { weight: top - aligned / 4, first: digits / pow10(top * 4) };
}

/**
 * `dividend / divisor` as PostgreSQL's `numeric` division answers it: at the scale its
 * `select_div_scale` picks (at least 16 significant digits, at least either operand's scale, at
 * most 1000), rounded half away from zero. The divisor is not zero.
 *
 * @example
 * ```ts
 * quotientOf({ coef: 1n, scale: 0 }, { coef: 3n, scale: 0 }); // 0.33333333333333333333 (scale 20)
 * ```
 */
export function quotientOf(dividend: Exact, divisor: Exact): Exact {
  const top = baseWeight(dividend);
  const bottom = baseWeight(divisor);
  let quotientWeight = top.weight - bottom.weight;
  if (top.first <= bottom.first) quotientWeight--;
  const scale = Math.min(Math.max(16 - quotientWeight * 4, dividend.scale, divisor.scale, 0), 1000);
  // dividend.coef × 10^-ds / (divisor.coef × 10^-vs), at `scale`: × 10^(scale − ds + vs).
  let numerator = dividend.coef * pow10(scale - dividend.scale + divisor.scale);
  let denominator = divisor.coef;
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  return { coef: divideRounded(numerator, denominator, 'halfUp'), scale };
}

/**
 * The mean of values adding up to `sum`, as PostgreSQL's `avg(numeric)` answers it: `sum / n`
 * at the scale its division picks (`quotientOf`).
 *
 * @example
 * ```ts
 * averageOf({ coef: 30n, scale: 2 }, 2n); // 0.15000000000000000000 (scale 20)
 * ```
 */
export function averageOf(sum: Exact, n: bigint): Exact {
  return quotientOf(sum, { coef: n, scale: 0 });
}

/** Canonical decimal text, the form Volt stores: read without the general parser. */
const PLAIN = /^-?\d+(?:\.\d+)?$/u;

/** What Volt's aggregates answer (`sortableText`): a per-row aggregate summed over a group. */
const SORTABLE = /^[ABC]/u;

function readDecimal(raw: unknown, name: string): Exact {
  if (typeof raw === 'string' && SORTABLE.test(raw)) return fromSortableText(raw);
  if (typeof raw === 'string' && PLAIN.test(raw)) {
    const point = raw.indexOf('.');
    if (point === -1) return { coef: BigInt(raw), scale: 0 };
    return { coef: BigInt(raw.slice(0, point) + raw.slice(point + 1)), scale: raw.length - point - 1 };
  }
  const value = parseExact(raw);
  if (value === undefined) throw new Error(`${name}: ${JSON.stringify(String(raw))} is not a decimal number`);
  return value;
}

/** A running sum (`coef × 10^-scale`) and how many values it holds. */
interface Sum {
  coef: bigint;
  scale: number;
  n: bigint;
}

interface Extreme {
  best: Exact | null;
}

function extreme(name: string, sign: 1 | -1): AggregateSpec<Extreme> {
  return {
    start: () => ({ best: null }),
    step: (state, raw) => {
      if (raw === null || raw === undefined) return state;
      const value = readDecimal(raw, name);
      if (state.best === null || compareExact(value, state.best) === sign) state.best = value;
      return state;
    },
    result: (state) => (state.best === null ? null : sortableText(state.best)),
  };
}

/** An aggregate's steps over a state of any type `S`. */
interface AggregateSpec<S> {
  start(): S;
  step(state: S, raw: unknown): S;
  result(state: S): SQLInputValue;
}

/** `db.aggregate()` with a state object: node:sqlite keeps any JS value, its types say a SQL value. */
function aggregate<S>(db: DatabaseSync, name: string, spec: AggregateSpec<S>): void {
  db.aggregate(name, {
    deterministic: true,
    directOnly: true,
    ...(spec as unknown as Omit<AggregateOptions, 'deterministic' | 'directOnly'>),
  });
}

function adding(name: string, result: (total: Exact, n: bigint) => Exact): AggregateSpec<Sum> {
  return {
    start: () => ({ coef: 0n, scale: 0, n: 0n }),
    step: (state, raw) => {
      if (raw === null || raw === undefined) return state;
      const value = readDecimal(raw, name);
      if (value.scale === state.scale) state.coef += value.coef;
      else if (value.scale < state.scale) state.coef += value.coef * pow10(state.scale - value.scale);
      else {
        state.coef = state.coef * pow10(value.scale - state.scale) + value.coef;
        state.scale = value.scale;
      }
      state.n++;
      return state;
    },
    result: (state) => (state.n === 0n ? null : sortableText(result(state, state.n))),
  };
}

/**
 * Registers Volt's exact decimal functions on a connection (see the module's description).
 * `directOnly`: they cannot be used by the schema (a view, a trigger, a check), which other
 * programs reading the file could not run.
 */
export function registerDecimalFunctions(db: DatabaseSync): void {
  aggregate(
    db,
    'volt_decimal_sum',
    adding('volt_decimal_sum', (total) => total),
  );
  aggregate(db, 'volt_decimal_avg', adding('volt_decimal_avg', averageOf));
  aggregate(db, 'volt_decimal_min', extreme('volt_decimal_min', -1));
  aggregate(db, 'volt_decimal_max', extreme('volt_decimal_max', 1));
  // Arithmetic of F() expressions on decimals, exact, at the scales PostgreSQL's numeric gives:
  // + and - the larger scale, * the sum of the scales, / as quotientOf (null for a zero divisor).
  const arithmetic = (name: string, compute: (a: Exact, b: Exact) => Exact | null) =>
    db.function(name, { deterministic: true, directOnly: true }, (a, b) => {
      if (a === null || b === null) return null;
      const result = compute(readDecimal(a, name), readDecimal(b, name));
      return result === null ? null : formatExact(result);
    });
  arithmetic('volt_decimal_add', addExact);
  arithmetic('volt_decimal_sub', (a, b) => addExact(a, { coef: -b.coef, scale: b.scale }));
  arithmetic('volt_decimal_mul', (a, b) => ({ coef: a.coef * b.coef, scale: a.scale + b.scale }));
  arithmetic('volt_decimal_div', (a, b) => (b.coef === 0n ? null : quotientOf(a, b)));
  // The average of a group from its sum (sortable text) and its count, as volt_decimal_avg.
  db.function('volt_decimal_quotient', { deterministic: true, directOnly: true }, (total, n) =>
    total === null || n === null || Number(n) === 0
      ? null
      : sortableText(averageOf(readDecimal(total, 'volt_decimal_quotient'), BigInt(n as number | bigint))),
  );
  // Of sortable text (an aggregate) or a decimal (a column, an F() result): exact comparisons.
  db.function('volt_decimal_key', { deterministic: true, directOnly: true }, (value) =>
    value === null || value === undefined ? null : sortableKey(readDecimal(value, 'volt_decimal_key')),
  );
}
