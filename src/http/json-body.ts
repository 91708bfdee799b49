/**
 * The JSON body parser: Fastify's own (secure-json-parse, which refuses `__proto__` and
 * `constructor.prototype` keys) behind a nesting limit. A body nested thousands of levels deep
 * is tiny on the wire but overflows the stack of every recursive step after parsing
 * (validation, serialization): it is refused with a 400 before it is parsed.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.ts';

/** Nesting depth of objects and arrays Volt accepts in a JSON body by default. */
export const DEFAULT_JSON_MAX_DEPTH = 64;

const OPEN_OBJECT = 123; // {
const OPEN_ARRAY = 91; // [
const CLOSE_OBJECT = 125; // }
const CLOSE_ARRAY = 93; // ]
const QUOTE = 34; // "
const BACKSLASH = 92; // \

/** Whether the JSON text nests objects and arrays deeper than `max` (strings are skipped). */
export function exceedsDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/** Replaces Fastify's `application/json` parser with the same parser behind a depth limit. */
export function installJsonParser(fastify: FastifyInstance, maxDepth: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (exceedsDepth(body as string, maxDepth)) {
      done(
        new HttpError(400, { detail: `The JSON body is nested deeper than ${maxDepth} levels.` }),
        undefined,
      );
      return;
    }
    parse(request, body as string, done);
  });
}
