/**
 * `annotate()`'s values: an aggregate over a relation (`count('reviews')`, one subquery per
 * row), a date cut down or a part of it (`trunc`, `extract`), … Each becomes an `Annotation`:
 * its SQL for the queried row, the parameters that SQL binds, how to read it, and how filters
 * compare it. Later `filter`, `exclude`, `orderBy`, `values` and `groupBy` name it.
 */
import type { RawBuilder } from 'kysely';
import { parseExact } from '../decimal.ts';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import type { AnyModel } from '../model.ts';
import { annotationOperand, perRow } from './aggregate-sql.ts';
import { checkResultName, isAggregate, type ResolvedAggregate, resolveAggregate } from './aggregates.ts';
import { caseAnnotation, isCase } from './cases.ts';
import { dateAnnotation, isDateValue } from './dates.ts';
import { QueryError } from './errors.ts';
import { expressionSql } from './expression-sql.ts';
import type { Operand } from './lookup-sql.ts';
import { fieldRule, type ValueRule } from './lookup-values.ts';
import { TEXT_KINDS } from './lookups.ts';
import { type Expression, isExpression } from './refs.ts';
import type { Lookup } from './types.ts';

/** A value computed for each row by `annotate()`. */
export interface Annotation {
  /** The name the caller gave it. */
  readonly name: string;
  /** Its SQL alias (`volt_a0`): names never reach the SQL. */
  readonly alias: string;
  /** The cache shape of its SQL. */
  readonly shape: string;
  /** The parameters its SQL binds, in order. */
  readonly params: readonly unknown[];
  /** Its value for the row of the model's table. */
  readonly expression: RawBuilder<unknown>;
  /** What `orderBy` sorts by (the value, or a form of it that sorts as it should). */
  readonly order: RawBuilder<unknown>;
  /** `true` when the value may be null (it then sorts last ascending). */
  readonly nullable: boolean;
  /** What filters compare. */
  readonly operand: Operand;
  /** The aggregate, when it is one. */
  readonly aggregate: ResolvedAggregate | undefined;
  /** The value as JavaScript. */
  read(raw: unknown): unknown;
}

/** What `annotate()` needs besides the spec. */
export interface AnnotationContext {
  readonly ops: DialectOps;
  /** The database's time zone (`trunc`, `extract`). */
  readonly timeZone: string;
  /** The annotations already made (names taken, values later ones may name). */
  readonly annotations: readonly Annotation[];
  /** The conditions of the `filter()` calls made before (Django's rule for relations). */
  readonly filters: readonly (readonly object[])[];
}

/** The parts of a computed (non-aggregate) annotation, from which its operand is made. */
export interface ComputedParts {
  readonly name: string;
  readonly alias: string;
  readonly shape: string;
  readonly params: readonly unknown[];
  readonly expression: RawBuilder<unknown>;
  readonly order?: RawBuilder<unknown>;
  readonly ordered?: () => RawBuilder<unknown>;
  readonly nullable: boolean;
  readonly read: (raw: unknown) => unknown;
  readonly lookups?: readonly Lookup[];
  readonly text?: boolean;
  readonly numericText?: boolean;
  readonly values?: ValueRule;
  readonly toDb?: (value: unknown) => unknown;
  /** Its kind for `F()`: a field kind, `integer`, `float` or `decimal`. */
  readonly kind: string;
  /** What filters compare instead of `expression` (a decimal's exact key). */
  readonly compared?: RawBuilder<unknown>;
}

/** An annotation of a value computed per row, filters comparing it by `values` (or `toDb`). */
export function computedAnnotation(parts: ComputedParts): Annotation {
  const { name, alias, shape, params, expression, nullable, read } = parts;
  const ordered = parts.ordered ?? (() => expression);
  return {
    name,
    alias,
    shape,
    params,
    expression,
    order: parts.order ?? expression,
    nullable,
    aggregate: undefined,
    read,
    operand: {
      expression: parts.compared ?? expression,
      ordered,
      shape: `@${name}=${shape}`,
      params,
      kind: parts.kind,
      value: expression,
      text: parts.text ?? false,
      numericText: parts.numericText ?? false,
      toDb: parts.toDb ?? ((value) => value),
      ...(parts.lookups ? { lookups: parts.lookups } : {}),
      ...(parts.values ? { values: parts.values } : {}),
    },
  };
}

/** What every computed annotation has: its names, SQL, parameters and nullability. */
export type ComputedBase = Pick<
  ComputedParts,
  'name' | 'alias' | 'shape' | 'params' | 'expression' | 'nullable'
>;

/** The lookups a computed number or decimal takes. */
const ORDERED_LOOKUPS: readonly Lookup[] = ['exact', 'in', 'gt', 'gte', 'lt', 'lte', 'range', 'isNull'];

/** A computed value that is a field's own (`F('price')`, a `when()` of one field's values): typed, compared and ordered as the field. */
export function fieldValueAnnotation(base: ComputedBase, field: AnyField, ops: DialectOps): Annotation {
  const decimal = field.kind === 'decimal';
  const sorted = decimal ? ops.comparableDecimal(base.expression) : base.expression;
  return computedAnnotation({
    ...base,
    order: sorted,
    ordered: () => sorted,
    read: (raw) => field.fromDb(raw, ops),
    values: fieldRule(field, ops),
    text: TEXT_KINDS.has(field.kind),
    numericText: decimal && ops.decimalsAsText,
    kind: field.kind,
  });
}

/** A computed decimal: text at the scale the arithmetic gave, compared and ordered exactly. */
export function decimalValueAnnotation(base: ComputedBase, ops: DialectOps): Annotation {
  const compared = ops.comparableDecimalAggregate(base.expression);
  return computedAnnotation({
    ...base,
    compared,
    order: compared,
    ordered: () => compared,
    read: (raw) => (raw === null || raw === undefined ? null : String(raw)),
    lookups: ORDERED_LOOKUPS,
    toDb: (given) => {
      const exact = parseExact(given);
      if (exact === undefined)
        throw new QueryError(`filter: '${base.name}' compares with a decimal number, got ${String(given)}`);
      return ops.decimalAggregateToDb(exact);
    },
    kind: 'decimal',
  });
}

/** A computed number (`kind`: `integer` or `float`), compared with numbers. */
export function numberValueAnnotation(base: ComputedBase, kind: string): Annotation {
  return computedAnnotation({
    ...base,
    read: (raw) => (raw === null || raw === undefined ? null : Number(raw)),
    lookups: ORDERED_LOOKUPS,
    toDb: (given) => {
      if (typeof given !== 'number' || !Number.isFinite(given))
        throw new QueryError(`filter: '${base.name}' compares with a number, got ${String(given)}`);
      return given;
    },
    kind,
  });
}

/** The annotation of an aggregate over a relation: a subquery per row. */
function aggregateAnnotation(
  model: AnyModel,
  resolved: ResolvedAggregate,
  context: AnnotationContext,
): Annotation {
  const { ops } = context;
  const { expression, params, shape } = perRow(model, resolved, ops, context.filters);
  return {
    name: resolved.name,
    alias: resolved.alias,
    shape,
    params,
    expression,
    order: expression,
    nullable: resolved.aggregate.fn !== 'count',
    operand: annotationOperand(expression, resolved, ops, params, shape),
    aggregate: resolved,
    read: (raw) => resolved.read(raw, ops),
  };
}

/** The annotation of an `F()` expression: a field's value, or arithmetic (see `expression-sql.ts`). */
function expressionAnnotation(
  model: AnyModel,
  name: string,
  alias: string,
  value: Expression,
  context: AnnotationContext,
): Annotation {
  const { ops } = context;
  const named = new Map(context.annotations.map((a) => [a.name, a.operand]));
  const where = `annotate: '${name}'`;
  const computed = expressionSql(value, model, ops, model.meta.table, named, where);
  const { expression, params, shape, nullable, field } = computed;
  if (value.node.kind === 'ref' && !field)
    throw new QueryError(`${where}: F('${value.node.name}') is an annotation already; name it instead`);
  const base = { name, alias, shape, params, expression, nullable };
  if (field) return fieldValueAnnotation(base, field, ops);
  return computed.kind === 'decimal'
    ? decimalValueAnnotation(base, ops)
    : numberValueAnnotation(base, computed.kind);
}

/** The annotations `annotate(spec)` adds to those of `context`. */
export function resolveAnnotations(
  model: AnyModel,
  spec: Record<string, unknown>,
  context: AnnotationContext,
): Annotation[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new QueryError(
      "annotate: give an object of values, like { reviewCount: count('reviews') } or { month: trunc('created', 'month') }",
    );
  const entries = Object.entries(spec);
  if (entries.length === 0) throw new QueryError('annotate: give at least one value');
  const taken = context.annotations.map((a) => a.name);
  const { ops } = context;
  return entries.map(([name, value], i) => {
    checkResultName(model, name, 'annotate', taken);
    const alias = `volt_a${taken.length + i}`;
    if (isAggregate(value))
      return aggregateAnnotation(model, resolveAggregate(model, name, alias, value, 'annotate'), context);
    if (isDateValue(value)) return dateAnnotation(model, name, alias, value, ops, context.timeZone);
    if (isExpression(value)) return expressionAnnotation(model, name, alias, value, context);
    if (isCase(value))
      return caseAnnotation(
        model,
        name,
        alias,
        value,
        ops,
        new Map(context.annotations.map((a) => [a.name, a.operand])),
      );
    throw new QueryError(
      `annotate: '${name}' should be an aggregate (count(), sum(), avg(), min(), max()), trunc(), extract(), F() or when(), got ${String(value)}`,
    );
  });
}
