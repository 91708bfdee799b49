/**
 * `F('stock')`: a column's value as the database has it when the statement runs, with
 * arithmetic, as Django's `F()` — `update({ stock: F('stock').minus(qty) })` decrements in one
 * atomic statement, whatever another transaction wrote meanwhile.
 */
import { type RawBuilder, sql } from 'kysely';
import type { AnyField } from '../fields/field.ts';
import type { AnyModel } from '../model.ts';
import type { UpdateInput } from '../types.ts';
import { QueryError } from './errors.ts';

/** An arithmetic operator. */
export type Operator = '+' | '-' | '*' | '/';

/** @internal An expression's tree: a name, a literal (a number, or decimal text), an operation. */
export type Node =
  | { readonly kind: 'ref'; readonly name: string }
  | { readonly kind: 'value'; readonly value: number | string }
  | { readonly kind: 'op'; readonly op: Operator; readonly left: Node; readonly right: Node };

/** A number, decimal text (`'1.5'`) or an expression: what arithmetic takes on either side. */
export type Operand = Expression<string, ExpressionKind> | number | string;

/**
 * What an expression computes: `'ref'` a field's (or an annotation's) value as it is, `'math'`
 * arithmetic, `'divided'` arithmetic with a division (null when dividing by zero).
 */
export type ExpressionKind = 'ref' | 'math' | 'divided';

/** The names an operand refers to (`'~decimal'` for decimal text, which makes the result a decimal). */
type NamesOf<O> = O extends Expression<infer N, ExpressionKind> ? N : O extends string ? '~decimal' : never;
type KindOf<K extends ExpressionKind, O, D extends boolean> = D extends true
  ? 'divided'
  : K extends 'divided'
    ? 'divided'
    : O extends Expression<string, 'divided'>
      ? 'divided'
      : 'math';

/**
 * A value computed by the database from the row's columns: made by {@link F}, combined with
 * `plus`, `minus`, `times` and `dividedBy`. `N` holds the names it refers to, `K` what it
 * computes (they type an annotation of it).
 */
export class Expression<N extends string = string, K extends ExpressionKind = ExpressionKind> {
  /** @internal The expression's tree. */
  readonly node: Node;
  declare readonly '~names'?: N;
  declare readonly '~kind'?: K;
  /** Marks an expression for the conditions' types (filters compare with one). */
  declare readonly '~expression': true;

  /** @internal Use {@link F}. */
  constructor(node: Node) {
    this.node = node;
  }

  /** `this + other`. */
  plus<const O extends Operand>(other: O): Expression<N | NamesOf<O>, KindOf<K, O, false>> {
    return this.#op('+', other);
  }

  /** `this - other`. */
  minus<const O extends Operand>(other: O): Expression<N | NamesOf<O>, KindOf<K, O, false>> {
    return this.#op('-', other);
  }

  /** `this * other`. */
  times<const O extends Operand>(other: O): Expression<N | NamesOf<O>, KindOf<K, O, false>> {
    return this.#op('*', other);
  }

  /**
   * `this / other` (a whole number divided by a whole number is a whole number, as in SQL; in a
   * query, a division by zero is null on both databases).
   */
  dividedBy<const O extends Operand>(other: O): Expression<N | NamesOf<O>, 'divided'> {
    return this.#op('/', other);
  }

  #op(op: Operator, other: Operand): Expression<any, any> {
    return new Expression({ kind: 'op', op, left: this.node, right: nodeOf(other) });
  }
}

/** Decimal text a literal may be written as (`'1.5'`, `'-2'`). */
const DECIMAL_LITERAL = /^-?\d+(\.\d+)?$/u;

function nodeOf(operand: Operand): Node {
  if (operand instanceof Expression) return operand.node;
  if (typeof operand === 'string' && DECIMAL_LITERAL.test(operand)) return { kind: 'value', value: operand };
  if (typeof operand !== 'number' || !Number.isFinite(operand))
    throw new QueryError(
      `F(): arithmetic takes numbers, decimal text like '1.5' and F() expressions, got ${String(operand)}`,
    );
  return { kind: 'value', value: operand };
}

/**
 * The field `name` of the row, as the database has it when the statement runs: in
 * `update()`, in filters (`filter({ stock__lt: F('reserved') })`, columns of the same row) and
 * in `annotate()` (`F('price').minus(F('cost'))`). In a query, `name` may also be a path across
 * foreign keys (`F('author__maxBooks')`) or an earlier annotation.
 *
 * @example
 * ```ts
 * // One atomic statement: sells only while there is stock.
 * const sold = await query(db, Product)
 *   .filter({ id, stock__gte: qty })
 *   .update({ stock: F('stock').minus(qty) }); // 1, or 0 when out of stock
 * await query(db, Product).filter({ stock__lt: F('reserved') }).all(); // short of stock
 * ```
 */
export function F<const N extends string>(name: N): Expression<N, 'ref'> {
  if (typeof name !== 'string' || name === '')
    throw new QueryError('F() needs a field name, like F("stock")');
  return new Expression({ kind: 'ref', name });
}

/**
 * The values of an update: each field's value, or for a number field an `F()` expression.
 *
 * @example
 * ```ts
 * const values: Updates<typeof Product> = { stock: F('stock').minus(1), name: 'Widget' };
 * ```
 */
export type Updates<M> = {
  [K in keyof UpdateInput<M>]?:
    | UpdateInput<M>[K]
    | (NonNullable<UpdateInput<M>[K]> extends number ? Expression<string, ExpressionKind> : never);
};

/** Whether `value` is an `F()` expression. */
export function isExpression(value: unknown): value is Expression {
  return value instanceof Expression;
}

/** Field kinds arithmetic applies to, on both databases alike. */
const NUMERIC = new Set(['integer', 'bigint', 'auto', 'float']);

/** An expression checked against a model: its cache shape, its parameters and its SQL. */
export interface CompiledExpression {
  readonly shape: string;
  readonly params: readonly unknown[];
  sql(): RawBuilder<unknown>;
}

/**
 * `expression` for a value of `target` on `model`'s table: every field it names exists and is a
 * number (decimals are left out: SQLite would compute them in floating point), as `target` is.
 */
export function compileExpression(
  expression: Expression,
  model: AnyModel,
  target: AnyField,
): CompiledExpression {
  const where = `F() for '${target.attribute}'`;
  const numeric = (field: AnyField) => {
    if (!NUMERIC.has(field.kind))
      throw new QueryError(
        `${where}: '${field.attribute}' is a ${field.kind} field; F() arithmetic applies to integer and float fields${field.kind === 'decimal' ? ' (decimals: compute the value with the decimal helpers and set it)' : ''}`,
      );
  };
  numeric(target);
  // A whole-number column takes whole numbers: SQLite would store a fraction as it is,
  // PostgreSQL round it; neither is asked to.
  const whole = target.kind !== 'float';
  const fraction = (what: string) => {
    if (whole)
      throw new QueryError(
        `${where}: ${what} gives a fraction, and '${target.attribute}' holds whole numbers; round in the value, or use a float field`,
      );
  };
  const params: unknown[] = [];
  const shapeOf = (node: Node): string => {
    switch (node.kind) {
      case 'ref': {
        const field = model.meta.concreteFields.find((f) => f.attribute === node.name);
        if (!field)
          throw new QueryError(
            `${where}: ${model.meta.label} has no field '${node.name}'; its fields are: ${model.meta.concreteFields.map((f) => f.attribute).join(', ')}`,
          );
        numeric(field);
        if (field.kind === 'float') fraction(`the float field '${field.attribute}'`);
        return `ref:${JSON.stringify(field.column)}`;
      }
      case 'value':
        if (typeof node.value === 'string')
          throw new QueryError(
            `${where}: decimal text (${JSON.stringify(node.value)}) is for filters and annotations; an update computes with numbers`,
          );
        if (whole && Number.isInteger(node.value) && !Number.isSafeInteger(node.value))
          throw new QueryError(
            `${where}: ${node.value} is past ±2^53−1, the whole numbers a JavaScript number holds exactly`,
          );
        if (!Number.isSafeInteger(node.value)) fraction(String(node.value));
        params.push(node.value);
        return Number.isSafeInteger(node.value) ? '?' : '?real';
      case 'op':
        if (node.op === '/' && node.right.kind === 'value' && node.right.value === 0)
          throw new QueryError(`${where}: dividedBy(0) divides by zero`);
        return `(${shapeOf(node.left)} ${node.op} ${shapeOf(node.right)})`;
    }
  };
  const shape = shapeOf(expression.node);
  const build = (node: Node): RawBuilder<unknown> => {
    switch (node.kind) {
      case 'ref':
        return sql.ref(model.meta.concreteFields.find((f) => f.attribute === node.name)!.column!);
      case 'value':
        // Typed by a cast: a driver binds a JavaScript number as a float (SQLite would then
        // divide whole numbers into a fraction), or as text a PostgreSQL column's type reads.
        return Number.isSafeInteger(node.value as number)
          ? sql`cast(${node.value} as bigint)`
          : sql`cast(${node.value} as double precision)`;
      case 'op':
        // A division by zero is NULL on both databases, as in queries (PostgreSQL would fail).
        return node.op === '/'
          ? sql`(${build(node.left)} / nullif(${build(node.right)}, 0))`
          : sql`(${build(node.left)} ${sql.raw(node.op)} ${build(node.right)})`;
    }
  };
  return { shape, params, sql: () => build(expression.node) };
}
