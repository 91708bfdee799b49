/**
 * Strict coercion of text (path, query, headers, cookies, form fields) to the declared types,
 * compiled once per schema. A value is converted only when its text is exactly the canonical
 * form of the type; anything else stays a string, so validation reports the field.
 *
 * ajv's own coercion (`coerceTypes`) reads text the way `Number()` does: `' 3'`, `'0x3'`,
 * `'3.0'` and `'+3'` all become 3, `' '` becomes 0, and `'1e309'` becomes `Infinity`. A value the
 * handler sees must be the value the client sent.
 */

/** A JSON Schema node, as far as coercion reads it. */
interface SchemaNode {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  items?: SchemaNode | boolean;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
}

/** Turns one value (a string, or an array of strings for a repeated key) into the declared type. */
type Coerce = (value: unknown) => unknown;

const MINUS = 45;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

// JSON's number grammar: no sign but `-`, no leading zeros, no `.5` or `5.`, no hex, no spaces.
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

// The words pydantic (so FastAPI) reads as booleans, case-insensitively; `on` is what an HTML
// checkbox sends.
const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'on', 't']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'off', 'f']);

/**
 * The integer a text stands for (`0|-?[1-9][0-9]*`), or the text itself. `-0` is not one: it
 * is no integer's canonical form, and would reach the handler as `-0`, a value `Object.is`
 * tells from `0`. Integer syntax past the safe range still becomes a number, so the
 * safe-integer bounds of validation name the problem rather than a vague type error.
 */
export function textToInteger(text: string): number | string {
  // By hand rather than with a regular expression: this runs for every integer parameter.
  const length = text.length;
  const negative = text.charCodeAt(0) === MINUS;
  let i = negative ? 1 : 0;
  if (i === length) return text;
  // No leading zeros: `0` alone (unsigned), or a digit 1–9 first.
  if (text.charCodeAt(i) === DIGIT_0 && (negative || length !== i + 1)) return text;
  for (; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return text;
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}

/** The finite number a text stands for (JSON syntax), or the text itself. */
export function textToNumber(text: string): number | string {
  if (!NUMBER.test(text)) return text;
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}

/** The boolean a text stands for (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, `t`/`f`, `y`/`n`), or the text. */
export function textToBoolean(text: string): boolean | string {
  if (text === 'true') return true;
  if (text === 'false') return false;
  const word = text.length <= 5 ? text.toLowerCase() : '';
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return text;
}

/** Every type a schema node admits, unions and literals included. */
function typesOf(node: SchemaNode | boolean | undefined, into = new Set<string>()): Set<string> {
  if (typeof node !== 'object' || node === null) return into;
  if (typeof node.type === 'string') into.add(node.type);
  else if (Array.isArray(node.type)) for (const type of node.type) into.add(type);
  const literals = node.const !== undefined ? [node.const] : (node.enum ?? []);
  for (const literal of literals) {
    if (typeof literal === 'number') into.add(Number.isInteger(literal) ? 'integer' : 'number');
    else if (typeof literal === 'boolean') into.add('boolean');
    else if (typeof literal === 'string') into.add('string');
  }
  for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])])
    typesOf(branch, into);
  return into;
}

/** The schema of the items of the array branch of a node, if it has one. */
function itemsOf(node: SchemaNode): SchemaNode | undefined {
  if (typeof node.items === 'object') return node.items;
  for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) {
    const items = itemsOf(branch);
    if (items) return items;
  }
  return undefined;
}

const keep: Coerce = (value) => value;

/** A coercion of one text to a scalar of the node's types, or `undefined` when only strings fit. */
function scalarCoercion(types: Set<string>): ((text: string) => unknown) | undefined {
  const integer = types.has('integer');
  const number = types.has('number');
  const boolean = types.has('boolean');
  if (!integer && !number && !boolean) return undefined;
  // One type (the common case): its conversion as is.
  if (integer && !number && !boolean) return textToInteger;
  if (number && !boolean) return textToNumber;
  if (boolean && !integer && !number) return textToBoolean;
  return (text) => {
    if (number) {
      const value = textToNumber(text);
      if (value !== text) return value;
    }
    if (integer) {
      const value = textToInteger(text);
      if (value !== text) return value;
    }
    if (boolean) return textToBoolean(text);
    return text;
  };
}

/** Compiles the coercion of one property's value. */
function compileValue(node: SchemaNode | boolean | undefined): Coerce {
  if (typeof node !== 'object' || node === null) return keep;
  const types = typesOf(node);
  const scalar = scalarCoercion(types);
  const items = types.has('array') ? itemsOf(node) : undefined;
  const item = items ? (scalarCoercion(typesOf(items)) ?? ((text: string) => text)) : undefined;
  if (!scalar && !item) return keep;
  return (value) => {
    if (typeof value === 'string') {
      if (scalar) {
        const converted = scalar(value);
        // A text that is not one of the scalar types becomes a one-item list when lists fit.
        if (converted !== value || !item) return converted;
      }
      return item ? [item(value)] : value;
    }
    if (Array.isArray(value) && item) {
      for (let i = 0; i < value.length; i++) if (typeof value[i] === 'string') value[i] = item(value[i]);
    }
    return value;
  };
}

/** Coerces, in place, the declared properties of an object of texts. */
export type ObjectCoercion = (object: Record<string, unknown>) => void;

/**
 * Compiles the strict coercion of an object schema's properties (a route's path parameters,
 * query, headers, cookies or form body). Undeclared names are coerced by `additionalProperties`
 * when it is a schema, else left alone. Returns `undefined` when nothing needs converting.
 *
 * @example
 * ```ts
 * const coerce = compileCoercion(t.Object({ id: t.Integer(), tags: t.Array(t.String()) }));
 * const query = { id: '3', tags: 'a' };
 * coerce?.(query); // { id: 3, tags: ['a'] }; with id: ' 3' or '3.0', id stays a string
 * ```
 */
export function compileCoercion(schema: unknown): ObjectCoercion | undefined {
  const node = schema as SchemaNode;
  // Two parallel arrays: the per-request loop reads them without destructuring.
  const names: string[] = [];
  const coercions: Coerce[] = [];
  for (const [name, property] of Object.entries(node.properties ?? {})) {
    const coerce = compileValue(property);
    if (coerce === keep) continue;
    names.push(name);
    coercions.push(coerce);
  }
  const declared = new Set(Object.keys(node.properties ?? {}));
  const extra = compileValue(
    typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined,
  );
  if (names.length === 0 && extra === keep) return undefined;
  const count = names.length;
  return (object) => {
    for (let i = 0; i < count; i++) {
      const name = names[i]!;
      const value = object[name];
      if (value !== undefined) object[name] = coercions[i]!(value);
    }
    if (extra !== keep) {
      for (const name of Object.keys(object)) if (!declared.has(name)) object[name] = extra(object[name]);
    }
  };
}
