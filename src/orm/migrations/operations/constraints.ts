/**
 * Operations on a model's indexes, checks and unique-together sets.
 */
import type { CheckSpec, IndexSpec } from '../../meta.ts';
import type { AnyModel } from '../../model.ts';
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

/**
 * Indexes and checks are both named entries of a model, added and removed by name; what the
 * four operations on them differ in is the option they edit and the DDL they run.
 */
interface NamedEntries<T extends { readonly name: string }> {
  /** `index` or `check`, with its article (`an index`), for messages. */
  readonly noun: string;
  readonly article: string;
  /** The model option (and `meta` property) that lists them. */
  readonly option: 'indexes' | 'checks';
  of(model: AnyModel): readonly T[];
  create(editor: SchemaEditorLike, model: AnyModel, entry: T): Promise<void>;
  drop(editor: SchemaEditorLike, model: AnyModel, entry: T): Promise<void>;
}

const INDEXES: NamedEntries<NamedIndex> = {
  noun: 'index',
  article: 'an',
  option: 'indexes',
  of: (model) => model.meta.indexes,
  create: (editor, model, index) => editor.addIndex(model, index),
  drop: (editor, model, index) => editor.removeIndex(model, index),
};

const CHECKS: NamedEntries<CheckSpec> = {
  noun: 'check',
  article: 'a',
  option: 'checks',
  of: (model) => model.meta.checks,
  create: (editor, model, check) => editor.addCheck(model, check),
  drop: (editor, model, check) => editor.removeCheck(model, check),
};

function entryNames(entries: readonly { readonly name?: string }[]): string {
  return entries.map((e) => e.name).join(', ') || 'none';
}

/**
 * Runs `kind.create` or `kind.drop` for the entry `name` as the model `label` has it in
 * `state`, or throws an error naming the model's entries.
 */
async function entryDdl<T extends { readonly name: string }>(
  kind: NamedEntries<T>,
  action: 'create' | 'drop',
  editor: SchemaEditorLike,
  state: ProjectStateLike,
  label: string,
  name: string,
  type: string,
): Promise<void> {
  const model = state.model(label);
  const entry = kind.of(model).find((e) => e.name === name);
  if (!entry)
    throw new OperationError(
      `${type}: ${label} has no ${kind.noun} '${name}' (${kind.option}: ${entryNames(kind.of(model))})`,
    );
  await kind[action](editor, model, entry);
}

/**
 * `addIndex` and `addCheck`: the entry joins the model's list (its name must be new) and is
 * created as the state after the operation has it.
 */
abstract class AddEntry<T extends { readonly name: string }> extends MigrationOperation {
  abstract readonly label: string;
  protected abstract readonly kind: NamedEntries<T>;
  protected abstract readonly entry: T;

  stateForwards(state: MutableProjectState): void {
    const { kind, label, type, entry } = this;
    updateModel(state, label, type, (_fields, options) => {
      const entries = options[kind.option] ?? [];
      if (entries.some((e) => e.name === entry.name))
        throw new OperationError(
          `${type}: ${label} already has ${kind.article} ${kind.noun} '${entry.name}'`,
        );
      return { ...options, [kind.option]: [...entries, entry] };
    });
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    _from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await entryDdl(this.kind, 'create', editor, to, this.label, this.entry.name, this.type);
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    _to: ProjectStateLike,
  ): Promise<void> {
    await entryDdl(this.kind, 'drop', editor, from, this.label, this.entry.name, this.type);
  }
}

/**
 * `removeIndex` and `removeCheck`: the entry `name` (which must exist) leaves the model's
 * list and is dropped as the state before the operation has it.
 */
abstract class RemoveEntry<T extends { readonly name: string }> extends MigrationOperation {
  readonly label: string;
  readonly name: string;
  protected abstract readonly kind: NamedEntries<T>;

  constructor(type: string, label: string, name: string) {
    super();
    this.label = checkLabel(type, label);
    this.name = checkIndexName(type, name);
  }

  get args(): readonly unknown[] {
    return [this.label, this.name];
  }

  describe(): string {
    return `Remove ${this.kind.noun} ${this.name} from ${this.label}`;
  }

  nameFragment(): string {
    return `remove_${snake(modelName(this.label))}_${this.name.toLowerCase()}`;
  }

  stateForwards(state: MutableProjectState): void {
    const { kind, label, type, name } = this;
    updateModel(state, label, type, (_fields, options) => {
      const entries: readonly { readonly name?: string }[] = options[kind.option] ?? [];
      if (!entries.some((e) => e.name === name))
        throw new OperationError(
          `${type}: ${label} has no ${kind.noun} '${name}' (${kind.option}: ${entryNames(entries)})`,
        );
      return { ...options, [kind.option]: entries.filter((e) => e.name !== name) };
    });
  }

  async databaseForwards(
    editor: SchemaEditorLike,
    from: ProjectStateLike,
    _to: ProjectStateLike,
  ): Promise<void> {
    await entryDdl(this.kind, 'drop', editor, from, this.label, this.name, this.type);
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    _from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    await entryDdl(this.kind, 'create', editor, to, this.label, this.name, this.type);
  }
}

/** `op.addIndex(label, { name, fields, unique? })`. */
export class AddIndex extends AddEntry<NamedIndex> {
  readonly type = 'addIndex';
  readonly label: string;
  readonly index: NamedIndex;
  protected readonly kind = INDEXES;

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

  protected get entry(): NamedIndex {
    return this.index;
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
}

/** `op.removeIndex(label, name)`. */
export class RemoveIndex extends RemoveEntry<NamedIndex> {
  readonly type = 'removeIndex';
  protected readonly kind = INDEXES;

  constructor(label: string, name: string) {
    super('removeIndex', label, name);
  }
}

/** `op.addCheck(label, { name, where } | { name, rawSql })`. */
export class AddCheck extends AddEntry<CheckSpec> {
  readonly type = 'addCheck';
  readonly label: string;
  readonly check: CheckSpec;
  protected readonly kind = CHECKS;

  constructor(label: string, check: CheckSpec) {
    super();
    this.label = checkLabel(this.type, label);
    if (!check || typeof check !== 'object' || (!('where' in check) && !('rawSql' in check)))
      throw new OperationError(`op.addCheck(): the check needs a name and a where or a rawSql`);
    checkIndexName(this.type, check.name);
    this.check = Object.freeze({ ...check });
  }

  protected get entry(): CheckSpec {
    return this.check;
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
}

/** `op.removeCheck(label, name)`. */
export class RemoveCheck extends RemoveEntry<CheckSpec> {
  readonly type = 'removeCheck';
  protected readonly kind = CHECKS;

  constructor(label: string, name: string) {
    super('removeCheck', label, name);
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
