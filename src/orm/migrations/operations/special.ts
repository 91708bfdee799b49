/**
 * Data migrations: raw SQL and code. Neither changes the state; each can be undone only when
 * it is given a `backward`.
 */
import type { MutableProjectState, ProjectStateLike, RunCodeContext, SchemaEditorLike } from '../types.ts';
import { MigrationOperation, OperationError } from './base.ts';

/** SQL text: one statement or a list of them. */
export type SqlStatements = string | readonly string[];

/** What `op.runSql` takes. */
export interface RunSqlOptions {
  forward: SqlStatements;
  /** The SQL that undoes `forward`; without it the migration cannot be unapplied. */
  backward?: SqlStatements;
}

/** Data migration code: gets the migration's transaction and the historical models. */
export type RunCodeFunction = (ctx: RunCodeContext) => Promise<void> | void;

/** What `op.runCode` takes. */
export interface RunCodeOptions {
  forward: RunCodeFunction;
  /** The code that undoes `forward`; without it the migration cannot be unapplied. */
  backward?: RunCodeFunction;
}

function statements(value: unknown, what: string): readonly string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string' || !s.trim()))
    throw new OperationError(`op.runSql(): ${what} must be SQL text or a non-empty list of SQL texts`);
  return Object.freeze([...list]);
}

/**
 * `op.runSql({ forward, backward? })`: SQL run as written (the same text on every dialect).
 *
 * @example
 * ```ts
 * op.runSql({
 *   forward: "update library_book set status = 'draft' where status is null",
 *   backward: [],
 * });
 * ```
 */
export class RunSql extends MigrationOperation {
  readonly type = 'runSql';
  readonly forward: readonly string[];
  readonly backward: readonly string[] | undefined;
  override readonly reversible: boolean;
  readonly #options: RunSqlOptions;

  constructor(options: RunSqlOptions) {
    super();
    if (!options || typeof options !== 'object')
      throw new OperationError(`op.runSql() takes { forward, backward? }`);
    this.forward = statements(options.forward, 'forward');
    // An empty list is a backward that does nothing (the forward needs no undoing).
    this.backward =
      options.backward === undefined
        ? undefined
        : Array.isArray(options.backward) && options.backward.length === 0
          ? Object.freeze([])
          : statements(options.backward, 'backward');
    this.reversible = this.backward !== undefined;
    this.#options = Object.freeze({ ...options });
  }

  get args(): readonly unknown[] {
    return [this.#options];
  }

  describe(): string {
    const first = this.forward[0]!.trim().replace(/\s+/gu, ' ');
    const shown = first.length > 60 ? `${first.slice(0, 57)}...` : first;
    return `Run SQL: ${shown}${this.forward.length > 1 ? ` (+${this.forward.length - 1} more)` : ''}`;
  }

  nameFragment(): string {
    return 'run_sql';
  }

  stateForwards(_state: MutableProjectState): void {}

  async databaseForwards(editor: SchemaEditorLike): Promise<void> {
    for (const sql of this.forward) await editor.execute(sql);
  }

  async databaseBackwards(editor: SchemaEditorLike): Promise<void> {
    if (!this.backward) throw new OperationError(`${this.describe()} cannot be undone: it has no backward`);
    for (const sql of this.backward) await editor.execute(sql);
  }
}

/**
 * `op.runCode({ forward, backward? })`: code run in the migration's transaction, with the
 * models as they are at this point of the history (never import the app's models here: they
 * describe the latest state, not this one).
 *
 * @example
 * ```ts
 * op.runCode({
 *   forward: async ({ db, models }) => {
 *     await query(db, models.model('library.Book')).filter({ slug: '' }).update({ slug: 'untitled' });
 *   },
 * });
 * ```
 */
export class RunCode extends MigrationOperation {
  readonly type = 'runCode';
  readonly forward: RunCodeFunction;
  readonly backward: RunCodeFunction | undefined;
  override readonly reversible: boolean;

  constructor(options: RunCodeOptions) {
    super();
    if (!options || typeof options.forward !== 'function')
      throw new OperationError(
        `op.runCode() takes { forward, backward? }, each an async function ({ db, models }) => …`,
      );
    if (options.backward !== undefined && typeof options.backward !== 'function')
      throw new OperationError(`op.runCode(): backward must be a function ({ db, models }) => …`);
    this.forward = options.forward;
    this.backward = options.backward;
    this.reversible = this.backward !== undefined;
  }

  get args(): readonly unknown[] {
    return [this.backward ? { forward: this.forward, backward: this.backward } : { forward: this.forward }];
  }

  describe(): string {
    const name = this.forward.name && this.forward.name !== 'forward' ? ` ${this.forward.name}` : '';
    return `Run code${name}`;
  }

  nameFragment(): string {
    return 'run_code';
  }

  stateForwards(_state: MutableProjectState): void {}

  async databaseForwards(editor: SchemaEditorLike, from: ProjectStateLike): Promise<void> {
    await this.forward({ db: editor.db, models: from });
  }

  async databaseBackwards(
    editor: SchemaEditorLike,
    _from: ProjectStateLike,
    to: ProjectStateLike,
  ): Promise<void> {
    if (!this.backward) throw new OperationError(`${this.describe()} cannot be undone: it has no backward`);
    await this.backward({ db: editor.db, models: to });
  }
}
