/**
 * The JSON body parser: Fastify's own (secure-json-parse, which refuses `__proto__` and
 * `constructor.prototype` keys) behind a nesting limit and an array length limit, both checked
 * in one pass over the text before it is parsed. A body nested thousands of levels deep is tiny
 * on the wire but overflows the stack of every recursive step after parsing (validation,
 * serialization); an array of a million `0`s is 2 MB on the wire but costs far more to validate.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.ts';

/** Nesting depth of objects and arrays Volt accepts in a JSON body by default. */
export const DEFAULT_JSON_MAX_DEPTH = 64;

/** Elements Volt accepts in any one array of a JSON body by default. */
export const DEFAULT_JSON_MAX_ARRAY_LENGTH = 10_000;

const OPEN_OBJECT = 123; // {
const OPEN_ARRAY = 91; // [
const CLOSE_OBJECT = 125; // }
const CLOSE_ARRAY = 93; // ]
const QUOTE = 34; // "
const BACKSLASH = 92; // \
const COMMA = 44; // ,

/** The limits of {@link jsonLimitExceeded}. */
export interface JsonLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Most elements in one array. */
  maxArrayLength: number;
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
  const { maxDepth, maxArrayLength } = limits;
  // Per open container: -1 for an object, else the commas seen so far in that array.
  const commas: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === COMMA) {
      // n commas separate n + 1 elements.
      if (depth > 0 && commas[depth - 1]! >= 0 && ++commas[depth - 1]! >= maxArrayLength) return 'array';
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return 'depth';
      commas[depth - 1] = c === OPEN_ARRAY ? 0 : -1;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth > 0) depth--;
    }
  }
  return undefined;
}

/** Replaces Fastify's `application/json` parser with the same parser behind the limits. */
export function installJsonParser(fastify: FastifyInstance, limits: JsonLimits): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const exceeded = jsonLimitExceeded(body as string, limits);
    if (exceeded !== undefined) {
      const detail =
        exceeded === 'depth'
          ? `The JSON body is nested deeper than ${limits.maxDepth} levels.`
          : `The JSON body has an array of more than ${limits.maxArrayLength} elements (JSON_MAX_ARRAY_LENGTH).`;
      done(new HttpError(400, { detail }), undefined);
      return;
    }
    parse(request, body as string, done);
  });
}
