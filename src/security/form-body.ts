/**
 * The `application/x-www-form-urlencoded` body parser, for HTML forms and OAuth2 token
 * requests. A body becomes a plain object of strings (a repeated key becomes an array of
 * strings), at most {@link FORM_MAX_FIELDS} fields, and the keys `__proto__`, `constructor` and
 * `prototype` are refused with a 400, so a form can never reach `Object.prototype`.
 *
 * Form values are text, like query strings: when the route declares a `body` schema, values
 * are coerced to it the same way as query parameters (`"3"` → `3` for `t.Integer()`, one value
 * → `[value]` for `t.Array()`), then the body is validated like a JSON body.
 */
import type { TSchema } from 'typebox';
import type { VoltApp } from '../http/app.ts';
import { routeOf } from '../http/compile.ts';
import { HttpError } from '../http/errors.ts';
import { compilePart, type PartValidator } from '../http/validation.ts';

/** The media type of HTML form bodies. */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Most fields accepted in one form body. */
export const FORM_MAX_FIELDS = 1000;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A parsed form body: each field's value, or its values when the key is repeated. */
export type FormBody = Record<string, string | string[]>;

/**
 * Parses a form body. Throws a 400 {@link HttpError} past `maxFields` fields or on a key named
 * `__proto__`, `constructor` or `prototype`. Fields with an empty name are skipped.
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
  for (const [key, value] of new URLSearchParams(text)) {
    if (key === '') continue;
    if (FORBIDDEN_KEYS.has(key))
      throw new HttpError(400, {
        detail: `The form field name "${key}" is not accepted (__proto__, constructor and prototype are refused).`,
      });
    const seen = Object.hasOwn(form, key) ? form[key] : undefined;
    if (seen === undefined) form[key] = value;
    else if (typeof seen === 'string') form[key] = [seen, value];
    else seen.push(value);
  }
  return form;
}

/**
 * Adds the form parser to an app. Per body schema, a coercing validator is compiled on the
 * first form request of its route and kept.
 */
export function installFormParser(app: VoltApp, maxFields = FORM_MAX_FIELDS): void {
  const coercers = new WeakMap<TSchema, PartValidator>();
  const coercerFor = (schema: TSchema): PartValidator => {
    let coercer = coercers.get(schema);
    if (coercer === undefined) {
      // The query validator's ajv coerces strings to the declared types, in place.
      coercer = compilePart('query', schema);
      coercers.set(schema, coercer);
    }
    return coercer;
  };
  app.fastify.addContentTypeParser(FORM_CONTENT_TYPE, { parseAs: 'string' }, (request, text, done) => {
    let form: FormBody;
    try {
      form = parseForm(text as string, maxFields);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    // Errors are not reported here: the route's body validation reports them, with their field.
    const body = routeOf(request)?.options.body;
    if (body !== undefined) coercerFor(body)(form);
    done(null, form);
  });
}
