/**
 * Request validators, compiled once at startup from the route's TypeBox schemas.
 *
 * Strings from the URL, headers and cookies are first converted to the declared types by a
 * strict coercion (`./coercion.ts`: `?limit=10` → `10`, `?tag=a` → `['a']`, but `' 10'` or
 * `'1e1'` stay strings and fail validation); JSON bodies are not converted. Every integer
 * schema without tighter bounds is validated within the safe-integer range (±(2^53 − 1)): past
 * it a JavaScript number silently changes.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from 'typebox';
import { compileCoercion } from './coercion.ts';
import type { FieldError } from './errors.ts';
import { closest } from './suggestion.ts';
import { nonAsciiErrors, nulErrors } from './text-checks.ts';

// ajv-formats is CommonJS with a default export property.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** The request part a validator checks, as it appears first in an error's `loc`. */
export type RequestPart = 'path' | 'query' | 'header' | 'cookie' | 'body';

let sharedAjv: Ajv | undefined;

function ajv(): Ajv {
  sharedAjv ??= addFormats(
    new Ajv({
      allErrors: true,
      // Text is converted before validation, strictly (see ./coercion.ts).
      coerceTypes: false,
      useDefaults: true,
      strict: false,
      // A schema in a route is trusted code; formats are the common ones.
      validateFormats: true,
    }),
  );
  return sharedAjv;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// One copy per schema node, so a node shared by several schemas (a model's `$id` schema nested
// in others) stays one object for ajv, as it was before the copy.
const safeCopies = new WeakMap<object, unknown>();

const NESTED_ONE = [
  'items',
  'additionalProperties',
  'additionalItems',
  'contains',
  'not',
  'if',
  'then',
  'else',
];
const NESTED_LIST = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const NESTED_MAP = ['properties', 'patternProperties', '$defs', 'definitions'];

/**
 * The schema ajv compiles: a copy in which every integer schema without tighter bounds is
 * bounded to ±(2^53 − 1), nodes unchanged where nothing below them is an integer. The route's
 * own schema (and so the OpenAPI document) is untouched.
 *
 * @example
 * ```ts
 * withSafeIntegers(t.Integer()); // { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 }
 * ```
 */
export function withSafeIntegers<S>(schema: S): S {
  if (typeof schema !== 'object' || schema === null) return schema;
  const known = safeCopies.get(schema);
  if (known !== undefined) return known as S;
  // A cycle comes back to a node being copied: it stays itself until its copy is done.
  safeCopies.set(schema, schema);
  const node = schema as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  const set = (key: string, value: unknown) => {
    copy ??= { ...node };
    copy[key] = value;
  };
  const type = node.type;
  if (type === 'integer' || (Array.isArray(type) && type.includes('integer'))) {
    // The schema's own bounds stay when they are as tight; only a missing or looser one is replaced.
    const floored = (bound: unknown) => typeof bound === 'number' && bound >= -MAX_SAFE;
    const capped = (bound: unknown) => typeof bound === 'number' && bound <= MAX_SAFE;
    if (!floored(node.minimum) && !floored(node.exclusiveMinimum)) set('minimum', -MAX_SAFE);
    if (!capped(node.maximum) && !capped(node.exclusiveMaximum)) set('maximum', MAX_SAFE);
  }
  for (const key of NESTED_ONE) {
    const child = node[key];
    const safe = withSafeIntegers(child);
    if (safe !== child) set(key, safe);
  }
  for (const key of NESTED_LIST) {
    const list = node[key];
    if (!Array.isArray(list)) continue;
    const safe = list.map((child) => withSafeIntegers(child));
    if (safe.some((child, i) => child !== list[i])) set(key, safe);
  }
  for (const key of NESTED_MAP) {
    const map = node[key] as Record<string, unknown> | undefined;
    if (typeof map !== 'object' || map === null) continue;
    let changed = false;
    const safe: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(map)) {
      safe[name] = withSafeIntegers(child);
      if (safe[name] !== child) changed = true;
    }
    if (changed) set(key, safe);
  }
  const result = copy ?? schema;
  safeCopies.set(schema, result);
  return result as S;
}

/** A compiled check of one request part; returns the errors or `undefined` when valid. */
export type PartValidator = (value: unknown) => FieldError[] | undefined;

/**
 * Compiles a validator for one request part. Runs at startup, never per request. For every part
 * but the body, the value is an object of texts: its declared properties are first converted
 * strictly to their types, in place, and (path, header, cookie) checked for NUL characters, and
 * declared headers for characters past ASCII; the query parser and the body parsers check NUL
 * themselves, over every value.
 */
export function compilePart(part: RequestPart, schema: TSchema): PartValidator {
  const validate: ValidateFunction = ajv().compile(withSafeIntegers(schema) as object);
  const check = (value: unknown) =>
    validate(value) ? undefined : toFieldErrors(part, schema, validate.errors ?? [], value);
  if (part === 'body') return check;
  const coerce = compileCoercion(schema);
  const names =
    part === 'query' ? undefined : Object.keys((schema as { properties?: object }).properties ?? {});
  const headers = part === 'header' && names !== undefined && names.length > 0 ? names : undefined;
  return (value) => {
    if (value === null || typeof value !== 'object') return check(value);
    // Checked before coercion, on the text as sent: a non-ASCII header is refused whatever its type.
    const ascii = headers ? nonAsciiErrors(value as Record<string, unknown>, headers) : undefined;
    coerce?.(value as Record<string, unknown>);
    let text =
      names && names.length > 0 ? nulErrors(part, value as Record<string, unknown>, names) : undefined;
    if (ascii) text = text ? ascii.concat(text) : ascii;
    const errors = check(value);
    return text ? (errors ? text.concat(errors) : text) : errors;
  };
}

function pointerToPath(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => {
      const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^\d+$/.test(key) ? Number(key) : key;
    });
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'a valid integer',
  number: 'a valid number',
  string: 'a valid string',
  boolean: 'a valid boolean',
  object: 'a valid object',
  array: 'a valid array',
  null: 'null',
};

function describeType(expected: unknown): string {
  const names = String(expected)
    .split(',')
    .map((name) => TYPE_NAMES[name] ?? name);
  return names.join(' or ');
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`. */
function describeChoices(values: readonly unknown[]): string {
  const names = values.map((v) => JSON.stringify(v));
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? '');
}

/** The schema node at an error's `schemaPath` (`#/properties/day/anyOf`), or `undefined`. */
function nodeAt(root: unknown, schemaPath: string): unknown {
  let node: unknown = root;
  for (const segment of schemaPath.replace(/^#\/?/, '').split('/')) {
    if (segment === '') continue;
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/**
 * The `schemaPath` of the `null` branch of a union of one schema and `null` (a nullable value:
 * `t.Union([t.String({ format: 'date' }), t.Null()])`), `undefined` for any other union.
 */
function nullBranch(root: unknown, schemaPath: string): string | undefined {
  const branches = nodeAt(root, schemaPath);
  if (!Array.isArray(branches) || branches.length !== 2) return undefined;
  const isNull = (branch: unknown) =>
    typeof branch === 'object' && branch !== null && (branch as { type?: unknown }).type === 'null';
  const index = branches.findIndex(isNull);
  if (index === -1 || isNull(branches[1 - index])) return undefined;
  return `${schemaPath}/${index}`;
}

/**
 * The values of a union whose branches are all literals (`t.Union([t.Literal('asc'), ...])`),
 * read from the schema at the error's `schemaPath`; `undefined` for any other union.
 */
function literalChoices(root: unknown, schemaPath: string): unknown[] | undefined {
  const node = nodeAt(root, schemaPath);
  if (!Array.isArray(node) || node.length === 0) return undefined;
  const isLiteral = (branch: unknown) => typeof branch === 'object' && branch !== null && 'const' in branch;
  return node.every(isLiteral) ? node.map((branch) => (branch as { const: unknown }).const) : undefined;
}

function plural(n: unknown, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Turns one ajv error into a field error with a readable message and a stable type. */
function toFieldError(part: RequestPart, schema: TSchema, error: ErrorObject): FieldError | undefined {
  const loc: Array<string | number> = [part, ...pointerToPath(error.instancePath)];
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { loc: [...loc, String(p.missingProperty)], msg: 'Field required', type: 'missing' };
    case 'type':
      return {
        loc,
        msg: `Input should be ${describeType(p.type)}`,
        type: `${String(p.type).split(',')[0]}_type`,
      };
    case 'minLength':
      return {
        loc,
        msg: `String should have at least ${plural(p.limit, 'character')}`,
        type: 'string_too_short',
      };
    case 'maxLength':
      return {
        loc,
        msg: `String should have at most ${plural(p.limit, 'character')}`,
        type: 'string_too_long',
      };
    case 'minimum':
      return { loc, msg: `Input should be greater than or equal to ${p.limit}`, type: 'greater_than_equal' };
    case 'exclusiveMinimum':
      return { loc, msg: `Input should be greater than ${p.limit}`, type: 'greater_than' };
    case 'maximum':
      return { loc, msg: `Input should be less than or equal to ${p.limit}`, type: 'less_than_equal' };
    case 'exclusiveMaximum':
      return { loc, msg: `Input should be less than ${p.limit}`, type: 'less_than' };
    case 'multipleOf':
      return { loc, msg: `Input should be a multiple of ${p.multipleOf}`, type: 'multiple_of' };
    case 'minItems':
      return { loc, msg: `List should have at least ${plural(p.limit, 'item')}`, type: 'too_short' };
    case 'maxItems':
      return { loc, msg: `List should have at most ${plural(p.limit, 'item')}`, type: 'too_long' };
    case 'uniqueItems':
      return { loc, msg: 'List items should be unique', type: 'unique_items' };
    case 'minProperties':
    case 'maxProperties':
      return {
        loc,
        msg: `Object should have ${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${plural(p.limit, 'property')}`,
        type: error.keyword === 'minProperties' ? 'too_short' : 'too_long',
      };
    case 'pattern':
      return { loc, msg: `String should match pattern '${p.pattern}'`, type: 'string_pattern_mismatch' };
    case 'format':
      return { loc, msg: `Input should be a valid ${p.format}`, type: 'format' };
    case 'enum':
      return { loc, msg: `Input should be ${describeChoices(p.allowedValues as unknown[])}`, type: 'enum' };
    case 'const':
      return { loc, msg: `Input should be ${JSON.stringify(p.allowedValue)}`, type: 'literal_error' };
    case 'additionalProperties': {
      // A misspelt name (`archived__isnull`) gets the declared one it is closest to.
      const name = String(p.additionalProperty);
      const parent = nodeAt(schema, error.schemaPath.replace(/\/additionalProperties$/, '')) as
        | { properties?: Record<string, unknown> }
        | undefined;
      const near = parent?.properties ? closest(name, Object.keys(parent.properties)) : undefined;
      return {
        loc: [...loc, name],
        msg: `Extra inputs are not permitted${near === undefined ? '' : ` (did you mean '${near}'?)`}`,
        type: 'extra_forbidden',
      };
    }
    case 'anyOf':
    case 'oneOf': {
      const choices = literalChoices(schema, error.schemaPath);
      if (choices) return { loc, msg: `Input should be ${describeChoices(choices)}`, type: 'literal_error' };
      return { loc, msg: 'Input does not match any of the allowed types', type: 'union' };
    }
    // `if` errors repeat the `then`/`else` errors already listed.
    case 'if':
      return undefined;
    default:
      return { loc, msg: error.message ?? 'Invalid value', type: error.keyword };
  }
}

/**
 * The most field errors one response lists: a body of many bad items must not make the error
 * list (and the time to build it) grow without bound.
 */
export const MAX_FIELD_ERRORS = 100;

/** Whether `path` (a JSON pointer) is at or below one of the union paths: O(depth), not O(unions). */
function insideUnion(path: string, unionPaths: ReadonlySet<string>): boolean {
  if (unionPaths.size === 0) return false;
  if (unionPaths.has(path) || unionPaths.has('')) return true;
  for (let i = path.indexOf('/', 1); i !== -1; i = path.indexOf('/', i + 1)) {
    if (unionPaths.has(path.slice(0, i))) return true;
  }
  return false;
}

function toFieldErrors(
  part: RequestPart,
  schema: TSchema,
  errors: ErrorObject[],
  value: unknown,
): FieldError[] {
  // A missing body gives one clear error rather than one per required property.
  if (part === 'body' && value === undefined)
    return [{ loc: ['body'], msg: 'Field required', type: 'missing' }];
  // With anyOf, ajv reports each branch's failure too; when the union itself failed, keep only the
  // union error at that location so the list stays readable. A nullable value (one schema or
  // null) that is not null is the other way round, as pydantic's Optional: its schema's own
  // errors, without the union's nor the null branch's ("should be null").
  const unionPaths = new Set<string>();
  const nullableUnions = new Set<string>();
  const nullBranches = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') continue;
    const branch = nullBranch(schema, e.schemaPath);
    if (branch === undefined) unionPaths.add(e.instancePath);
    else {
      nullableUnions.add(e.schemaPath);
      nullBranches.add(branch);
    }
  }
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (out.length >= MAX_FIELD_ERRORS) break;
    if (nullableUnions.size > 0) {
      if ((error.keyword === 'anyOf' || error.keyword === 'oneOf') && nullableUnions.has(error.schemaPath))
        continue;
      if (error.keyword === 'type' && nullBranches.has(error.schemaPath.slice(0, -'/type'.length))) continue;
    }
    if (
      error.keyword !== 'anyOf' &&
      error.keyword !== 'oneOf' &&
      error.schemaPath.includes('Of/') &&
      insideUnion(error.instancePath, unionPaths)
    ) {
      continue;
    }
    const fieldError = toFieldError(part, schema, error);
    if (!fieldError) continue;
    const key = `${fieldError.loc.join('\u0000')}|${fieldError.type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(fieldError);
  }
  return out.length > 1 ? inDeclarationOrder(schema, out) : out;
}

/**
 * Sorts errors in the order the schema declares the fields, like FastAPI (ajv lists the
 * missing properties of an object before the wrong ones). A value's own error comes before
 * those of its items; the sort is stable, so errors at one location keep ajv's order.
 */
function inDeclarationOrder(schema: TSchema, errors: FieldError[]): FieldError[] {
  const keyed = errors.map((error) => ({ error, key: declarationKey(schema, error.loc.slice(1)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < Math.min(a.key.length, b.key.length); i++) {
      if (a.key[i] !== b.key[i]) return a.key[i]! - b.key[i]!;
    }
    return a.key.length - b.key.length;
  });
  return keyed.map(({ error }) => error);
}

/** Each step of a path as a number: a property's position in its object schema, or the array index. */
function declarationKey(schema: unknown, path: ReadonlyArray<string | number>): number[] {
  const key: number[] = [];
  let node = schema as { properties?: Record<string, unknown>; items?: unknown } | undefined;
  for (const segment of path) {
    if (typeof segment === 'number') {
      key.push(segment);
      node = node?.items as typeof node;
      continue;
    }
    const position = node?.properties ? Object.keys(node.properties).indexOf(segment) : -1;
    key.push(position === -1 ? Number.MAX_SAFE_INTEGER : position);
    node = node?.properties?.[segment] as typeof node;
  }
  return key;
}
