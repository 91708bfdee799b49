/**
 * Operations on a model's indexes, checks and unique-together sets.
 */
import type { CheckSpec, IndexSpec } from '../../meta.ts';
import type { MutableProjectState, ProjectStateLike, SchemaEditorLike } from '../types.ts';
import {
  checkLabel,
  MigrationOperation,
  modelName,
  OperationError,
  requireModel,
  snake,
  updateModel,
} from './base.ts';

/** An index as migrations list it: always named, so it can be removed by name. */
export type NamedIndex = IndexSpec & { readonly name: string };

function checkIndexName(type: string, name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/u.test(name))
    throw new OperationError(
      `op.${type}(): ${JSON.stringify(name)} is not an index or check name (letters, digits and _)`,
    );
  return name;
}

/** The index named `name` of a model in `state`, or an error naming its indexes. */
function findIndex(state: ProjectStateLike, label: string, name: string, type: string): NamedIndex {
  const index = state.model(label).meta.indexes.find((i) => i.name === name);
  if (!index) {
    const names = state.model(label).meta.indexes.map((i) => i.name);
    throw new OperationError(
      `${type}: ${label} has no index '${name}' (indexes: ${names.join(', ') || 'none'})`,
    );
  }
  return index;
}

/** `op.addIndex(label, { name, fields, unique? })`. */
export class AddIndex extends MigrationOperation {
  readonly type = 'addIndex';
  readonly label: string;
  readonly index: NamedIndex;

  constructor(label: string, index: NamedIndex) {
    super();
    this.label = checkLabel(this.type, label);
    if (!index || !Array.isArray(index.fields) || index.fields.length === 0)
      throw new OperationError(
        `op.addIndex(): the index needs fields, like { name: 'book_title_idx', fields: ['title'] }`,
      );
    checkIndexName(this.type, index.name);
    this.index = Object.freeze({ ...index, fields: Object.freeze([...index.fields]) });
  }

  get args(): readonly unknown[] {
    return [this.label, this.index];
  }

  describe(): string {
    return `Create index ${this.index.name} on ${this.label} (${this.index.fields.join(', ')})`;
  }

  nameFragment(): string {
    return `${snake(modelName(this.label))}_${this.index.name.toLowerCase()}`;
  }

  stateForwards(state: MutableProjectState): void {
    updateModel(state, this.label, this.type, (_fields, options) => {
      const indexes = options.indexes ?? [];
      if (indexes.some((i) => i.name === this.index.name))
        throw new OperationError(`addIndex: ${this.label} already has an index '${this.index.name}'`);
      return { ...options, indexes: [...indexes, this.index] };
    });
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    _from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await editor.addIndex(to.model(this.label), findIndex(to, this.label, this.index.name, this.type));
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    _to: ProjectStateLike,
  ): Promise<void> {
    await editor.removeIndex(from.model(this.label), findIndex(from, this.label, this.index.name, this.type));
  }
}

/** `op.removeIndex(label, name)`. */
export class RemoveIndex extends MigrationOperation {
  readonly type = 'removeIndex';
  readonly label: string;
  readonly name: string;

  constructor(label: string, name: string) {
    super();
    this.label = checkLabel(this.type, label);
    this.name = checkIndexName(this.type, name);
  }

  get args(): readonly unknown[] {
    return [this.label, this.name];
  }

  describe(): string {
    return `Remove index ${this.name} from ${this.label}`;
  }

  nameFragment(): string {
    return `remove_${snake(modelName(this.label))}_${this.name.toLowerCase()}`;
  }

  stateForwards(state: MutableProjectState): void {
    updateModel(state, this.label, this.type, (_fields, options) => {
      const indexes = options.indexes ?? [];
      if (!indexes.some((i) => i.name === this.name)) {
        const names = indexes.map((i) => i.name);
        throw new OperationError(
          `removeIndex: ${this.label} has no index '${this.name}' (indexes: ${names.join(', ') || 'none'})`,
        );
      }
      return { ...options, indexes: indexes.filter((i) => i.name !== this.name) };
    });
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    _to: ProjectStateLike,
  ): Promise<void> {
    await editor.removeIndex(from.model(this.label), findIndex(from, this.label, this.name, this.type));
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    _from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await editor.addIndex(to.model(this.label), findIndex(to, this.label, this.name, this.type));
  }
}

function findCheck(state: ProjectStateLike, label: string, name: string, type: string): CheckSpec {
  const checks = state.model(label).meta.checks;
  const check = checks.find((c) => c.name === name);
  if (!check)
    throw new OperationError(
      `${type}: ${label} has no check '${name}' (checks: ${checks.map((c) => c.name).join(', ') || 'none'})`,
    );
  return check;
}

/** `op.addCheck(label, { name, where } | { name, rawSql })`. */
export class AddCheck extends MigrationOperation {
  readonly type = 'addCheck';
  readonly label: string;
  readonly check: CheckSpec;

  constructor(label: string, check: CheckSpec) {
    super();
    this.label = checkLabel(this.type, label);
    if (!check || typeof check !== 'object' || (!('where' in check) && !('rawSql' in check)))
      throw new OperationError(`op.addCheck(): the check needs a name and a where or a rawSql`);
    checkIndexName(this.type, check.name);
    this.check = Object.freeze({ ...check });
  }

  get args(): readonly unknown[] {
    return [this.label, this.check];
  }

  describe(): string {
    return `Create check ${this.check.name} on ${this.label}`;
  }

  nameFragment(): string {
    return `${snake(modelName(this.label))}_${this.check.name.toLowerCase()}`;
  }

  stateForwards(state: MutableProjectState): void {
    updateModel(state, this.label, this.type, (_fields, options) => {
      const checks = options.checks ?? [];
      if (checks.some((c) => c.name === this.check.name))
        throw new OperationError(`addCheck: ${this.label} already has a check '${this.check.name}'`);
      return { ...options, checks: [...checks, this.check] };
    });
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    _from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await editor.addCheck(to.model(this.label), findCheck(to, this.label, this.check.name, this.type));
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    _to: ProjectStateLike,
  ): Promise<void> {
    await editor.removeCheck(from.model(this.label), findCheck(from, this.label, this.check.name, this.type));
  }
}

/** `op.removeCheck(label, name)`. */
export class RemoveCheck extends MigrationOperation {
  readonly type = 'removeCheck';
  readonly label: string;
  readonly name: string;

  constructor(label: string, name: string) {
    super();
    this.label = checkLabel(this.type, label);
    this.name = checkIndexName(this.type, name);
  }

  get args(): readonly unknown[] {
    return [this.label, this.name];
  }

  describe(): string {
    return `Remove check ${this.name} from ${this.label}`;
  }

  nameFragment(): string {
    return `remove_${snake(modelName(this.label))}_${this.name.toLowerCase()}`;
  }

  stateForwards(state: MutableProjectState): void {
    updateModel(state, this.label, this.type, (_fields, options) => {
      const checks = options.checks ?? [];
      if (!checks.some((c) => c.name === this.name))
        throw new OperationError(
          `removeCheck: ${this.label} has no check '${this.name}' (checks: ${checks.map((c) => c.name).join(', ') || 'none'})`,
        );
      return { ...options, checks: checks.filter((c) => c.name !== this.name) };
    });
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    _to: ProjectStateLike,
  ): Promise<void> {
    await editor.removeCheck(from.model(this.label), findCheck(from, this.label, this.name, this.type));
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    _from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await editor.addCheck(to.model(this.label), findCheck(to, this.label, this.name, this.type));
  }
}

/** `op.alterUniqueTogether(label, sets)`: the model's unique-together sets become `sets`. */
export class AlterUniqueTogether extends MigrationOperation {
  readonly type = 'alterUniqueTogether';
  readonly label: string;
  readonly sets: readonly (readonly string[])[];

  constructor(label: string, sets: readonly (readonly string[])[]) {
    super();
    this.label = checkLabel(this.type, label);
    if (
      !Array.isArray(sets) ||
      sets.some((set) => !Array.isArray(set) || set.some((n) => typeof n !== 'string'))
    )
      throw new OperationError(
        `op.alterUniqueTogether(): sets must be lists of field names, like [['author', 'title']]`,
      );
    this.sets = Object.freeze(sets.map((set) => Object.freeze([...set])));
  }

  get args(): readonly unknown[] {
    return [this.label, this.sets];
  }

  describe(): string {
    const shown = this.sets.map((set) => `(${set.join(', ')})`).join(', ');
    return `Alter uniqueTogether of ${this.label}: ${shown || 'none'}`;
  }

  nameFragment(): string {
    return `alter_${snake(modelName(this.label))}_unique_together`;
  }

  stateForwards(state: MutableProjectState): void {
    requireModel(state, this.label, this.type);
    updateModel(state, this.label, this.type, (_fields, options) => ({
      ...options,
      uniqueTogether: this.sets,
    }));
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await editor.alterUniqueTogether(
      to.model(this.label),
      from.model(this.label).meta.uniqueTogether,
      to.model(this.label).meta.uniqueTogether,
    );
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await this.databaseForwards(editor, from, to);
  }
}
