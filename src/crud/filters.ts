/**
 * A resource's declared filters and search: the query parameters they add (documented, each
 * typed), and the conditions a request's parameters make. Only declared names reach the ORM,
 * values always as parameters; a bad value is a 422 naming its parameter.
 */
import type { FieldError } from '../http/errors.ts';
import type { AnyField } from '../orm/fields/field.ts';
import type { AnyModel } from '../orm/model.ts';
import { or } from '../orm/query/expressions.ts';
import {
  parameterSchema,
  type ResolvedPath,
  ResourceDefinitionError,
  readValue,
  resolvePath,
  textParameter,
} from './fields.ts';
import { LOOKUPS, type Lookup } from './options.ts';

/** One query parameter a filter adds: `price__gte`. */
export interface FilterParameter {
  readonly name: string;
  readonly lookup: Lookup;
  /** The ORM's key: the path and lookup (`exact` bare). */
  readonly key: string;
  readonly field: AnyField;
  /** The models the path reaches past the resource's own. */
  readonly through: readonly AnyModel[];
}

const TEXT_KINDS = new Set(['string', 'text', 'email', 'url', 'slug', 'uuid', 'enum']);
const ORDERED_KINDS = new Set(['auto', 'integer', 'bigint', 'float', 'decimal', 'date', 'datetime', 'time']);
const DATED_KINDS = new Set(['date', 'datetime']);
const TEXT_LOOKUPS: readonly Lookup[] = ['iexact', 'contains', 'icontains', 'startsWith', 'endsWith'];
const ORDER_LOOKUPS: readonly Lookup[] = ['gt', 'gte', 'lt', 'lte', 'range'];

/** Most items in an `in` list. */
export const MAX_IN_ITEMS = 100;
/** Most words `?search=` looks for. */
export const MAX_SEARCH_WORDS = 10;

/** Whether `lookup` fits a field of `kind` (a foreign key compares its key). */
function fits(lookup: Lookup, field: AnyField): boolean {
  const kind = field.kind === 'foreignKey' || field.kind === 'oneToOne' ? 'integer' : field.kind;
  if (lookup === 'exact' || lookup === 'in' || lookup === 'isNull') return kind !== 'json';
  if (TEXT_LOOKUPS.includes(lookup)) return TEXT_KINDS.has(kind);
  if (ORDER_LOOKUPS.includes(lookup)) return ORDERED_KINDS.has(kind) || TEXT_KINDS.has(kind);
  return DATED_KINDS.has(kind);
}

/** The parameters of a resource's `filters` option, checked against the model. */
export function filterParameters(
  model: AnyModel,
  filters: Record<string, true | readonly Lookup[]>,
  reserved: readonly string[],
): FilterParameter[] {
  const parameters: FilterParameter[] = [];
  for (const [path, allowed] of Object.entries(filters)) {
    const where = `filters.${path}`;
    const resolved: ResolvedPath = resolvePath(model, path, where);
    const lookups: readonly Lookup[] = allowed === true ? ['exact', 'in'] : allowed;
    if (!Array.isArray(lookups) || lookups.length === 0)
      throw new ResourceDefinitionError(`${where}: give true or a list of lookups (${LOOKUPS.join(', ')})`);
    for (const lookup of lookups) {
      if (!LOOKUPS.includes(lookup))
        throw new ResourceDefinitionError(
          `${where}: '${String(lookup)}' is not a lookup; the lookups are ${LOOKUPS.join(', ')}`,
        );
      if (!fits(lookup, resolved.field))
        throw new ResourceDefinitionError(
          `${where}: '${lookup}' does not apply to a ${resolved.field.kind} field`,
        );
      const name = lookup === 'exact' ? path : `${path}__${lookup}`;
      if (reserved.includes(name))
        throw new ResourceDefinitionError(`${where}: '${name}' is a reserved parameter`);
      parameters.push({
        name,
        lookup,
        key: name,
        field: resolved.field,
        through: resolved.through,
      });
    }
  }
  return parameters;
}

/** The documented schema of a filter's parameter. */
export function filterSchema(parameter: FilterParameter): Record<string, unknown> {
  const { lookup, field } = parameter;
  const label = parameter.name
    .split('__')
    .slice(0, lookup === 'exact' ? undefined : -1)
    .join('.');
  switch (lookup) {
    case 'in':
      // Comma-separated (django-filter's way) or the key repeated (OpenAPI's `explode`).
      return {
        type: 'array',
        items: { type: 'string', maxLength: 1000 },
        maxItems: MAX_IN_ITEMS,
        description: `Rows whose ${label} is one of these values: comma-separated, or the parameter repeated`,
      };
    case 'range':
      return textParameter(`Rows whose ${label} is between two comma-separated values (both included)`);
    case 'isNull':
      return { type: 'boolean', description: `Rows whose ${label} is (true) or is not (false) empty` };
    case 'year':
    case 'month':
    case 'day':
      return {
        type: 'integer',
        minimum: lookup === 'year' ? 1 : 1,
        maximum: lookup === 'year' ? 9999 : lookup === 'month' ? 12 : 31,
        description: `Rows whose ${label} is in this ${lookup}`,
      };
    case 'exact':
      return parameterSchema(field, `Rows whose ${label} is this value`);
    default:
      if (TEXT_LOOKUPS.includes(lookup))
        return textParameter(`Rows whose ${label} ${lookupWords(lookup)} this text`);
      return parameterSchema(field, `Rows whose ${label} is ${lookupWords(lookup)} this value`);
  }
}

function lookupWords(lookup: Lookup): string {
  return {
    iexact: 'equals (ignoring case)',
    contains: 'contains',
    icontains: 'contains (ignoring case)',
    startsWith: 'starts with',
    endsWith: 'ends with',
    gt: 'greater than',
    gte: 'greater than or equal to',
    lt: 'less than',
    lte: 'less than or equal to',
  }[lookup as string]!;
}

/** The conditions of a request's filter parameters, or the problems with them. */
export function filterConditions(
  parameters: readonly FilterParameter[],
  query: Record<string, unknown>,
  errors: FieldError[],
): Record<string, unknown> {
  const conditions: Record<string, unknown> = {};
  for (const parameter of parameters) {
    const given = query[parameter.name];
    if (given === undefined) continue;
    const value = filterValue(parameter, given, errors);
    if (value === undefined) continue;
    conditions[parameter.key] = value;
  }
  return conditions;
}

function problem(errors: FieldError[], name: string, msg: string, type = 'value_error'): undefined {
  errors.push({ loc: ['query', name], msg, type });
  return undefined;
}

/** The ORM value of one parameter (validation already typed the single-value ones). */
function filterValue(parameter: FilterParameter, given: unknown, errors: FieldError[]): unknown {
  const { lookup, field, name } = parameter;
  if (lookup === 'in' || lookup === 'range') {
    const items = (Array.isArray(given) ? given : [given]).flatMap((item) => String(item).split(','));
    if (lookup === 'range' && items.length !== 2)
      return problem(errors, name, 'Give two comma-separated values: the lowest and the highest');
    if (items.length > MAX_IN_ITEMS) return problem(errors, name, `Give at most ${MAX_IN_ITEMS} values`);
    const values: unknown[] = [];
    for (const item of items) {
      if (item === '') return problem(errors, name, 'A value of the list is empty');
      const read = readValue(field, item);
      if ('problem' in read) return problem(errors, name, read.problem);
      values.push(read.value);
    }
    return values;
  }
  if (lookup === 'isNull' || lookup === 'year' || lookup === 'month' || lookup === 'day') return given;
  if (TEXT_LOOKUPS.includes(lookup)) return String(given);
  // exact and the comparisons: the schema converted the simple types; text ones (decimals,
  // dates) are read by the field.
  if (typeof given !== 'string') return given;
  const read = readValue(field, given);
  if ('problem' in read) return problem(errors, name, read.problem);
  return read.value;
}

/** The paths `?search=` looks in, checked: text fields only. */
export function searchPaths(
  model: AnyModel,
  paths: readonly string[],
): { paths: string[]; through: Map<string, readonly AnyModel[]> } {
  const through = new Map<string, readonly AnyModel[]>();
  for (const path of paths) {
    const resolved = resolvePath(model, path, `search: '${path}'`);
    if (!TEXT_KINDS.has(resolved.field.kind))
      throw new ResourceDefinitionError(
        `search: '${path}' is a ${resolved.field.kind} field; search looks in text fields`,
      );
    through.set(path, resolved.through);
  }
  return { paths: [...paths], through };
}

/**
 * The condition of `?search=`: every word (up to {@link MAX_SEARCH_WORDS}; `"quoted words"`
 * are one) in at least one of the paths, ignoring case — Django REST framework's `SearchFilter`.
 */
export function searchCondition(
  paths: readonly string[],
  text: string,
  errors: FieldError[],
): unknown[] | undefined {
  const words = [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => (m[1] ?? m[2]!).trim()).filter(Boolean);
  if (words.length === 0) return undefined;
  if (words.length > MAX_SEARCH_WORDS)
    return problem(errors, 'search', `Search for at most ${MAX_SEARCH_WORDS} words, not ${words.length}`);
  return words.map((word) => or(...paths.map((path) => ({ [`${path}__icontains`]: word }) as never)));
}
