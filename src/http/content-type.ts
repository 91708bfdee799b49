/**
 * The `Content-Type` header of a request, parsed once per distinct header text: its media type,
 * and whether a parameter is repeated (`application/json; charset=utf-8; charset=latin1`, which
 * no two readers need agree on). Clients send a handful of distinct headers, so the answers are
 * kept in a small cache keyed by the header's text, bounded against a client sending a new one
 * with every request.
 */

/** A parsed `Content-Type` header. */
export interface ContentType {
  /** The media type, lower-case, without parameters: `application/json`. */
  readonly type: string;
  /** The first parameter name (lower-case) given more than once, if any. */
  readonly repeated: string | undefined;
}

/** Distinct header texts remembered; the oldest goes first when a new one comes past it. */
export const CONTENT_TYPE_CACHE_SIZE = 100;

// Longer headers are parsed each time rather than kept (a client's 8 KiB header is no common type).
const CACHED_LENGTH = 200;

const cache = new Map<string, ContentType>();

const SEMICOLON = 59;
const QUOTE = 34;
const BACKSLASH = 92;
const EQUALS = 61;

/** The names of the parameters after the media type; a quoted value may hold `;` and `\"`. */
function parameterNames(header: string, from: number): string[] {
  const names: string[] = [];
  let start = from;
  let equals = -1;
  let quoted = false;
  for (let i = from; i <= header.length; i++) {
    const c = i === header.length ? SEMICOLON : header.charCodeAt(i);
    if (quoted) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) quoted = false;
    } else if (c === QUOTE) {
      quoted = true;
    } else if (c === EQUALS && equals === -1) {
      equals = i;
    } else if (c === SEMICOLON) {
      const name = header
        .slice(start, equals === -1 ? i : equals)
        .trim()
        .toLowerCase();
      if (name !== '') names.push(name);
      start = i + 1;
      equals = -1;
    }
  }
  return names;
}

function parse(header: string): ContentType {
  const semicolon = header.indexOf(';');
  if (semicolon === -1) return { type: header.trim().toLowerCase(), repeated: undefined };
  const type = header.slice(0, semicolon).trim().toLowerCase();
  const names = parameterNames(header, semicolon + 1);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  return { type, repeated };
}

/**
 * The media type of a `Content-Type` header, and the first parameter it repeats, from the cache
 * when the same text was parsed before.
 *
 * @example
 * ```ts
 * parseContentType('Application/JSON; charset=utf-8'); // { type: 'application/json', repeated: undefined }
 * parseContentType('text/plain; charset=a; charset=b'); // { type: 'text/plain', repeated: 'charset' }
 * ```
 */
export function parseContentType(header: string): ContentType {
  let parsed = cache.get(header);
  if (parsed === undefined) {
    parsed = parse(header);
    if (header.length > CACHED_LENGTH) return parsed;
    if (cache.size >= CONTENT_TYPE_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(header, parsed);
  }
  return parsed;
}
