/**
 * Operations on one field: add, remove, alter, rename.
 */
import type { AnyField } from '../../fields/field.ts';
import type { CheckSpec } from '../../meta.ts';
import { deconstruct, reconstruct, withOptions } from '../deconstruct.ts';
import { ProjectState } from '../state.ts';
import type { MutableProjectState, ProjectStateLike, SchemaEditorLike } from '../types.ts';
import {
  checkField,
  checkLabel,
  checkName,
  MigrationOperation,
  modelName,
  OperationError,
  requireField,
  requireModel,
  snake,
  stateField,
  updateModel,
} from './base.ts';

/** Options of `op.addField`. */
export interface AddFieldOptions {
  /**
   * `false`: the field's default is a one-off value for the rows that exist when the column is
   * added; the model keeps no default afterwards (what `makemigrations` writes when you type
   * a value for a new non-nullable field).
   */
  preserveDefault?: boolean;
}

/** The field without its default (for `preserveDefault: false`). */
function withoutDefault(field: AnyField, owner: string): AnyField {
  return reconstruct(withOptions(deconstruct(field, owner), ({ default: _dropped, ...rest }) => rest));
}

/** `op.addField(label, name, field, options?)`: a new column (or join table, for a many-to-many). */
export class AddField extends MigrationOperation {
  readonly type = 'addField';
  readonly label: string;
  readonly name: string;
  readonly field: AnyField;
  readonly preserveDefault: boolean;

  constructor(label: string, name: string, field: AnyField, options: AddFieldOptions = {}) {
    super();
    this.label = checkLabel(this.type, label);
    this.name = checkName(this.type, name);
    this.field = checkField(this.type, field);
    this.preserveDefault = options.preserveDefault ?? true;
    if (!this.preserveDefault && !field.hasDefault)
      throw new OperationError(
        `op.addField(): preserveDefault: false needs a field with a default (the one-off value)`,
      );
  }

  get args(): readonly unknown[] {
    return this.preserveDefault
      ? [this.label, this.name, this.field]
      : [this.label, this.name, this.field, { preserveDefault: false }];
  }

  describe(): string {
    return `Add field ${this.name} to ${this.label}`;
  }

  nameFragment(): string {
    return `add_${snake(modelName(this.label))}_${snake(this.name)}`;
  }

  stateForwards(state: MutableProjectState): void {
    updateModel(state, this.label, this.type, (fields) => {
      if (fields.has(this.name))
        throw new OperationError(
          `addField: ${this.label} already has a field '${this.name}' at this point of the migrations`,
        );
      fields.set(
        this.name,
        this.preserveDefault ? stateField(this.field, this.label) : withoutDefault(this.field, this.label),
      );
      return undefined;
    });
  }

  /** The state after the operation, with the one-off default when the model keeps none. */
  #withDefault(to: ProjectStateLike): ProjectStateLike {
    if (this.preserveDefault || !(to instanceof ProjectState)) return to;
    const copy = to.clone();
    updateModel(copy, this.label, this.type, (fields) => {
      fields.set(this.name, stateField(this.field, this.label));
      return undefined;
    });
    return copy;
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    _from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    const withDefault = this.#withDefault(to);
    const model = withDefault.model(this.label);
    await editor.addField(model, model.meta.field(this.name));
    // The one-off value filled the existing rows; the column keeps no default, as the model.
    if (withDefault !== to) {
      const after = to.model(this.label);
      await editor.alterField(model, model.meta.field(this.name), after, after.meta.field(this.name));
    }
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    _to: ProjectStateLike,
  ): Promise<void> {
    const model = from.model(this.label);
    await editor.removeField(model, model.meta.field(this.name));
  }
}

/** `op.removeField(label, name)`: drops the column. Reversible in schema only: its values are gone. */
export class RemoveField extends MigrationOperation {
  readonly type = 'removeField';
  readonly label: string;
  readonly name: string;

  constructor(label: string, name: string) {
    super();
    this.label = checkLabel(this.type, label);
    this.name = checkName(this.type, name);
  }

  get args(): readonly unknown[] {
    return [this.label, this.name];
  }

  describe(): string {
    return `Remove field ${this.name} from ${this.label}`;
  }

  nameFragment(): string {
    return `remove_${snake(modelName(this.label))}_${snake(this.name)}`;
  }

  stateForwards(state: MutableProjectState): void {
    updateModel(state, this.label, this.type, (fields) => {
      requireField(requireModel(state, this.label, this.type), this.name, this.type);
      fields.delete(this.name);
      return undefined;
    });
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    _to: ProjectStateLike,
  ): Promise<void> {
    const model = from.model(this.label);
    await editor.removeField(model, model.meta.field(this.name));
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    _from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    const model = to.model(this.label);
    await editor.addField(model, model.meta.field(this.name));
  }
}

/** `op.alterField(label, name, field)`: the field becomes `field` (type, null, default, unique, index, column, target). */
export class AlterField extends MigrationOperation {
  readonly type = 'alterField';
  readonly label: string;
  readonly name: string;
  readonly field: AnyField;

  constructor(label: string, name: string, field: AnyField) {
    super();
    this.label = checkLabel(this.type, label);
    this.name = checkName(this.type, name);
    this.field = checkField(this.type, field);
  }

  get args(): readonly unknown[] {
    return [this.label, this.name, this.field];
  }

  describe(): string {
    return `Alter field ${this.name} on ${this.label}`;
  }

  nameFragment(): string {
    return `alter_${snake(modelName(this.label))}_${snake(this.name)}`;
  }

  stateForwards(state: MutableProjectState): void {
    updateModel(state, this.label, this.type, (fields) => {
      requireField(requireModel(state, this.label, this.type), this.name, this.type);
      fields.set(this.name, stateField(this.field, this.label));
      return undefined;
    });
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    const before = from.model(this.label);
    const after = to.model(this.label);
    await editor.alterField(before, before.meta.field(this.name), after, after.meta.field(this.name));
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await this.databaseForwards(editor, from, to);
  }
}

/** A field name in an ordering, index or uniqueTogether entry (`-name` kept descending). */
function renamed(entry: string, from: string, to: string): string {
  if (entry === from) return to;
  if (entry === `-${from}`) return `-${to}`;
  return entry;
}

/**
 * `op.renameField(label, oldName, newName)`: the field's new name; its column is renamed
 * when the column comes from the name. Ordering, indexes, uniqueTogether and checks follow.
 */
export class RenameField extends MigrationOperation {
  readonly type = 'renameField';
  readonly label: string;
  readonly oldName: string;
  readonly newName: string;

  constructor(label: string, oldName: string, newName: string) {
    super();
    this.label = checkLabel(this.type, label);
    this.oldName = checkName(this.type, oldName);
    this.newName = checkName(this.type, newName);
  }

  get args(): readonly unknown[] {
    return [this.label, this.oldName, this.newName];
  }

  describe(): string {
    return `Rename field ${this.oldName} on ${this.label} to ${this.newName}`;
  }

  nameFragment(): string {
    return `rename_${snake(modelName(this.label))}_${snake(this.oldName)}_${snake(this.newName)}`;
  }

  stateForwards(state: MutableProjectState): void {
    const { oldName: from, newName: to } = this;
    updateModel(state, this.label, this.type, (fields, options) => {
      requireField(requireModel(state, this.label, this.type), from, this.type);
      if (fields.has(to))
        throw new OperationError(
          `renameField: ${this.label} already has a field '${to}' at this point of the migrations`,
        );
      const entries = [...fields].map(([name, field]) => [name === from ? to : name, field] as const);
      fields.clear();
      for (const [name, field] of entries) fields.set(name, field);
      return {
        ...options,
        ...(options.ordering ? { ordering: options.ordering.map((e) => renamed(e, from, to)) } : {}),
        ...(options.indexes
          ? {
              indexes: options.indexes.map((i) => ({
                ...i,
                fields: i.fields.map((e) => renamed(e, from, to)),
              })),
            }
          : {}),
        ...(options.uniqueTogether
          ? { uniqueTogether: options.uniqueTogether.map((set) => set.map((e) => renamed(e, from, to))) }
          : {}),
        ...(options.checks
          ? {
              checks: options.checks.map((check): CheckSpec => {
                if (!('where' in check)) return check;
                const where = Object.fromEntries(
                  Object.entries(check.where).map(([name, condition]) => [
                    name === from ? to : name,
                    condition,
                  ]),
                );
                return { ...check, where };
              }),
            }
          : {}),
      };
    });
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    const before = from.model(this.label);
    const after = to.model(this.label);
    await editor.alterField(before, before.meta.field(this.oldName), after, after.meta.field(this.newName));
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    const before = from.model(this.label);
    const after = to.model(this.label);
    await editor.alterField(before, before.meta.field(this.newName), after, after.meta.field(this.oldName));
  }
}
