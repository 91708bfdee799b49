/**
 * Text a database cannot hold, found in request input: the NUL character (PostgreSQL's `text`
 * and `jsonb` refuse it; Django refuses it in every CharField) and lone UTF-16 surrogates (not
 * Unicode at all: they cannot be written as UTF-8). Also header values that are not ASCII, and
 * the field errors that name them all.
 */
import type { ErrorLocation, FieldError } from './errors.ts';
import type { RequestPart } from './validation.ts';

/** The field error of a string holding a NUL character. */
export function nulError(loc: ErrorLocation): FieldError {
  return {
    loc,
    msg: 'String should not contain null characters (U+0000)',
    type: 'null_characters_not_allowed',
  };
}

/** The field error of a string holding a lone surrogate (`"\ud800"`). */
export function surrogateError(loc: ErrorLocation): FieldError {
  return { loc, msg: 'String should be valid Unicode (it holds a lone surrogate)', type: 'string_unicode' };
}

/**
 * The field error of a header value with a character past `~` (0x7E). HTTP header values are
 * bytes; Node reads those past ASCII as Latin-1, so UTF-8 `café` would reach the handler as
 * `cafÃ©`. A declared header takes ASCII only.
 */
function nonAsciiHeaderError(loc: ErrorLocation): FieldError {
  return { loc, msg: 'Header value should be ASCII text', type: 'string_ascii' };
}

/** Whether a text holds a character past `~` (0x7E): DEL, or anything outside ASCII. */
function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7e) return true;
  return false;
}

/**
 * The errors of the declared headers (`names`) whose values hold a character past `~` (0x7E),
 * at `['header', name]`; `undefined` when there are none.
 *
 * @example
 * ```ts
 * nonAsciiErrors({ 'x-name': 'café' }, ['x-name']); // [{ loc: ['header', 'x-name'], type: 'string_ascii', … }]
 * ```
 */
export function nonAsciiErrors(
  headers: Record<string, unknown>,
  names: readonly string[],
): FieldError[] | undefined {
  let errors: FieldError[] | undefined;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = headers[name];
    const bad =
      typeof value === 'string'
        ? hasNonAscii(value)
        : Array.isArray(value) && value.some((item) => typeof item === 'string' && hasNonAscii(item));
    if (bad) {
      if (errors === undefined) errors = [];
      errors.push(nonAsciiHeaderError(['header', name]));
    }
  }
  return errors;
}

/** The field error of a number too large for a double (`1e400`, which JavaScript reads as `Infinity`). */
export function infiniteError(loc: ErrorLocation): FieldError {
  return { loc, msg: 'Input should be a finite number', type: 'finite_number' };
}

/**
 * The NUL errors of the string values (or lists of strings) of an object of texts, at `[part, name]`.
 * Only `names` are looked at when given (the declared ones), else every own property.
 *
 * @example
 * ```ts
 * nulErrors('path', { slug: 'a\u0000b' }); // [{ loc: ['path', 'slug'], type: 'null_characters_not_allowed', … }]
 * ```
 */
export function nulErrors(
  part: RequestPart,
  object: Record<string, unknown> | null | undefined,
  names?: readonly string[],
): FieldError[] | undefined {
  if (object === null || typeof object !== 'object') return undefined;
  // Runs on every request of a route with parameters: no closure, no allocation unless a NUL is found.
  let errors: FieldError[] | undefined;
  const keys = names ?? Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i]!;
    const value = object[name];
    if (typeof value === 'string') {
      if (value.includes('\u0000')) {
        if (errors === undefined) errors = [];
        errors.push(nulError([part, name]));
      }
    } else if (Array.isArray(value)) {
      for (let j = 0; j < value.length; j++) {
        const item = value[j];
        if (typeof item === 'string' && item.includes('\u0000')) {
          if (errors === undefined) errors = [];
          errors.push(nulError([part, name, j]));
        }
      }
    }
  }
  return errors;
}
