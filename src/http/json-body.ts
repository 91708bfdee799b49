/**
 * The JSON body parser: Fastify's own (secure-json-parse, which refuses `__proto__` and
 * `constructor.prototype` keys) behind checks made in one pass over the text before it is
 * parsed, and a body read as bytes and checked to be UTF-8 first.
 *
 * - A nesting limit and an array length limit. A body nested thousands of levels deep is tiny
 *   on the wire but overflows the stack of every recursive step after parsing (validation,
 *   serialization); an array of a million `0`s is 2 MB on the wire but costs far more to validate.
 * - Text a database cannot hold or a client did not mean: `\u0000` escapes (PostgreSQL refuses
 *   NUL), lone surrogate escapes (`"\ud800"` is not Unicode), and numbers a double cannot hold
 *   (`1e400` parses to `Infinity`, which JSON writes back as `null`). The scan only notices them
 *   cheaply; the parsed value is walked for their locations only when it did, so a body without
 *   them costs nothing more. Each is a 422 on its field.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routeOf } from './compile.ts';
import { type FieldError, HttpError, RequestValidationError } from './errors.ts';
import { utf8Body } from './text-body.ts';
import { infiniteError, nulError, surrogateError } from './text-checks.ts';
import { MAX_FIELD_ERRORS } from './validation.ts';

/** Nesting depth of objects and arrays Volt accepts in a JSON body by default. */
export const DEFAULT_JSON_MAX_DEPTH = 64;

/** Elements Volt accepts in any one array of a JSON body by default. */
export const DEFAULT_JSON_MAX_ARRAY_LENGTH = 10_000;

const OPEN_OBJECT = 123; // {
const OPEN_ARRAY = 91; // [
const CLOSE_OBJECT = 125; // }
const CLOSE_ARRAY = 93; // ]
const QUOTE = 34; // "
const COMMA = 44; // ,
const BACKSLASH = 92; // \
const LETTER_U = 117; // u
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const LETTER_E = 101; // e
const CAPITAL_E = 69; // E

/**
 * A number literal outside a double's range has an exponent or at least 309 digits
 * (`Number.MAX_VALUE`, 1.797…·10^308, has 309): a token of more characters than this between two
 * separators (the one before it excluded) may be one.
 */
const LONG_TOKEN = 309;

/** What {@link scanJson} found; a bit set. */
const DEPTH = 1;
const ARRAY = 2;
const NUL = 4;
const SURROGATE = 8;
const NUMBER = 16;
const LIMITS = DEPTH | ARRAY;

/** The limits of {@link jsonLimitExceeded}. */
export interface JsonLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Most elements in one array. */
  maxArrayLength: number;
}

/** 1 for `8`–`b` (a high surrogate's second hex digit after `d`), 2 for `c`–`f` (a low one's), else 0. */
function surrogateHalf(c: number): number {
  if (c === 56 || c === 57) return 1; // 8 9
  const lower = c | 32;
  if (lower === 97 || lower === 98) return 1; // a b
  if (lower >= 99 && lower <= 102) return 2; // c d e f
  return 0;
}

/** Whether `\uXXXX` at `at` (the backslash) escapes a surrogate of the given half (1 high, 2 low). */
function escapesSurrogate(text: string, at: number, half: number): boolean {
  return (
    text.charCodeAt(at) === BACKSLASH &&
    text.charCodeAt(at + 1) === LETTER_U &&
    (text.charCodeAt(at + 2) | 32) === 100 &&
    surrogateHalf(text.charCodeAt(at + 3)) === half
  );
}

// unicodeEscape() answers its findings in the low bits and the escape's length above them.
const LENGTH_SHIFT = 8;
const FOUND_MASK = (1 << LENGTH_SHIFT) - 1;
const ONE_ESCAPE = 6 << LENGTH_SHIFT;
const SURROGATE_PAIR = 12 << LENGTH_SHIFT;

/**
 * What the `\uXXXX` escape at `at` (the backslash) holds — bits of {@link NUL} and
 * {@link SURROGATE} — plus its length shifted by {@link LENGTH_SHIFT}: a valid surrogate pair is
 * skipped whole. Only 0000 and D800–DFFF matter, told apart by their first two hex digits. A
 * number rather than an object: JSON from some clients escapes every non-ASCII character.
 */
function unicodeEscape(text: string, at: number): number {
  const first = text.charCodeAt(at + 2);
  if (first === DIGIT_0) {
    const nul =
      text.charCodeAt(at + 3) === DIGIT_0 &&
      text.charCodeAt(at + 4) === DIGIT_0 &&
      text.charCodeAt(at + 5) === DIGIT_0;
    return nul ? ONE_ESCAPE | NUL : ONE_ESCAPE;
  }
  if ((first | 32) === 100) {
    const half = surrogateHalf(text.charCodeAt(at + 3));
    if (half === 1 && escapesSurrogate(text, at + 6, 2)) return SURROGATE_PAIR;
    if (half !== 0) return ONE_ESCAPE | SURROGATE;
  }
  return ONE_ESCAPE;
}

/**
 * One pass over a JSON text: stops at the first limit broken (DEPTH, ARRAY) and otherwise
 * notes what the parsed value must be walked for (NUL, SURROGATE, NUMBER). The text need not be
 * valid JSON (the parser judges that afterwards).
 *
 * Strings, most of a JSON text, are skipped with `indexOf` from quote to quote (native code),
 * stopping only at backslashes; the next quote and backslash are searched again only once the
 * scan has passed them, so the pass stays linear.
 */
function scanJson(text: string, limits: JsonLimits): number {
  const { maxDepth, maxArrayLength } = limits;
  const length = text.length;
  // Per open container: -1 for an object, else the commas seen so far in that array.
  const commas: number[] = [];
  let depth = 0;
  let found = 0;
  // The last separator or string end before the current token (-1: the text's start), so a
  // token runs from tokenStart + 1 and `i - tokenStart > LONG_TOKEN` counts its characters.
  let tokenStart = -1;
  let quote = -1;
  let backslash = -1;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let at = i + 1;
      for (;;) {
        if (quote < at) {
          quote = text.indexOf('"', at);
          // Unterminated: the parser refuses it.
          if (quote === -1) return found;
        }
        if (backslash < at) {
          backslash = text.indexOf('\\', at);
          if (backslash === -1) backslash = length;
        }
        if (backslash > quote) break;
        if (text.charCodeAt(backslash + 1) === LETTER_U) {
          const unicode = unicodeEscape(text, backslash);
          found |= unicode & FOUND_MASK;
          at = backslash + (unicode >> LENGTH_SHIFT);
        } else {
          at = backslash + 2;
        }
      }
      i = quote;
      tokenStart = i;
    } else if (c === COMMA) {
      if (i - tokenStart > LONG_TOKEN) found |= NUMBER;
      tokenStart = i;
      // n commas separate n + 1 elements.
      if (depth > 0 && commas[depth - 1]! >= 0 && ++commas[depth - 1]! >= maxArrayLength)
        return found | ARRAY;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      tokenStart = i;
      if (++depth > maxDepth) return found | DEPTH;
      commas[depth - 1] = c === OPEN_ARRAY ? 0 : -1;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (i - tokenStart > LONG_TOKEN) found |= NUMBER;
      tokenStart = i;
      if (depth > 0) depth--;
    } else if (c === LETTER_E || c === CAPITAL_E) {
      // An exponent follows a digit; the `e` of `true` and `false` does not.
      const before = text.charCodeAt(i - 1);
      if (before >= DIGIT_0 && before <= DIGIT_9) found |= NUMBER;
    }
  }
  if (length - tokenStart > LONG_TOKEN) found |= NUMBER;
  return found;
}

/**
 * Which limit a JSON text breaks, if any: `'depth'` when objects and arrays nest deeper than
 * `maxDepth`, `'array'` when an array has more than `maxArrayLength` elements. One pass; strings
 * are skipped; the text need not be valid JSON (the parser judges that afterwards).
 *
 * @example
 * ```ts
 * jsonLimitExceeded('[[[1]]]', { maxDepth: 2, maxArrayLength: 10 }); // 'depth'
 * jsonLimitExceeded('[1,2,3]', { maxDepth: 2, maxArrayLength: 2 });  // 'array'
 * ```
 */
export function jsonLimitExceeded(text: string, limits: JsonLimits): 'depth' | 'array' | undefined {
  const found = scanJson(text, limits);
  return found & DEPTH ? 'depth' : found & ARRAY ? 'array' : undefined;
}

/**
 * The field errors of a parsed JSON value: strings (values and keys) with NUL or a lone
 * surrogate, numbers that are not finite — looking only for what the scan noticed.
 */
function textErrors(value: unknown, found: number): FieldError[] {
  const errors: FieldError[] = [];
  const path: Array<string | number> = ['body'];
  const checkString = (text: string, loc: Array<string | number>) => {
    if (found & NUL && text.includes('\u0000')) errors.push(nulError(loc));
    else if (found & SURROGATE && !text.isWellFormed()) errors.push(surrogateError(loc));
  };
  const walk = (node: unknown): void => {
    if (errors.length >= MAX_FIELD_ERRORS) return;
    if (typeof node === 'string') checkString(node, [...path]);
    else if (typeof node === 'number') {
      if (found & NUMBER && !Number.isFinite(node)) errors.push(infiniteError([...path]));
    } else if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        walk(node[i]);
        path.pop();
      }
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        path.push(key);
        checkString(key, [...path]);
        walk((node as Record<string, unknown>)[key]);
        path.pop();
      }
    }
  };
  walk(value);
  return errors.slice(0, MAX_FIELD_ERRORS);
}

const POISONED = 'The JSON body has a key named __proto__ or constructor.prototype, which is refused.';

/**
 * Says what is wrong with a JSON text, from the message of `JSON.parse` (V8's wording), without
 * quoting the text back: "not valid JSON: Expected ':' after property name at position 5".
 */
export function jsonSyntaxDetail(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    const at = /^(.*?)(?: in JSON)? at position (\d+)/.exec(message);
    if (at) return `The request body is not valid JSON: ${at[1]} at position ${at[2]}.`;
    const token = /^Unexpected token '(.*?)', /s.exec(message);
    if (token) return `The request body is not valid JSON: Unexpected token ${JSON.stringify(token[1])}.`;
    if (message.startsWith('Unexpected end of JSON input'))
      return `The request body is not valid JSON: Unexpected end of input at position ${text.length}.`;
    return 'The request body is not valid JSON.';
  }
  // JSON.parse accepted it: the secure parser refused a prototype key.
  return POISONED;
}

/** Replaces Fastify's `application/json` parser with the same parser behind the checks. */
export function installJsonParser(fastify: FastifyInstance, limits: JsonLimits): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length === 0) {
      // No body: an error where the route reads one, nothing where it does not (an HTML form or
      // a script may send the type with an empty POST).
      if (routeOf(request as FastifyRequest)?.options.body === undefined) done(null, undefined);
      else
        done(new HttpError(400, { detail: 'The body is empty but the Content-Type says application/json.' }));
      return;
    }
    let text: string;
    try {
      text = utf8Body(bytes);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    const found = scanJson(text, limits);
    if (found & LIMITS) {
      const detail =
        found & DEPTH
          ? `The JSON body is nested deeper than ${limits.maxDepth} levels.`
          : `The JSON body has an array of more than ${limits.maxArrayLength} elements (JSON_MAX_ARRAY_LENGTH).`;
      done(new HttpError(400, { detail }), undefined);
      return;
    }
    parse(request, text, (error, value) => {
      if (error) {
        done(
          new HttpError(400, {
            code: 'VOLT_HTTP_INVALID_JSON',
            detail: jsonSyntaxDetail(text),
            cause: error,
          }),
          undefined,
        );
        return;
      }
      if (found !== 0) {
        const errors = textErrors(value, found);
        if (errors.length > 0) {
          done(new RequestValidationError(errors), undefined);
          return;
        }
      }
      done(null, value);
    });
  });
}
