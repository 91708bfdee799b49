/**
 * `op`: the operations a migration file lists.
 *
 * @example
 * ```ts
 * import { f, migration, op } from 'voltjs/orm';
 *
 * export default migration({
 *   dependencies: ['library/0001_initial'],
 *   operations: [op.addField('library.Book', 'isbn', f.string({ maxLength: 13, default: '' }))],
 * });
 * ```
 */
import type { AnyField } from '../../fields/field.ts';
import type { CheckSpec } from '../../meta.ts';
import {
  AddCheck,
  AddIndex,
  AlterUniqueTogether,
  type NamedIndex,
  RemoveCheck,
  RemoveIndex,
} from './constraints.ts';
import { AddField, type AddFieldOptions, AlterField, RemoveField, RenameField } from './fields.ts';
import {
  type AlterableModelOptions,
  AlterModelOptions,
  AlterModelTable,
  CreateModel,
  type CreateModelOptions,
  DeleteModel,
  RenameModel,
} from './models.ts';
import { RunCode, type RunCodeOptions, RunSql, type RunSqlOptions } from './special.ts';

export { MigrationOperation, OperationError } from './base.ts';
export * from './constraints.ts';
export * from './fields.ts';
export * from './models.ts';
export * from './special.ts';

/** The operation builders. Each checks its arguments and throws an `OperationError` naming the mistake. */
export const op = {
  /** A new model and its table: `op.createModel('library.Tag', { name: f.string({ maxLength: 50 }) })`. */
  createModel(label: string, fields: Record<string, AnyField>, options?: CreateModelOptions): CreateModel {
    return new CreateModel(label, fields, options);
  },
  /** Drops a model's table (its rows are lost; undoing recreates an empty table). */
  deleteModel(label: string): DeleteModel {
    return new DeleteModel(label);
  },
  /** Renames a model in its app (`'library.Book'`, `'library.Novel'`); relations to it follow. */
  renameModel(oldLabel: string, newLabel: string): RenameModel {
    return new RenameModel(oldLabel, newLabel);
  },
  /** Adds a field. `{ preserveDefault: false }`: the default only fills the existing rows. */
  addField(label: string, name: string, field: AnyField, options?: AddFieldOptions): AddField {
    return new AddField(label, name, field, options);
  },
  /** Drops a field's column (its values are lost; undoing recreates an empty column). */
  removeField(label: string, name: string): RemoveField {
    return new RemoveField(label, name);
  },
  /** Changes a field to `field` (type, null, default, unique, index, column, target). */
  alterField(label: string, name: string, field: AnyField): AlterField {
    return new AlterField(label, name, field);
  },
  /** Renames a field (and its column, when the column comes from the name). */
  renameField(label: string, oldName: string, newName: string): RenameField {
    return new RenameField(label, oldName, newName);
  },
  /** Adds a named index: `op.addIndex('library.Book', { name: 'book_title_idx', fields: ['title'] })`. */
  addIndex(label: string, index: NamedIndex): AddIndex {
    return new AddIndex(label, index);
  },
  /** Drops the index `name`. */
  removeIndex(label: string, name: string): RemoveIndex {
    return new RemoveIndex(label, name);
  },
  /** Adds a check constraint. */
  addCheck(label: string, check: CheckSpec): AddCheck {
    return new AddCheck(label, check);
  },
  /** Drops the check `name`. */
  removeCheck(label: string, name: string): RemoveCheck {
    return new RemoveCheck(label, name);
  },
  /** The model's unique-together sets become `sets`. */
  alterUniqueTogether(label: string, sets: readonly (readonly string[])[]): AlterUniqueTogether {
    return new AlterUniqueTogether(label, sets);
  },
  /** Ordering and human names (no SQL). Keys left out go back to their defaults. */
  alterModelOptions(label: string, options: AlterableModelOptions): AlterModelOptions {
    return new AlterModelOptions(label, options);
  },
  /** Renames the model's table (`null`: back to the default name). */
  alterModelTable(label: string, table: string | null): AlterModelTable {
    return new AlterModelTable(label, table);
  },
  /** Raw SQL, run as written. Irreversible without `backward`. */
  runSql(options: RunSqlOptions): RunSql {
    return new RunSql(options);
  },
  /** Code with the historical models (`ctx.models.model('library.Book')`). Irreversible without `backward`. */
  runCode(options: RunCodeOptions): RunCode {
    return new RunCode(options);
  },
};
