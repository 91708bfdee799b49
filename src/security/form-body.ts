/**
 * The `application/x-www-form-urlencoded` body parser, for HTML forms and OAuth2 token
 * requests, on the routes whose `bodyTypes` list it (and, ignored, on routes without a body).
 * A body becomes a plain object of strings (a repeated key becomes an array of strings), at most
 * {@link FORM_MAX_FIELDS} fields, and the keys `__proto__`, `constructor` and `prototype` are
 * refused with a 400, so a form can never reach `Object.prototype`. Bytes that are not UTF-8,
 * raw or percent-encoded, are a 400 (never replaced with U+FFFD); a value with NUL is a 422.
 *
 * Form values are text, like query strings: when the route declares a `body` schema, values
 * are coerced to it the same strict way as query parameters (`"3"` → `3` for `t.Integer()`, one
 * value → `[value]` for `t.Array()`), then the body is validated like a JSON body.
 */
import type { TSchema } from 'typebox';
import type { VoltApp } from '../http/app.ts';
import { compileCoercion, type ObjectCoercion } from '../http/coercion.ts';
import { routeOf } from '../http/compile.ts';
import { HttpError, RequestValidationError } from '../http/errors.ts';
import { utf8Body } from '../http/text-body.ts';
import { nulError, nulErrors } from '../http/text-checks.ts';

/** The media type of HTML form bodies. */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Most fields accepted in one form body. */
export const FORM_MAX_FIELDS = 1000;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A parsed form body: each field's value, or its values when the key is repeated. */
export type FormBody = Record<string, string | string[]>;

const PLUS = /\+/g;

const NOT_UTF8 = 'is not UTF-8 percent-encoding (%XX escapes of UTF-8 bytes)';

/** Decodes one name or value of a form (`+` is a space), or `undefined` when its `%XX` escapes are not UTF-8. */
function decodeField(text: string): string | undefined {
  const spaced = text.includes('+') ? text.replace(PLUS, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

/**
 * The 400 of a field that does not decode. It names the field, never quotes the value (a
 * password, a token); a name that does not decode is named by its position.
 */
function undecodable(name: string | undefined, position: number): HttpError {
  const field =
    name === undefined
      ? `the name of field ${position}`
      : `the value of the field "${name.length > 40 ? `${name.slice(0, 40)}…` : name}"`;
  return new HttpError(400, { detail: `The form is not valid: ${field} ${NOT_UTF8}.` });
}

/**
 * Parses a form body. Throws a 400 {@link HttpError} past `maxFields` fields, on a key named
 * `__proto__`, `constructor` or `prototype`, or on a `%XX` escape that is not UTF-8 (an overlong
 * `%C0%AE`, a Latin-1 `%E9`, a stray `%`: the 400 names the field, never quotes its value); a
 * {@link RequestValidationError} (422) when a name or value holds a NUL character. Fields with an
 * empty name are skipped.
 *
 * @example
 * ```ts
 * parseForm('grant_type=password&scope=a&scope=b'); // { grant_type: 'password', scope: ['a', 'b'] }
 * ```
 */
export function parseForm(text: string, maxFields = FORM_MAX_FIELDS): FormBody {
  // Count the separators before decoding anything: a body of a million `&` costs one scan.
  let fields = text === '' ? 0 : 1;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    if (++fields > maxFields)
      throw new HttpError(400, { detail: `The form has more than ${maxFields} fields.` });
  }
  const form: FormBody = {};
  const nul: string[] = [];
  let position = 0;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    position++;
    const eq = pair.indexOf('=');
    const key = decodeField(eq === -1 ? pair : pair.slice(0, eq));
    if (key === undefined) throw undecodable(undefined, position);
    const value = eq === -1 ? '' : decodeField(pair.slice(eq + 1));
    if (value === undefined) throw undecodable(key, position);
    if (key === '') continue;
    if (key.includes('\u0000')) {
      nul.push(key);
      continue;
    }
    if (FORBIDDEN_KEYS.has(key))
      throw new HttpError(400, {
        detail: `The form field name "${key}" is not accepted (__proto__, constructor and prototype are refused).`,
      });
    const seen = Object.hasOwn(form, key) ? form[key] : undefined;
    if (seen === undefined) form[key] = value;
    else if (typeof seen === 'string') form[key] = [seen, value];
    else seen.push(value);
  }
  const errors = nulErrors('body', form);
  if (nul.length > 0 || errors) {
    const keyErrors = nul.map((key) => nulError(['body', key]));
    throw new RequestValidationError([...keyErrors, ...(errors ?? [])]);
  }
  return form;
}

/**
 * Adds the form parser to an app. Per body schema, the strict coercion of its fields is
 * compiled on the first form request of its route and kept.
 */
export function installFormParser(app: VoltApp, maxFields = FORM_MAX_FIELDS): void {
  const coercers = new WeakMap<TSchema, ObjectCoercion | null>();
  const coercerFor = (schema: TSchema): ObjectCoercion | null => {
    let coercer = coercers.get(schema);
    if (coercer === undefined) {
      coercer = compileCoercion(schema) ?? null;
      coercers.set(schema, coercer);
    }
    return coercer;
  };
  app.fastify.addContentTypeParser(FORM_CONTENT_TYPE, { parseAs: 'buffer' }, (request, bytes, done) => {
    let form: FormBody;
    try {
      form = parseForm(utf8Body(bytes as Buffer), maxFields);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    // Values that do not convert stay text: the route's body validation reports them, with their field.
    const body = routeOf(request)?.options.body;
    if (body !== undefined) coercerFor(body)?.(form);
    done(null, form);
  });
}
