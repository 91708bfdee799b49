/**
 * `F()` in queries: an expression over the queried row's columns (its own, across foreign keys)
 * and its earlier annotations, as SQL — compared by a filter (`filter({ stock__lt:
 * F('reserved') })`) or annotated (`annotate({ margin: F('price').minus(F('cost')) })`).
 *
 * Arithmetic gives the same values on both databases: whole numbers stay whole (64-bit), a
 * division by zero is null (PostgreSQL would fail), and decimals are exact at PostgreSQL's
 * `numeric` scales (SQLite, which stores them as text, computes them with Volt's functions).
 * A decimal never meets a float: the result would be neither exact nor the same on both.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import type { AnyModel } from '../model.ts';
import { type Clause, lazyClause } from './clause.ts';
import { QueryError } from './errors.ts';
import type { Operand } from './lookup-sql.ts';
import { TEXT_KINDS } from './lookups.ts';
import { columnAt } from './paths.ts';
import type { Expression, Node } from './refs.ts';
import type { Lookup } from './types.ts';

/** An expression as SQL, what it binds and its kind: `integer`, `float`, `decimal`, or a field's family. */
export interface ValueSql {
  readonly expression: RawBuilder<unknown>;
  readonly params: readonly unknown[];
  readonly shape: string;
  /** `integer`, `float`, `decimal`; for a bare field, its family (`text`, `date`, `datetime`…). */
  readonly kind: string;
  /** The field of a bare reference (`F('price')`): its value reads and compares like the field's. */
  readonly field: AnyField | undefined;
  readonly nullable: boolean;
}

/** A value's kind as arithmetic and comparisons see it. */
export function kindFamily(kind: string): string {
  if (kind === 'integer' || kind === 'bigint' || kind === 'auto') return 'integer';
  if (TEXT_KINDS.has(kind)) return 'text';
  return kind;
}

const NUMBERS = new Set(['integer', 'float', 'decimal']);

/** Names an expression may refer to besides the model's columns: the query's annotations. */
export type Named = ReadonlyMap<string, Operand>;

/**
 * `expression` as SQL for the row of `outer` (an alias of `model`'s table, whose columns are
 * qualified by it), its names resolved against `model` and `named`.
 */
export function expressionSql(
  expression: Expression,
  model: AnyModel,
  ops: DialectOps,
  outer: string,
  named: Named | undefined,
  where: string,
): ValueSql {
  const ref = (name: string): ValueSql => {
    const annotation = named?.get(name);
    if (annotation) {
      if (!annotation.kind)
        throw new QueryError(`${where}: F('${name}') names an annotation that arithmetic cannot read`);
      return {
        expression: annotation.value ?? annotation.expression,
        params: annotation.params ?? [],
        shape: `@${annotation.shape}`,
        kind: kindFamily(annotation.kind),
        field: undefined,
        nullable: true,
      };
    }
    const column = columnAt(model, name, `${where}: F('${name}')`, outer);
    return {
      expression: column.expression,
      params: [],
      shape: `ref:${column.shape}`,
      kind: kindFamily(column.field.kind),
      field: column.field,
      nullable: column.nullable,
    };
  };
  const build = (node: Node): ValueSql => {
    switch (node.kind) {
      case 'ref':
        return ref(node.name);
      case 'value': {
        const value = node.value;
        if (typeof value === 'string') return literal(ops.decimalLiteral(value), value, 'decimal', '?dec');
        if (Number.isSafeInteger(value))
          return literal(sql`cast(${value} as bigint)`, value, 'integer', '?int');
        return literal(sql`cast(${value} as double precision)`, value, 'float', '?real');
      }
      case 'op': {
        const left = build(node.left);
        const right = build(node.right);
        for (const side of [left, right])
          if (!NUMBERS.has(side.kind))
            throw new QueryError(
              `${where}: F() arithmetic takes numbers and decimals, and ${describe(side)} is a ${side.field?.kind ?? side.kind}`,
            );
        if (
          (left.kind === 'float' && right.kind === 'decimal') ||
          (left.kind === 'decimal' && right.kind === 'float')
        )
          throw new QueryError(
            `${where}: F() arithmetic mixes a decimal and a float, which is neither exact nor the same on both databases; write the number as decimal text ('1.5') or use decimal fields`,
          );
        const kind =
          left.kind === 'decimal' || right.kind === 'decimal'
            ? 'decimal'
            : left.kind === 'float' || right.kind === 'float'
              ? 'float'
              : 'integer';
        // Whole numbers as 64-bit integers on both: PostgreSQL's integer would overflow at 2^31.
        const operand = (side: ValueSql) =>
          side.field && side.kind === 'integer' ? sql`cast(${side.expression} as bigint)` : side.expression;
        const expression =
          kind === 'decimal'
            ? ops.decimalArithmetic(node.op, operand(left), operand(right))
            : node.op === '/'
              ? sql`(${operand(left)} / nullif(${operand(right)}, 0))`
              : sql`(${operand(left)} ${sql.raw(node.op)} ${operand(right)})`;
        return {
          expression,
          params: [...left.params, ...right.params],
          shape: `(${left.shape} ${node.op} ${right.shape})`,
          kind,
          field: undefined,
          nullable: true,
        };
      }
    }
  };
  return build(expression.node);
}

function literal(expression: RawBuilder<unknown>, value: unknown, kind: string, shape: string): ValueSql {
  return { expression, params: [value], shape, kind, field: undefined, nullable: false };
}

function describe(value: ValueSql): string {
  return value.field ? `'${value.field.attribute}'` : 'a value';
}

const OPERATORS: Partial<Record<Lookup, string>> = { exact: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * `operand <lookup> expression`: two values of one row compared — numbers as numbers (decimals
 * exactly, whatever their scales), dates, datetimes, times and text of the same family as they
 * are. `kind` is the operand's.
 */
export function compareClause(
  operand: Operand,
  kind: string,
  lookup: Lookup,
  key: string,
  right: ValueSql,
  ops: DialectOps,
): Clause {
  const operator = OPERATORS[lookup];
  if (!operator)
    throw new QueryError(
      `filter: '${key}' compares with F(), which takes the lookups exact, gt, gte, lt and lte, not '${lookup}'`,
    );
  const left = kindFamily(kind);
  const numbers = NUMBERS.has(left) && NUMBERS.has(right.kind);
  if (!numbers && left !== right.kind)
    throw new QueryError(
      `filter: '${key}' is a ${kind} and F() gives a ${right.field?.kind ?? right.kind}; compare values of one kind`,
    );
  if (
    numbers &&
    ((left === 'float' && right.kind === 'decimal') || (left === 'decimal' && right.kind === 'float'))
  )
    throw new QueryError(
      `filter: '${key}' compares a decimal with a float, which is neither exact nor the same on both databases`,
    );
  const decimal = numbers && (left === 'decimal' || right.kind === 'decimal');
  const mine = operand.value ?? operand.expression;
  const params = [...(operand.params ?? []), ...right.params];
  return lazyClause(`${operand.shape}:${lookup}:F(${right.shape})`, params, () =>
    decimal
      ? sql<SqlBool>`${ops.comparableDecimalAggregate(mine)} ${sql.raw(operator)} ${ops.comparableDecimalAggregate(right.expression)}`
      : sql<SqlBool>`${mine} ${sql.raw(operator)} ${right.expression}`,
  );
}
