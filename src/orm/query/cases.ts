/**
 * `when(conditions, value)…otherwise(value)`: a value chosen per row by conditions, as Django's
 * `Case(When(…, then=…), default=…)` — SQL's `case when … then … else … end`, for `annotate()`.
 * Conditions are ordinary conditions objects (lookups, relation paths, `or`/`and`/`not`, earlier
 * annotations); values are literals (bound as parameters) or `F()` expressions, of one kind.
 */
import { type RawBuilder, sql } from 'kysely';
import { parseExact } from '../decimal.ts';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import type { AnyModel } from '../model.ts';
import {
  type Annotation,
  computedAnnotation,
  decimalValueAnnotation,
  fieldValueAnnotation,
  numberValueAnnotation,
} from './annotations.ts';
import type { Clause } from './clause.ts';
import { conditionsSql } from './conditions.ts';
import { QueryError } from './errors.ts';
import { expressionSql, type Named, type ValueSql } from './expression-sql.ts';
import { TEXT_KINDS } from './lookups.ts';
import { type Expression, isExpression } from './refs.ts';

/** What a branch may give: text, a number, a boolean, null, or an `F()` expression. */
export type CaseValue = string | number | boolean | null | Expression<string, any>;

interface Branch {
  readonly conditions: object;
  readonly value: CaseValue;
}

/**
 * A value chosen per row by conditions: built by {@link when}, continued by `.when()` and closed
 * by `.otherwise()`. `V` is the union of the values' types; `Closed` whether a default was given
 * (without one, a row meeting no condition gets null).
 */
export class Case<V = unknown, Closed extends boolean = boolean> {
  /** @internal */
  readonly branches: readonly Branch[];
  /** @internal `undefined`: null for rows meeting no condition. */
  readonly fallback: { readonly value: CaseValue } | undefined;
  declare readonly '~value'?: V;
  declare readonly '~closed'?: Closed;

  /** @internal Use {@link when}. */
  constructor(branches: readonly Branch[], fallback: { readonly value: CaseValue } | undefined) {
    this.branches = branches;
    this.fallback = fallback;
  }

  /** Another branch, tried when the earlier ones did not match. */
  when<const W extends CaseValue>(conditions: object, value: W): Case<V | W, false> {
    if (this.fallback) throw new QueryError('when(): otherwise() ends the cases; add when() before it');
    return new Case([...this.branches, branch(conditions, value)], undefined);
  }

  /** The value of the rows meeting no condition (without it, null). */
  otherwise<const W extends CaseValue>(value: W): Case<V | W, true> {
    if (this.fallback) throw new QueryError('when(): otherwise() was given already');
    return new Case(this.branches, { value: checkedValue(value) });
  }
}

function checkedValue(value: CaseValue): CaseValue {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    isExpression(value) ||
    (typeof value === 'number' && Number.isFinite(value))
  )
    return value;
  throw new QueryError(
    `when(): a value should be text, a finite number, a boolean, null or an F() expression, got ${String(value)}`,
  );
}

function branch(conditions: object, value: CaseValue): Branch {
  if (typeof conditions !== 'object' || conditions === null || Array.isArray(conditions))
    throw new QueryError("when(): conditions should be an object (or or/and/not), like { price__lt: '10' }");
  return Object.freeze({ conditions, value: checkedValue(value) });
}

/**
 * The first branch of a value chosen per row: `value` for the rows meeting `conditions`; add
 * branches with `.when()` and the other rows' value with `.otherwise()` (null without it). The
 * conditions are those `filter()` takes; values are literals of one kind or `F()` expressions.
 *
 * @example
 * ```ts
 * const bands = await query(db, Product)
 *   .annotate({ band: when({ price__lt: '10' }, 'cheap').when({ price__lt: '50' }, 'mid').otherwise('dear') })
 *   .groupBy('band')
 *   .aggregate({ n: count() }); // [{ band: 'cheap', n: 2 }, { band: 'dear', n: 1 }, …]
 * ```
 */
export function when<const W extends CaseValue>(conditions: object, value: W): Case<W, false> {
  return new Case([branch(conditions, value)], undefined);
}

/** `true` for a value built by `when()`. */
export function isCase(value: unknown): value is Case {
  return value instanceof Case;
}

/** One value of a case, as SQL: a literal (bound), null, or an expression. */
interface Resolved {
  readonly expression: RawBuilder<unknown>;
  readonly params: readonly unknown[];
  readonly shape: string;
}

/** The kind of a literal. */
function literalKind(value: string | number | boolean): string {
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'boolean';
  return Number.isSafeInteger(value) ? 'integer' : 'float';
}

/**
 * The annotation `name` of `value` on `model`'s rows; `named` are the earlier annotations
 * (conditions and `F()` may name them).
 */
export function caseAnnotation(
  model: AnyModel,
  name: string,
  alias: string,
  value: Case,
  ops: DialectOps,
  named: Named,
): Annotation {
  const where = `annotate: '${name}'`;
  const values = [...value.branches.map((b) => b.value), ...(value.fallback ? [value.fallback.value] : [])];
  const expressions = new Map<CaseValue, ValueSql>();
  for (const v of values)
    if (isExpression(v)) expressions.set(v, expressionSql(v, model, ops, model.meta.table, named, where));
  // One kind for every value: a field's (F('price') alone), arithmetic's, or the literals'.
  const computed = [...expressions.values()];
  const field: AnyField | undefined = computed.find((c) => c.field)?.field;
  const kinds = new Set<string>([
    ...computed.map((c) => (c.field ? `field:${c.kind}` : c.kind)),
    ...values
      .filter((v) => v !== null && !isExpression(v))
      .map((v) => literalKind(v as string | number | boolean)),
  ]);
  let kind: string;
  if (field) {
    kind = `field:${computed.find((c) => c.field)!.kind}`;
    for (const k of kinds)
      if (k !== kind && (k.startsWith('field:') || !literalFits(k, field))) throw mixed(where, kinds);
  } else if (kinds.size <= 1) kind = [...kinds][0] ?? 'text';
  else if ([...kinds].every((k) => k === 'integer' || k === 'float')) kind = 'float';
  else if (
    [...kinds].every((k) => k === 'integer' || k === 'decimal' || k === 'text') &&
    kinds.has('decimal')
  )
    kind = 'decimal';
  else throw mixed(where, kinds);
  const literal = (v: string | number | boolean): Resolved => {
    if (field) {
      const db = field.toDb(v as never, ops);
      return { expression: sql`${db}`, params: [db], shape: '?' };
    }
    switch (kind) {
      case 'text':
        return { expression: sql`cast(${v} as text)`, params: [v], shape: '?text' };
      case 'boolean': {
        const db = ops.booleanToDb(v as boolean);
        return { expression: sql`cast(${db} as boolean)`, params: [db], shape: '?bool' };
      }
      case 'integer':
        return { expression: sql`cast(${v} as bigint)`, params: [v], shape: '?int' };
      case 'float':
        return { expression: sql`cast(${v} as double precision)`, params: [v], shape: '?real' };
      default: {
        // decimal: numbers and decimal text as exact decimals.
        const text = typeof v === 'string' ? v : String(v);
        if (parseExact(text) === undefined)
          throw new QueryError(`${where}: ${JSON.stringify(v)} is not a decimal number`);
        return { expression: ops.decimalLiteral(text), params: [text], shape: '?dec' };
      }
    }
  };
  const resolve = (v: CaseValue): Resolved => {
    if (v === null) return { expression: sql`null`, params: [], shape: 'null' };
    const computedValue = expressions.get(v);
    if (computedValue) return computedValue;
    return literal(v as string | number | boolean);
  };
  const conditions: Clause[] = value.branches.map((b) =>
    conditionsSql(model, b.conditions, ops, named.size ? named : undefined),
  );
  const thens = value.branches.map((b) => resolve(b.value));
  const otherwise = value.fallback ? resolve(value.fallback.value) : undefined;
  const params: unknown[] = [];
  for (let i = 0; i < conditions.length; i++) params.push(...conditions[i]!.params, ...thens[i]!.params);
  if (otherwise) params.push(...otherwise.params);
  const shape = `case(${conditions.map((c, i) => `${c.shape}=>${thens[i]!.shape}`).join(';')};else ${otherwise?.shape ?? 'null'};${kind})`;
  const expression = sql`(case ${sql.join(
    conditions.map((c, i) => sql`when ${c.expression} then ${thens[i]!.expression}`),
    sql` `,
  )}${otherwise ? sql` else ${otherwise.expression}` : sql``} end)`;
  const nullable = !otherwise || values.includes(null) || computed.some((c) => c.nullable);
  const base = { name, alias, shape, params, expression, nullable };
  if (field) return fieldValueAnnotation(base, field, ops);
  switch (kind) {
    case 'text':
      return computedAnnotation({
        ...base,
        read: (raw) => (raw === null || raw === undefined ? null : String(raw)),
        text: true,
        toDb: (given) => {
          if (typeof given !== 'string')
            throw new QueryError(`filter: '${name}' compares with text, got ${String(given)}`);
          return given;
        },
        kind: 'string',
      });
    case 'boolean':
      return computedAnnotation({
        ...base,
        read: (raw) => (raw === null || raw === undefined ? null : Boolean(raw)),
        lookups: ['exact', 'in', 'isNull'],
        toDb: (given) => {
          if (typeof given !== 'boolean')
            throw new QueryError(`filter: '${name}' compares with true or false, got ${String(given)}`);
          return ops.booleanToDb(given);
        },
        kind: 'boolean',
      });
    case 'decimal':
      return decimalValueAnnotation(base, ops);
    default:
      return numberValueAnnotation(base, kind);
  }
}

/** Whether a literal of kind `kind` is a value of `field` (converted by its `toDb`). */
function literalFits(kind: string, field: AnyField): boolean {
  if (TEXT_KINDS.has(field.kind) || ['date', 'datetime', 'time', 'uuid'].includes(field.kind))
    return kind === 'text';
  if (field.kind === 'decimal') return kind === 'text' || kind === 'integer';
  if (field.kind === 'float') return kind === 'integer' || kind === 'float';
  if (field.kind === 'boolean') return kind === 'boolean';
  return kind === 'integer';
}

function mixed(where: string, kinds: ReadonlySet<string>): QueryError {
  const shown = [...kinds].map((k) => (k.startsWith('field:') ? `a ${k.slice(6)} field` : k)).join(', ');
  return new QueryError(
    `${where}: the values of when() are of one kind (all text, all numbers, all booleans, or a field's values), got ${shown}`,
  );
}
