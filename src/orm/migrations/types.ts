/**
 * The contracts between the parts of the migration system: operations (what a migration file
 * lists), the project state (the models as the migrations so far describe them), the schema
 * editor (the DDL of one change, per dialect) and the executor (which applies migrations).
 *
 * A migration file is readable TypeScript:
 *
 * ```ts
 * import { f, migration, op } from 'voltjs/orm';
 *
 * export default migration({
 *   dependencies: ['library/0001_initial'],
 *   operations: [
 *     op.addField('library.Book', 'isbn', f.string({ maxLength: 13, default: '' })),
 *     op.renameField('library.Book', 'title', 'name'),
 *   ],
 * });
 * ```
 */
import type { Database } from '../database.ts';
import type { AnyField } from '../fields/field.ts';
import type { CheckSpec, IndexSpec } from '../meta.ts';
import type { AnyModel } from '../model.ts';
import type { Registry } from '../registry.ts';

/** A migration's id: `<app>/<name>`, e.g. `library/0001_initial`. */
export type MigrationId = `${string}/${string}`;

/** The model options a migration records (everything `model()` takes but `registry`). */
export interface ModelStateOptions {
  table?: string;
  ordering?: readonly string[];
  indexes?: readonly IndexSpec[];
  uniqueTogether?: readonly (readonly string[])[];
  checks?: readonly CheckSpec[];
  verboseName?: string;
  verboseNamePlural?: string;
}

/**
 * One model as the migrations describe it. `fields` are unbound declarations (as `f.*` builds
 * them), in order; relations name their targets by label (`'library.Author'`), never by function,
 * so the state's models resolve in the state's own registry.
 */
export interface ModelState {
  readonly label: string;
  readonly fields: ReadonlyMap<string, AnyField>;
  readonly options: ModelStateOptions;
}

/** The models at one point of the migration history. */
export interface ProjectStateLike {
  readonly models: ReadonlyMap<string, ModelState>;
  /**
   * Models built from this state in a registry of their own (historical models): what the
   * schema editor and data migrations work with. Built once per state and cached.
   */
  registry(): Registry;
  /** The historical model labelled `label`; throws naming the known labels. */
  model(label: string): AnyModel;
}

/**
 * The DDL of each change on one dialect. Every method takes historical models (from a state's
 * registry). Statements run on `db` (the migration's transaction), or are only collected when
 * the editor was made for `sqlmigrate`.
 */
export interface SchemaEditorLike {
  readonly db: Database;
  readonly dialect: Database['dialect'];
  /** Runs (or collects) one statement. Parameters only for data migrations' SQL. */
  execute(sql: string, params?: readonly unknown[]): Promise<void>;
  createModel(model: AnyModel): Promise<void>;
  deleteModel(model: AnyModel): Promise<void>;
  /** Renames the table (and the join tables of its many-to-manys). */
  alterTable(from: AnyModel, to: AnyModel): Promise<void>;
  addField(model: AnyModel, field: AnyField): Promise<void>;
  removeField(model: AnyModel, field: AnyField): Promise<void>;
  /**
   * Any change of one field: type, null, default, unique, index, column name, relation target.
   * SQLite rebuilds the table (data and foreign keys kept); PostgreSQL alters in place.
   */
  alterField(from: AnyModel, fromField: AnyField, to: AnyModel, toField: AnyField): Promise<void>;
  addIndex(model: AnyModel, index: IndexSpec & { readonly name: string }): Promise<void>;
  removeIndex(model: AnyModel, index: IndexSpec & { readonly name: string }): Promise<void>;
  addCheck(model: AnyModel, check: CheckSpec): Promise<void>;
  removeCheck(model: AnyModel, check: CheckSpec): Promise<void>;
  alterUniqueTogether(
    model: AnyModel,
    from: readonly (readonly string[])[],
    to: readonly (readonly string[])[],
  ): Promise<void>;
}

/** What a data migration's code receives. */
export interface RunCodeContext {
  /** The migration's transaction. */
  readonly db: Database;
  /** The models as they are at this point of the history: `query(db, models.model('library.Book'))`. */
  readonly models: ProjectStateLike;
}

/** One step of a migration. */
export interface Operation {
  /** The builder's name: `createModel`, `addField`, … */
  readonly type: string;
  /** One line for `showmigrations`/`sqlmigrate`/`makemigrations`: `Add field isbn to library.Book`. */
  describe(): string;
  /** `false` when the operation cannot be undone (migrating back past it fails, naming it). */
  readonly reversible: boolean;
  /** The models after this operation; `state` is a fresh copy the operation may change. */
  stateForwards(state: MutableProjectState): void;
  databaseForwards(editor: SchemaEditorLike, from: ProjectStateLike, to: ProjectStateLike): Promise<void>;
  databaseBackwards(editor: SchemaEditorLike, from: ProjectStateLike, to: ProjectStateLike): Promise<void>;
}

/** A state an operation changes in `stateForwards`. */
export interface MutableProjectState extends ProjectStateLike {
  readonly models: Map<string, ModelState>;
}

/** What a migration file's default export holds. */
export interface MigrationDefinition {
  /** Migrations that must be applied first (`'library/0001_initial'`). */
  readonly dependencies?: readonly MigrationId[];
  readonly operations: readonly Operation[];
  /** `false` to run outside one transaction (PostgreSQL `create index concurrently`). Default `true`. */
  readonly atomic?: boolean;
}

/** A migration as the loader found it. */
export interface LoadedMigration extends MigrationDefinition {
  readonly id: MigrationId;
  readonly app: string;
  /** The file name without extension: `0002_book_isbn`. */
  readonly name: string;
  /** The file it was loaded from. */
  readonly file: string;
}
