/**
 * The query string parser: Fastify's default (fast-querystring) keeps a value whose
 * percent-encoding does not decode (`%C0%AE`, an overlong `.`; `%FF`; `%E9` from a Latin-1
 * form; a stray `%`) as its raw text, and Node's `querystring` and `URLSearchParams` replace the
 * bad bytes with U+FFFD: either way a handler sees text the client did not send. This parser
 * decodes strictly, and marks the result as invalid instead, which the route answers with a 400.
 * It also notes the keys whose values decode to text with NUL (`%00`), which PostgreSQL cannot
 * store: the route answers them with a 422.
 */
import { type FieldError, HttpError } from './errors.ts';
import { nulError } from './text-checks.ts';

/** The null-prototype object of a parsed query: `?__proto__=x` is just a key. */
const QueryObject = function QueryObject() {} as unknown as new () => Record<string, string | string[]>;
QueryObject.prototype = Object.create(null);

/** What a parsed query held that the route must refuse. */
interface QueryIssues {
  /** The first key (as sent) whose key or value does not decode. */
  invalid?: string;
  /** The keys whose key or value decodes to text with NUL. */
  nul?: string[];
}

// Set on a parsed query only when it has issues: a query without any costs nothing.
const ISSUES = Symbol('volt.queryIssues');

function issuesOf(result: object): QueryIssues {
  const holder = result as { [ISSUES]?: QueryIssues };
  holder[ISSUES] ??= {};
  return holder[ISSUES];
}

const PLUS = /\+/g;
const AMPERSAND = 38;
const EQUALS = 61;
const PERCENT = 37;
const PLUS_SIGN = 43;

// What a key or value holds, noted while scanning: only those with escapes are decoded.
const HAS_PLUS = 1;
const HAS_PERCENT = 2;

/** Decodes one key or value (`+` is a space), or `undefined` when it is not UTF-8 percent-encoding. */
function decode(text: string, escapes: number): string | undefined {
  const spaced = escapes & HAS_PLUS ? text.replace(PLUS, ' ') : text;
  if (!(escapes & HAS_PERCENT)) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

/**
 * Adds one `key=value` pair (`text` from `start` to `end`, `=` at `eq` or -1) to a parsed query;
 * `keyEscapes` and `valueEscapes` say what each holds to decode.
 */
function addPair(
  result: Record<string, string | string[]>,
  text: string,
  start: number,
  eq: number,
  end: number,
  keyEscapes: number,
  valueEscapes: number,
): void {
  let key = text.slice(start, eq === -1 ? end : eq);
  let value = eq === -1 ? '' : text.slice(eq + 1, end);
  if (keyEscapes !== 0 || valueEscapes !== 0) {
    const rawKey = key;
    const decodedKey = keyEscapes === 0 ? key : decode(key, keyEscapes);
    const decodedValue = valueEscapes === 0 ? value : decode(value, valueEscapes);
    if (decodedKey === undefined || decodedValue === undefined) {
      issuesOf(result).invalid ??= rawKey;
      return;
    }
    key = decodedKey;
    value = decodedValue;
    // NUL only comes from a `%00`: a raw one is not allowed in a URL.
    if ((keyEscapes | valueEscapes) & HAS_PERCENT && (key.includes('\u0000') || value.includes('\u0000'))) {
      const issues = issuesOf(result);
      issues.nul ??= [];
      issues.nul.push(key);
    }
  }
  if (key === '' && eq === -1) return;
  const seen = result[key];
  if (seen === undefined) result[key] = value;
  else if (typeof seen === 'string') result[key] = [seen, value];
  else seen.push(value);
}

/**
 * Parses a query string (without the `?`) into an object of strings; a repeated key gives an
 * array of strings. A key or value that is not valid UTF-8 percent-encoding marks the result
 * invalid (see {@link queryTextErrors}) rather than being kept raw or replaced with U+FFFD.
 *
 * @example
 * ```ts
 * parseQueryString('tag=a&tag=b&q=caf%C3%A9'); // { tag: ['a', 'b'], q: 'café' }
 * queryTextErrors(parseQueryString('q=%C0%AE')); // throws a 400 HttpError naming q
 * ```
 */
export function parseQueryString(text: string): Record<string, string | string[]> {
  const result = new QueryObject();
  const length = text.length;
  // One pass, as fast-querystring does: pairs are cut at `&`, and only keys and values with a
  // `%` or `+` are decoded.
  let start = 0;
  let eq = -1;
  let keyEscapes = 0;
  let valueEscapes = 0;
  for (let i = 0; i <= length; i++) {
    const c = i === length ? AMPERSAND : text.charCodeAt(i);
    if (c === AMPERSAND) {
      if (i > start) addPair(result, text, start, eq, i, keyEscapes, valueEscapes);
      start = i + 1;
      eq = -1;
      keyEscapes = 0;
      valueEscapes = 0;
    } else if (c === EQUALS) {
      if (eq === -1) eq = i;
    } else if (c === PERCENT || c === PLUS_SIGN) {
      const kind = c === PERCENT ? HAS_PERCENT : HAS_PLUS;
      if (eq === -1) keyEscapes |= kind;
      else valueEscapes |= kind;
    }
  }
  return result;
}

/**
 * What is wrong with the text of a query parsed by {@link parseQueryString}: throws a 400
 * {@link HttpError} when a key or value does not decode, answers the 422 field errors of values
 * with NUL, else `undefined`.
 */
export function queryTextErrors(query: unknown): FieldError[] | undefined {
  const issues = (query as { [ISSUES]?: QueryIssues } | undefined)?.[ISSUES];
  if (issues === undefined) return undefined;
  const key = issues.invalid;
  if (key === undefined) return [...new Set(issues.nul)].map((name) => nulError(['query', name]));
  const name = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  throw new HttpError(400, {
    detail: `The query string is not valid: the parameter "${name}" is not UTF-8 percent-encoding (%XX escapes of UTF-8 bytes).`,
    errors: [
      { loc: ['query', name], msg: 'Input should be UTF-8 percent-encoded text', type: 'string_unicode' },
    ],
  });
}
