/**
 * Operations on whole models: create, delete, rename, and the table name and options.
 */
import type { AnyField } from '../../fields/field.ts';
import { modelState } from '../state.ts';
import type { ModelStateOptions, MutableProjectState, ProjectStateLike, SchemaEditorLike } from '../types.ts';
import {
  checkField,
  checkLabel,
  checkName,
  MigrationOperation,
  modelName,
  OperationError,
  requireModel,
  retarget,
  snake,
  stateField,
  updateModel,
} from './base.ts';

/** The options `op.createModel` accepts (the model options, without `registry`). */
export type CreateModelOptions = ModelStateOptions;

/** The options `op.alterModelOptions` changes: they affect queries and labels, not the database. */
export interface AlterableModelOptions {
  ordering?: readonly string[];
  verboseName?: string;
  verboseNamePlural?: string;
}

const MODEL_OPTIONS = new Set([
  'table',
  'ordering',
  'indexes',
  'uniqueTogether',
  'checks',
  'verboseName',
  'verboseNamePlural',
]);
const ALTERABLE = new Set(['ordering', 'verboseName', 'verboseNamePlural']);

function checkOptions(type: string, options: unknown, allowed: Set<string>): Record<string, unknown> {
  if (options === undefined) return {};
  if (!options || typeof options !== 'object' || Array.isArray(options))
    throw new OperationError(`op.${type}(): the options must be an object`);
  for (const key of Object.keys(options))
    if (!allowed.has(key))
      throw new OperationError(
        `op.${type}(): unknown option '${key}'; the options are: ${[...allowed].join(', ')}`,
      );
  return options as Record<string, unknown>;
}

/** `op.createModel(label, fields, options?)`: a new table (and its many-to-many join tables). */
export class CreateModel extends MigrationOperation {
  readonly type = 'createModel';
  readonly label: string;
  readonly fields: Readonly<Record<string, AnyField>>;
  readonly options: CreateModelOptions;

  constructor(label: string, fields: Record<string, AnyField>, options?: CreateModelOptions) {
    super();
    this.label = checkLabel(this.type, label);
    if (!fields || typeof fields !== 'object')
      throw new OperationError(`op.createModel(): the fields of ${label} must be an object of f fields`);
    for (const [name, field] of Object.entries(fields)) {
      checkName(this.type, name);
      checkField(this.type, field);
    }
    this.fields = Object.freeze({ ...fields });
    this.options = Object.freeze(checkOptions(this.type, options, MODEL_OPTIONS)) as CreateModelOptions;
  }

  get args(): readonly unknown[] {
    return Object.keys(this.options).length
      ? [this.label, this.fields, this.options]
      : [this.label, this.fields];
  }

  describe(): string {
    return `Create model ${this.label}`;
  }

  nameFragment(): string {
    return `create_${snake(modelName(this.label))}`;
  }

  stateForwards(state: MutableProjectState): void {
    if (state.models.has(this.label))
      throw new OperationError(
        `createModel: the model ${this.label} already exists at this point of the migrations`,
      );
    const fields = new Map(
      Object.entries(this.fields).map(([name, field]) => [name, stateField(field, this.label)]),
    );
    state.models.set(this.label, modelState(this.label, fields, this.options));
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    _from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await editor.createModel(to.model(this.label));
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    _to: ProjectStateLike,
  ): Promise<void> {
    await editor.deleteModel(from.model(this.label));
  }
}

/** `op.deleteModel(label)`: drops the table. Reversible in schema only: its rows are gone. */
export class DeleteModel extends MigrationOperation {
  readonly type = 'deleteModel';
  readonly label: string;

  constructor(label: string) {
    super();
    this.label = checkLabel(this.type, label);
  }

  get args(): readonly unknown[] {
    return [this.label];
  }

  describe(): string {
    return `Delete model ${this.label}`;
  }

  nameFragment(): string {
    return `delete_${snake(modelName(this.label))}`;
  }

  stateForwards(state: MutableProjectState): void {
    requireModel(state, this.label, this.type);
    state.models.delete(this.label);
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    _to: ProjectStateLike,
  ): Promise<void> {
    await editor.deleteModel(from.model(this.label));
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    _from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await editor.createModel(to.model(this.label));
  }
}

/**
 * `op.renameModel(oldLabel, newLabel)`: the model gets a new name in the same app; relations
 * pointing at it follow. The table is renamed when its name comes from the model name.
 */
export class RenameModel extends MigrationOperation {
  readonly type = 'renameModel';
  readonly oldLabel: string;
  readonly newLabel: string;

  constructor(oldLabel: string, newLabel: string) {
    super();
    this.oldLabel = checkLabel(this.type, oldLabel);
    this.newLabel = checkLabel(this.type, newLabel);
  }

  get args(): readonly unknown[] {
    return [this.oldLabel, this.newLabel];
  }

  describe(): string {
    return `Rename model ${this.oldLabel} to ${this.newLabel}`;
  }

  nameFragment(): string {
    return `rename_${snake(modelName(this.oldLabel))}_${snake(modelName(this.newLabel))}`;
  }

  stateForwards(state: MutableProjectState): void {
    const current = requireModel(state, this.oldLabel, this.type);
    if (state.models.has(this.newLabel))
      throw new OperationError(
        `renameModel: a model ${this.newLabel} already exists at this point of the migrations`,
      );
    // Rebuild the map so the model keeps its place in the order.
    const entries = [...state.models].map(([label, model]) =>
      label === this.oldLabel
        ? ([this.newLabel, modelState(this.newLabel, model.fields, current.options)] as const)
        : ([label, model] as const),
    );
    state.models.clear();
    for (const [label, model] of entries) state.models.set(label, model);
    retarget(state, this.oldLabel, this.newLabel);
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await editor.alterTable(from.model(this.oldLabel), to.model(this.newLabel));
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await editor.alterTable(from.model(this.newLabel), to.model(this.oldLabel));
  }
}

/** `op.alterModelTable(label, table)`: renames the table (`null` goes back to the default name). */
export class AlterModelTable extends MigrationOperation {
  readonly type = 'alterModelTable';
  readonly label: string;
  readonly table: string | null;

  constructor(label: string, table: string | null) {
    super();
    this.label = checkLabel(this.type, label);
    if (table !== null && (typeof table !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/u.test(table)))
      throw new OperationError(
        `op.alterModelTable(): ${JSON.stringify(table)} is not a table name (letters, digits and _), or null for the default`,
      );
    this.table = table;
  }

  get args(): readonly unknown[] {
    return [this.label, this.table];
  }

  describe(): string {
    return this.table === null
      ? `Rename the table of ${this.label} to its default name`
      : `Rename the table of ${this.label} to ${this.table}`;
  }

  nameFragment(): string {
    return `alter_${snake(modelName(this.label))}_table`;
  }

  stateForwards(state: MutableProjectState): void {
    updateModel(state, this.label, this.type, (_fields, options) => {
      const next: Record<string, unknown> = { ...options };
      if (this.table === null) delete next.table;
      else next.table = this.table;
      return next;
    });
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await editor.alterTable(from.model(this.label), to.model(this.label));
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await editor.alterTable(from.model(this.label), to.model(this.label));
  }
}

/** `op.alterModelOptions(label, options)`: ordering and names; no SQL. Absent keys go back to their default. */
export class AlterModelOptions extends MigrationOperation {
  readonly type = 'alterModelOptions';
  readonly label: string;
  readonly options: AlterableModelOptions;

  constructor(label: string, options: AlterableModelOptions) {
    super();
    this.label = checkLabel(this.type, label);
    this.options = Object.freeze(checkOptions(this.type, options, ALTERABLE)) as AlterableModelOptions;
  }

  get args(): readonly unknown[] {
    return [this.label, this.options];
  }

  describe(): string {
    return `Change the options of ${this.label}`;
  }

  nameFragment(): string {
    return `alter_${snake(modelName(this.label))}_options`;
  }

  stateForwards(state: MutableProjectState): void {
    updateModel(state, this.label, this.type, (_fields, options) => {
      const next: Record<string, unknown> = { ...options };
      for (const key of ALTERABLE) delete next[key];
      return { ...next, ...this.options };
    });
  }

  async databaseForwards(): Promise<void> {}

  async databaseBackwards(): Promise<void> {}
}
