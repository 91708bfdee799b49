/**
 * Request validators, compiled once at startup from the route's TypeBox schemas.
 *
 * Two ajv instances: strings from the URL, headers and cookies are coerced to the
 * declared types (`?limit=10` → `10`, `?tag=a` → `['a']`); JSON bodies are not.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from 'typebox';
import type { FieldError } from './errors.ts';

// ajv-formats is CommonJS with a default export property.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** The request part a validator checks, as it appears first in an error's `loc`. */
export type RequestPart = 'path' | 'query' | 'header' | 'cookie' | 'body';

function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    strict: false,
    // A schema in a route is trusted code; formats are the common ones.
    validateFormats: true,
  });
  addFormats(ajv);
  return ajv;
}

let stringAjv: Ajv | undefined;
let bodyAjv: Ajv | undefined;

/** A compiled check of one request part; returns the errors or `undefined` when valid. */
export type PartValidator = (value: unknown) => FieldError[] | undefined;

/** Compiles a validator for one request part. Runs at startup, never per request. */
export function compilePart(part: RequestPart, schema: TSchema): PartValidator {
  const ajv = part === 'body' ? (bodyAjv ??= createAjv(false)) : (stringAjv ??= createAjv(true));
  const validate: ValidateFunction = ajv.compile(schema as object);
  return (value) => (validate(value) ? undefined : toFieldErrors(part, validate.errors ?? [], value));
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

function plural(n: unknown, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Turns one ajv error into a field error with a readable message and a stable type. */
function toFieldError(part: RequestPart, error: ErrorObject): FieldError | undefined {
  const loc: Array<string | number> = [part, ...pointerToPath(error.instancePath)];
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { loc: [...loc, String(p.missingProperty)], msg: 'Field required', type: 'missing' };
    case 'type':
      return { loc, msg: `Input should be ${describeType(p.type)}`, type: `${String(p.type).split(',')[0]}_type` };
    case 'minLength':
      return { loc, msg: `String should have at least ${plural(p.limit, 'character')}`, type: 'string_too_short' };
    case 'maxLength':
      return { loc, msg: `String should have at most ${plural(p.limit, 'character')}`, type: 'string_too_long' };
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
      return { loc, msg: `Object should have ${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${plural(p.limit, 'property')}`, type: error.keyword === 'minProperties' ? 'too_short' : 'too_long' };
    case 'pattern':
      return { loc, msg: `String should match pattern '${p.pattern}'`, type: 'string_pattern_mismatch' };
    case 'format':
      return { loc, msg: `Input should be a valid ${p.format}`, type: 'format' };
    case 'enum':
      return {
        loc,
        msg: `Input should be ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        type: 'enum',
      };
    case 'const':
      return { loc, msg: `Input should be ${JSON.stringify(p.allowedValue)}`, type: 'literal_error' };
    case 'additionalProperties':
      return { loc: [...loc, String(p.additionalProperty)], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' };
    case 'anyOf':
    case 'oneOf':
      return { loc, msg: 'Input does not match any of the allowed types', type: 'union' };
    // `if` errors repeat the `then`/`else` errors already listed.
    case 'if':
      return undefined;
    default:
      return { loc, msg: error.message ?? 'Invalid value', type: error.keyword };
  }
}

function toFieldErrors(part: RequestPart, errors: ErrorObject[], value: unknown): FieldError[] {
  // A missing body gives one clear error rather than one per required property.
  if (part === 'body' && value === undefined) return [{ loc: ['body'], msg: 'Field required', type: 'missing' }];
  // With anyOf, ajv reports each branch's failure too; when the union itself failed, keep only the
  // union error at that location so the list stays readable.
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') {
      const nested = [...unionPaths].some((path) => error.instancePath.startsWith(path) && error.schemaPath.includes('Of/'));
      if (nested) continue;
    }
    const fieldError = toFieldError(part, error);
    if (!fieldError) continue;
    const key = `${fieldError.loc.join('\u0000')}|${fieldError.type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(fieldError);
  }
  return out;
}
