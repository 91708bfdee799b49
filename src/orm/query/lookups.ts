/**
 * The lookups and how a filter key names one: `title__icontains`, `created__year__gte`,
 * `author__lastName__startsWith`, `reviews__isNull`. `resolveKey()` checks every segment
 * against the models' meta (an unknown field, relation, date part or lookup throws `QueryError`
 * naming the valid ones) and says which relations a key follows, which column it compares,
 * with which date part and lookup. The SQL of each lookup is in `lookup-sql.ts`; a whole
 * conditions object becomes SQL in `conditions.ts`.
 */

import type { AnyField } from '../fields/field.ts';
import type { AnyModel } from '../model.ts';
import { QueryError } from './errors.ts';
import { concreteField, follow, hop, type Path, unknownName } from './paths.ts';
import type { DatePart, Lookup } from './types.ts';

/** Every lookup, in the order error messages list them. */
export const LOOKUPS: readonly Lookup[] = [
  'exact',
  'iexact',
  'contains',
  'icontains',
  'startsWith',
  'endsWith',
  'in',
  'gt',
  'gte',
  'lt',
  'lte',
  'range',
  'isNull',
];
export const LOOKUP_SET = new Set<string>(LOOKUPS);
/** The lookups that compare text. */
export const TEXT = new Set<string>(['iexact', 'contains', 'icontains', 'startsWith', 'endsWith']);
/** The field kinds text lookups apply to. */
export const TEXT_KINDS = new Set<string>(['string', 'text', 'email', 'url', 'slug', 'enum']);
/** The lookups a computed number (a date part, an annotation) accepts. */
export const NUMERIC: readonly Lookup[] = ['exact', 'in', 'gt', 'gte', 'lt', 'lte', 'range'];

/** Date parts, and the field kinds each applies to. */
const DATE_PARTS: readonly DatePart[] = [
  'year',
  'quarter',
  'month',
  'day',
  'weekDay',
  'hour',
  'minute',
  'second',
];
const PART_SET = new Set<string>(DATE_PARTS);
const PARTS_OF: Record<string, readonly DatePart[]> = {
  date: ['year', 'quarter', 'month', 'day', 'weekDay'],
  datetime: DATE_PARTS,
  time: ['hour', 'minute', 'second'],
};

/** The row keys a model's queries accept (`authorId`, not `author`), for error messages. */
function rowKeys(model: AnyModel): string[] {
  return model.meta.concreteFields.map((field) => field.attribute);
}

/**
 * The concrete field behind a row key (or a field name, so `author` works as `authorId`);
 * throws `QueryError` listing the valid keys.
 */
export function resolveField(model: AnyModel, key: string, where: string): AnyField {
  const field = concreteField(model, key);
  if (field) return field;
  throw new QueryError(
    `${where}: ${model.meta.label} has no field '${key}'; valid names are: ${rowKeys(model).join(', ')}`,
  );
}

/** What a filter key names, resolved against the models' meta. */
export interface Target {
  /** The relations followed first (none for a column of the model itself). */
  readonly path: Path | undefined;
  /** The column compared; `undefined` when the key tests a relation for rows (`reviews__isNull`). */
  readonly field: AnyField | undefined;
  readonly part: DatePart | undefined;
  readonly lookup: Lookup;
}

/** The error of a key segment that is no lookup. */
export function notLookup(name: string, key: string): QueryError {
  return new QueryError(`filter: '${name}' in '${key}' is not a lookup; lookups are: ${LOOKUPS.join(', ')}`);
}

/**
 * Resolves a filter key: the relations it follows, the field, an optional date part and the
 * lookup (`exact` when none is given).
 *
 * @example
 * ```ts
 * const target = resolveKey(Book, 'author__lastName__icontains');
 * target.path?.model; // Author
 * target.field?.name; // 'lastName'
 * ```
 */
export function resolveKey(model: AnyModel, key: string, where = 'filter'): Target {
  let known = targets.get(model);
  if (!known || known.version !== model.meta.registry.version) {
    known = { version: model.meta.registry.version, byKey: new Map() };
    targets.set(model, known);
  }
  const id = `${where}|${key}`;
  let target = known.byKey.get(id);
  if (!target) {
    target = findTarget(model, key, where);
    if (known.byKey.size < 1000) known.byKey.set(id, target);
  }
  return target;
}

/** Resolved keys per model, dropped when its registry changes (a relation may then resolve otherwise). */
const targets = new WeakMap<AnyModel, { version: number; byKey: Map<string, Target> }>();

function findTarget(model: AnyModel, key: string, where: string): Target {
  const segments = key.split('__');
  const names: string[] = [];
  let current = model;
  let i = 0;
  // Follow relations while a name is followed by something that is neither a lookup nor a part.
  while (i < segments.length - 1 && !LOOKUP_SET.has(segments[i + 1]!) && !PART_SET.has(segments[i + 1]!)) {
    const name = segments[i]!;
    if (!hop(current, name)) {
      if (concreteField(current, name)) throw notLookup(segments[i + 1]!, key);
      throw unknownName(current, name, where);
    }
    names.push(name);
    current = hop(current, name)!.model;
    i++;
  }
  const path = names.length ? follow(model, names, where) : undefined;
  const name = segments[i]!;
  const rest = segments.slice(i + 1);
  const field = concreteField(current, name);
  if (!field) {
    const relation = hop(current, name);
    if (!relation) throw unknownName(current, name, where);
    if (rest.length === 1 && rest[0] === 'isNull')
      return {
        path: follow(model, [...names, name], where),
        field: undefined,
        part: undefined,
        lookup: 'isNull',
      };
    const example = concreteField(relation.model, relation.model.meta.pk.attribute)!.attribute;
    throw new QueryError(
      `${where}: '${name}' is a relation of ${current.meta.label}; name a field of ${relation.model.meta.label} ` +
        `after it (like '${[...names, name, example].join('__')}'), or test it with '${[...names, name].join('__')}__isNull'`,
    );
  }
  let part: DatePart | undefined;
  if (rest.length && PART_SET.has(rest[0]!)) {
    part = rest.shift() as DatePart;
    const parts = PARTS_OF[field.kind] ?? [];
    if (!parts.includes(part))
      throw new QueryError(
        `${where}: '${part}' in '${key}' is a date part, and '${name}' is a ${field.kind} field` +
          (parts.length
            ? ` (its parts: ${parts.join(', ')})`
            : ' (date parts apply to date, datetime and time fields)'),
      );
  }
  if (rest.length > 1) throw notLookup(rest.join('__'), key);
  const lookup = rest[0] ?? 'exact';
  if (!LOOKUP_SET.has(lookup)) throw notLookup(lookup, key);
  if (!part && TEXT.has(lookup) && !TEXT_KINDS.has(field.kind))
    throw new QueryError(`filter: '${lookup}' compares text, and '${name}' is a ${field.kind} field`);
  return { path, field, part, lookup: lookup as Lookup };
}
