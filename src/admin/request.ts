/**
 * What the admin's views share: the staff user of the request, the definition error, and the
 * names people read (a model's and a row's).
 */
import type { CurrentUser } from '../auth/permissions.ts';
import type { AnyModel } from '../orm/model.ts';

/** The logged-in staff user of an admin request. */
export type AdminUser = CurrentUser;

/** `register()` or `admin()` was given options the model does not have. Stable code: `VOLT_ADMIN_DEFINITION`. */
export class AdminDefinitionError extends Error {
  override readonly name = 'AdminDefinitionError';
  readonly code = 'VOLT_ADMIN_DEFINITION';
}

/** ` (did you mean 'x'?)` when a known name is close to `word`, else nothing (as `resource()` says it). */
export { didYouMean as suggest } from '../crud/fields.ts';

/** `Book` → `Book`, `book tag` → `Book tag`. */
export function capitalize(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}

/** The fields a row's text is taken from when the model gives no `display`, in this order. */
const DISPLAY_FIELDS = ['name', 'title', 'username', 'label', 'slug', 'email', 'code'];

/** The text of a row of `model` when no `display` is given: a naming field, else `Book 12`. */
export function defaultDisplay(model: AnyModel): (row: Record<string, any>) => string {
  const meta = model.meta;
  const naming = DISPLAY_FIELDS.map((name) =>
    meta.fields.find((f) => f.name === name && f.column !== null),
  ).find((field) => field !== undefined && !field.writeOnly);
  const pk = meta.pk.attribute;
  const noun = capitalize(meta.verboseName);
  if (naming) {
    const key = naming.attribute;
    return (row) => {
      const value = row[key];
      return value === null || value === undefined || value === '' ? `${noun} ${row[pk]}` : String(value);
    };
  }
  return (row) => `${noun} ${row[pk]}`;
}

const INTEGER_KEY = /^-?\d{1,16}$/u;

/**
 * The keys among `texts` (from a URL, a form, a history entry) that `model`'s primary key can
 * hold, as it takes them: numbers for an integer key. The others name no row and are left out.
 */
export function keysOf(model: AnyModel, texts: Iterable<string>): unknown[] {
  const pk = model.meta.pk;
  const integer = pk.kind === 'auto' || pk.kind === 'integer' || pk.kind === 'bigint';
  const keys: unknown[] = [];
  for (const text of texts) {
    if (integer ? INTEGER_KEY.test(text) : pk.check(text).length === 0)
      keys.push(integer ? Number(text) : text);
  }
  return keys;
}
