/**
 * `validateInput`: checks a create or update input against a model's fields — types and
 * field constraints, not uniqueness (the query layer asks the database for that).
 */
import type { AnyModel } from './model.ts';
import { isOptionalOnCreate, isWritable } from './model-schemas.ts';

/** One problem with an input, shaped like the HTTP layer's errors (`loc`, `msg`, `type`). */
export interface FieldError {
  /** Where: the row key of the field (`['title']`, `['authorId']`); `[]` for the whole input. */
  loc: (string | number)[];
  /** A sentence a person can read. */
  msg: string;
  /** A stable code such as `missing`, `string_too_long`, `extra_forbidden`. */
  type: string;
}

/** Options of `validateInput`. */
export interface ValidateOptions {
  /** An update: fields may be missing and the primary key cannot be set. */
  partial?: boolean;
}

/**
 * The problems of `data` as the input of a create (or, with `partial`, of an update), in
 * field order; `[]` when it is valid. Keys are row keys (`authorId` for the `author` field).
 *
 * @example
 * ```ts
 * validateInput(Book, { title: '' , price: 'free' });
 * // [{ loc: ['price'], msg: 'Input should be a decimal number written as a string, such as "19.90"', type: 'decimal_type' },
 * //  { loc: ['authorId'], msg: 'Field required', type: 'missing' }]
 * ```
 */
export function validateInput(model: AnyModel, data: unknown, options: ValidateOptions = {}): FieldError[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return [{ loc: [], msg: 'Input should be an object', type: 'model_type' }];
  const input = data as Record<string, unknown>;
  const errors: FieldError[] = [];
  const accepted = new Set<string>();
  for (const field of model.meta.concreteFields) {
    const key = field.attribute;
    if (!isWritable(field) || (options.partial && field.primaryKey)) continue;
    accepted.add(key);
    const value = input[key];
    if (value === undefined) {
      if (!options.partial && !isOptionalOnCreate(field))
        errors.push({ loc: [key], msg: 'Field required', type: 'missing' });
      continue;
    }
    for (const issue of field.check(value)) errors.push({ loc: [key], ...issue });
  }
  for (const key of Object.keys(input)) {
    if (accepted.has(key)) continue;
    const field = model.meta.fields.find((f) => f.attribute === key || f.name === key);
    if (field && field.attribute === key)
      errors.push({ loc: [key], msg: 'Field cannot be set', type: 'read_only' });
    else if (field?.attribute)
      errors.push({
        loc: [key],
        msg: `Extra inputs are not permitted; did you mean '${field.attribute}'?`,
        type: 'extra_forbidden',
      });
    else errors.push({ loc: [key], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' });
  }
  return errors;
}
