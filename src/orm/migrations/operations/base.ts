/**
 * What every operation shares, and the state edits several of them make.
 *
 * The two database methods follow the direction of travel, as Django's do:
 * `databaseForwards(editor, from, to)` gets the state before the operation and the state after
 * it; `databaseBackwards(editor, from, to)` gets the state after it (where the database is) and
 * the state before it (where it goes back to).
 */
import type { AnyField } from '../../fields/field.ts';
import { deconstruct, reconstruct, retargeted, withOptions } from '../deconstruct.ts';
import { MigrationStateError, modelState } from '../state.ts';
import type {
  ModelState,
  ModelStateOptions,
  MutableProjectState,
  Operation,
  ProjectStateLike,
  SchemaEditorLike,
} from '../types.ts';

/**
 * An operation as `op` builds it: its builder name and arguments are kept, so a migration can
 * be written back as the same `op.<type>(…)` call.
 */
export abstract class MigrationOperation implements Operation {
  abstract readonly type: string;
  /** The arguments of the `op` call that built it, in order. */
  abstract readonly args: readonly unknown[];
  readonly reversible: boolean = true;

  abstract describe(): string;
  abstract stateForwards(state: MutableProjectState): void;
  abstract databaseForwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void>;
  abstract databaseBackwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void>;

  /** A short snake_case fragment for a migration's name (`add_book_isbn`). */
  abstract nameFragment(): string;
}

/** An error in how an operation was written (a bad label or argument), thrown when `op` builds it. */
export class OperationError extends Error {
  override readonly name = 'OperationError';
  /** Stable code: `VOLT_MIGRATION_OPERATION`. */
  readonly code = 'VOLT_MIGRATION_OPERATION';
}

const LABEL = /^[a-z][a-z0-9_]*\.[A-Z][A-Za-z0-9]*$/u;
const NAME = /^[a-zA-Z][a-zA-Z0-9]*$/u;

/** Checks a model label argument (`library.Book`). */
export function checkLabel(type: string, label: unknown): string {
  if (typeof label !== 'string' || !LABEL.test(label))
    throw new OperationError(
      `op.${type}(): ${JSON.stringify(label)} is not a model label; write 'app.Model', like 'library.Book'`,
    );
  return label;
}

/** Checks a field name argument (`title`). */
export function checkName(type: string, name: unknown, what = 'field name'): string {
  if (typeof name !== 'string' || !NAME.test(name))
    throw new OperationError(
      `op.${type}(): ${JSON.stringify(name)} is not a ${what} (letters and digits, like 'isbn')`,
    );
  return name;
}

/** Checks a field argument (built with `f`). */
export function checkField(type: string, field: unknown): AnyField {
  if (!field || typeof field !== 'object' || typeof (field as AnyField).bind !== 'function')
    throw new OperationError(
      `op.${type}(): the field must be built with f, like f.string({ maxLength: 100 })`,
    );
  if ((field as AnyField).kind === 'auto')
    throw new OperationError(`op.${type}(): the auto id field is implicit and cannot be listed`);
  return field as AnyField;
}

/**
 * The field as the state keeps it: relation targets as full labels. A many-to-many to its own
 * model that does not say `symmetrical` was written before such relations were symmetrical by
 * default (`makemigrations` now always writes it): it is one-way, as it was when written.
 */
export function stateField(field: AnyField, owner: string): AnyField {
  const d = deconstruct(field, owner);
  if (field.kind === 'manyToMany' && d.args[0] === owner && field.declaredOptions.symmetrical === undefined)
    return reconstruct(withOptions(d, (options) => ({ ...options, symmetrical: false })));
  return reconstruct(d);
}

/** The `app.Model` → `Model` of a label. */
export function modelName(label: string): string {
  return label.slice(label.indexOf('.') + 1);
}

/** `BookTag` → `book_tag`, for migration names. */
export function snake(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/gu, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/gu, '$1_$2')
    .toLowerCase();
}

/** The model state `label`, or an error naming the operation and the known models. */
export function requireModel(state: ProjectStateLike, label: string, type: string): ModelState {
  const found = state.models.get(label);
  if (found) return found;
  const known = [...state.models.keys()];
  throw new MigrationStateError(
    `${type}: there is no model '${label}' at this point of the migrations` +
      (known.length ? ` (models: ${known.join(', ')})` : ' (there are no models yet)'),
  );
}

/** The field `name` of a model state, or an error naming the fields. */
export function requireField(model: ModelState, name: string, type: string): AnyField {
  const found = model.fields.get(name);
  if (found) return found;
  throw new MigrationStateError(
    `${type}: ${model.label} has no field '${name}' at this point of the migrations (fields: ${[...model.fields.keys()].join(', ') || 'none'})`,
  );
}

/** Puts a changed copy of the model `label` in the state. */
export function updateModel(
  state: MutableProjectState,
  label: string,
  type: string,
  change: (fields: Map<string, AnyField>, options: ModelStateOptions) => ModelStateOptions | undefined,
): void {
  const current = requireModel(state, label, type);
  const fields = new Map(current.fields);
  const options = change(fields, { ...current.options }) ?? current.options;
  state.models.set(label, modelState(label, fields, options));
}

/**
 * Rewrites every relation in the state whose target or join model is `from` to point at
 * `to` (a renamed model).
 */
export function retarget(state: MutableProjectState, from: string, to: string): void {
  for (const [label, model] of state.models) {
    let changed = false;
    const fields = new Map<string, AnyField>();
    for (const [name, field] of model.fields) {
      const d = deconstruct(field, label);
      const next = retargeted(d, from, to);
      if (next !== d) changed = true;
      fields.set(name, next === d ? field : reconstruct(next));
    }
    if (changed) state.models.set(label, modelState(label, fields, model.options));
  }
}
