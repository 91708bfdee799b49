/**
 * Ordering and pages of a resource's list. Cursor pages (the default) continue after the last
 * row shown, by its values in the list's order (the primary key last, so the order is total):
 * no `COUNT(*)`, no `OFFSET`, and rows inserted meanwhile neither repeat nor go missing. Page
 * numbers use `OFFSET`, as Django REST framework's `PageNumberPagination`.
 */
import type { FieldError } from '../http/errors.ts';
import type { AnyField } from '../orm/fields/field.ts';
import type { AnyModel } from '../orm/model.ts';
import { and, or } from '../orm/query/expressions.ts';
import { ResourceDefinitionError } from './fields.ts';

/** One term of a list's order. */
export interface OrderTerm {
  readonly field: AnyField;
  readonly descending: boolean;
}

/** The fields of `model` an `ordering` option names, checked: its own fields. */
export function orderingFields(
  model: AnyModel,
  names: readonly string[],
  option: string,
): Map<string, AnyField> {
  const fields = new Map<string, AnyField>();
  for (const name of names) {
    const field = model.meta.concreteFields.find((f) => f.attribute === name);
    if (!field || field.kind === 'json')
      throw new ResourceDefinitionError(
        `${option}: '${name}' is not a field of ${model.meta.label} that rows can be ordered by; the fields are ${model.meta.concreteFields
          .filter((f) => f.kind !== 'json')
          .map((f) => f.attribute)
          .join(', ')}`,
      );
    fields.set(name, field);
  }
  return fields;
}

/** Terms from names (`-price`), with the primary key added last when missing. */
export function orderTerms(
  model: AnyModel,
  names: readonly string[],
  fields: ReadonlyMap<string, AnyField>,
): OrderTerm[] {
  const terms: OrderTerm[] = [];
  for (const name of names) {
    const descending = name.startsWith('-');
    const field = fields.get(descending ? name.slice(1) : name);
    if (field && !terms.some((t) => t.field === field)) terms.push({ field, descending });
  }
  const pk = model.meta.pk;
  if (!terms.some((t) => t.field === pk)) terms.push({ field: pk, descending: false });
  return terms;
}

/** The ORM's `orderBy` names of terms. */
export function orderNames(terms: readonly OrderTerm[], reverse = false): string[] {
  return terms.map((t) => (t.descending !== reverse ? `-${t.field.attribute}` : t.field.attribute));
}

/** `?ordering=-price,name` as terms, or problems naming the parameter. */
export function requestedOrder(
  text: string,
  fields: ReadonlyMap<string, AnyField>,
  errors: FieldError[],
): string[] | undefined {
  const names = text.split(',').map((n) => n.trim());
  for (const name of names) {
    const bare = name.startsWith('-') ? name.slice(1) : name;
    if (!fields.has(bare)) {
      errors.push({
        loc: ['query', 'ordering'],
        msg:
          fields.size === 0
            ? 'This list cannot be ordered'
            : `Cannot order by '${name.slice(0, 40)}'; order by ${[...fields.keys()].join(', ')} (with - first to descend)`,
        type: 'value_error',
      });
      return undefined;
    }
  }
  return names;
}

/** What a cursor holds: the values of a row in the list's order, and which way to go. */
export interface Cursor {
  /** The values of the row the page starts after (or, going back, ends before). */
  readonly values: readonly unknown[];
  /** `true` for the page before the row. */
  readonly back: boolean;
}

/** A cursor's text: base64url of JSON naming the order it belongs to. */
export function encodeCursor(
  order: string,
  row: Record<string, unknown>,
  terms: readonly OrderTerm[],
  back: boolean,
): string {
  const values = terms.map((t) => {
    const value = row[t.field.attribute];
    return value instanceof Date ? value.toISOString() : value;
  });
  return Buffer.from(JSON.stringify(back ? { o: order, v: values, b: 1 } : { o: order, v: values })).toString(
    'base64url',
  );
}

/** The cursor `text` holds for a list in `order`, or a problem naming `cursor`. */
export function decodeCursor(
  text: string,
  order: string,
  terms: readonly OrderTerm[],
  errors: FieldError[],
): Cursor | undefined {
  const invalid = (msg: string) => {
    errors.push({ loc: ['query', 'cursor'], msg, type: 'value_error' });
    return undefined;
  };
  let decoded: unknown;
  try {
    if (text.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(text)) return invalid('Invalid cursor');
    decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return invalid('Invalid cursor');
  }
  const { o, v, b } = (decoded ?? {}) as { o?: unknown; v?: unknown; b?: unknown };
  if (typeof o !== 'string' || !Array.isArray(v) || v.length !== terms.length)
    return invalid('Invalid cursor');
  if (o !== order) return invalid('The cursor belongs to another ordering: start again from the first page');
  for (let i = 0; i < terms.length; i++) {
    const field = terms[i]!.field;
    const value = v[i];
    if (value === null ? !field.nullable : field.check(value).length > 0 || typeof value === 'object')
      return invalid('Invalid cursor');
  }
  return { values: v, back: b === 1 };
}

/**
 * The condition "comes after `values` in the order of `terms`" (or before, `back`), NULLs
 * last ascending and first descending as the ORM orders them:
 * `(a > x) or (a = x and b > y) or (a = x and b = y and id > z)`.
 */
export function keysetCondition(
  terms: readonly OrderTerm[],
  values: readonly unknown[],
  back: boolean,
): unknown {
  const branches: unknown[] = [];
  const equal: Record<string, unknown>[] = [];
  for (let i = 0; i < terms.length; i++) {
    const { field, descending } = terms[i]!;
    const name = field.attribute;
    const value = values[i];
    // Going back is going forward in the reversed order.
    const ascending = descending === back;
    const beyond: Record<string, unknown>[] = [];
    if (value === null) {
      // NULLs are last ascending: nothing non-null comes after them; descending they are first.
      if (!ascending) beyond.push({ [`${name}__isNull`]: false });
    } else {
      beyond.push({ [`${name}__${ascending ? 'gt' : 'lt'}`]: value });
      if (ascending && field.nullable) beyond.push({ [`${name}__isNull`]: true });
    }
    if (beyond.length > 0) {
      const step = beyond.length === 1 ? beyond[0]! : or(...(beyond as never[]));
      branches.push(equal.length === 0 ? step : and(...(equal as never[]), step as never));
    }
    equal.push(value === null ? { [`${name}__isNull`]: true } : { [name]: value });
  }
  return branches.length === 1 ? branches[0] : or(...(branches as never[]));
}
