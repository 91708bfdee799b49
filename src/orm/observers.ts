/**
 * Write observers: functions told of every row the ORM's writes change on chosen models, with
 * the row before and after, inside the write's transaction (an audit log, a model's history).
 * They belong to one connection (SQLite) or pool (PostgreSQL): the database `connect()` opened,
 * its `withSignal()` and `withTimeZone()` views and its transactions share them; another
 * database, even of the same app's process, has its own.
 */
import type { Database } from './database.ts';
import type { AnyModel } from './model.ts';

/** One row a write changed. */
export interface WriteChange {
  readonly action: 'create' | 'update' | 'delete';
  /** The model of the row. */
  readonly model: AnyModel;
  /** The row's primary key value. */
  readonly key: unknown;
  /**
   * The row as it was (update, delete); `undefined` on create. Rows as the ORM returns them
   * (attribute names, hydrated values); a copy, not the object the write returns.
   */
  readonly before: Record<string, unknown> | undefined;
  /** The row as it is now (create, update); `undefined` on delete. */
  readonly after: Record<string, unknown> | undefined;
}

/**
 * Told of the rows one write changed, inside its transaction: `tx` is that transaction, so
 * rows the observer writes through it commit or roll back with the change; a throw rolls the
 * write back (and is what the write throws).
 */
export type WriteObserver = (tx: Database, changes: readonly WriteChange[]) => void | Promise<void>;

/** One `observeWrites()` call: its own object, so the same function observed twice stops once. */
interface Registration {
  readonly observer: WriteObserver;
}

/**
 * The observers of one connection or pool, by model: what `Database.observers` holds. Writes
 * ask `watching(model)` (one map lookup) and take their observed path only when it is `true`.
 *
 * @internal
 */
export class WriteObservers {
  readonly #byModel = new Map<AnyModel, Set<Registration>>();

  /** `true` when some observer watches `model`'s writes. */
  watching(model: AnyModel): boolean {
    return this.#byModel.size !== 0 && this.#byModel.has(model);
  }

  /**
   * `true` when deleting `model`'s rows may change a watched model's rows: `model`'s own, or
   * rows its `onDelete` actions reach (cascaded deletes, `setNull`/`setDefault` updates).
   */
  reaches(model: AnyModel): boolean {
    if (this.#byModel.size === 0) return false;
    const seen = new Set<AnyModel>();
    const visit = (current: AnyModel): boolean => {
      if (seen.has(current)) return false;
      seen.add(current);
      if (this.#byModel.has(current)) return true;
      return current.meta.reverseRelations.some((relation) => {
        if (relation.kind === 'manyToMany') return false;
        const action = relation.field.onDelete;
        if (action === 'cascade') return visit(relation.model);
        return (action === 'setNull' || action === 'setDefault') && this.#byModel.has(relation.model);
      });
    };
    return visit(model);
  }

  /** Adds `observer` for `model`; returns the function that removes it (again: nothing). */
  add(model: AnyModel, observer: WriteObserver): () => void {
    const registration: Registration = { observer };
    let set = this.#byModel.get(model);
    if (!set) {
      set = new Set();
      this.#byModel.set(model, set);
    }
    set.add(registration);
    return () => {
      const current = this.#byModel.get(model);
      if (!current?.delete(registration)) return;
      if (current.size === 0) this.#byModel.delete(model);
    };
  }

  /**
   * Calls each observer once with the changes of the models it watches, in the changes'
   * order; observers in the order they first have a change. Awaited one after the other.
   */
  async report(tx: Database, changes: readonly WriteChange[]): Promise<void> {
    const calls = new Map<WriteObserver, WriteChange[]>();
    for (const change of changes) {
      const registrations = this.#byModel.get(change.model);
      if (!registrations) continue;
      for (const { observer } of registrations) {
        let list = calls.get(observer);
        if (!list) {
          list = [];
          calls.set(observer, list);
        }
        // The same function observing the model twice sees each change once.
        if (list.at(-1) !== change) list.push(change);
      }
    }
    for (const [observer, list] of calls) await observer(tx, Object.freeze(list));
  }
}

/**
 * Calls `observer` with every row the ORM's writes change on `model` through `db`, its views
 * (`withSignal()`, `withTimeZone()`) and its transactions: `create`, `bulkCreate`, `update`,
 * `updateOne`, `bulkUpdate`, `delete`, `deleteOne`, `getOrCreate`/`updateOrCreate` when they
 * write, and the rows `onDelete` cascades delete or sets to null (`before`: each row as it was).
 * Each write's statement(s), the reading of the rows before (`select … for update` on
 * PostgreSQL) and after, and the observer's call run in one transaction (a savepoint inside
 * yours), so what the observer writes through `tx` commits or rolls back with the change, and
 * an observer that throws rolls the write back. An `update()` that sets the values a row
 * already had reports it still (compare `before` and `after`). A many-to-many manager's
 * `add`/`remove`/`set`/`clear` report each row of the field's declaring model whose links
 * changed as an `update`, the field's sorted keys under its name in `before` and `after`.
 * Not observed: raw SQL (`db.run`, `db.all`, `QuerySet.raw`), migrations, and a `through`
 * model's rows that `remove()`/`clear()` delete (those `add()`/`set()` create are reported as
 * creates). Unobserved models pay one map lookup per write. Returns the function that stops
 * observing.
 *
 * @example
 * ```ts
 * const stop = observeWrites(db, Book, async (tx, changes) => {
 *   for (const change of changes)
 *     await query(tx, BookHistory).create({ bookId: String(change.key), action: change.action, before: change.before ?? null, after: change.after ?? null });
 * });
 * await query(db, Book).filter({ id: 3 }).updateOne({ title: 'Dune' }); // one history row, same transaction
 * stop();
 * ```
 */
export function observeWrites(db: Database, model: AnyModel, observer: WriteObserver): () => void {
  if (typeof observer !== 'function')
    throw new TypeError('observeWrites(db, model, observer): the observer should be a function');
  if (typeof model?.meta?.label !== 'string')
    throw new TypeError('observeWrites(db, model, observer): the model should be a model, like Book');
  return db.observers.add(model, observer);
}

/** The change of a row `model` gained. */
export function created(model: AnyModel, row: Record<string, unknown>): WriteChange {
  return Object.freeze({
    action: 'create',
    model,
    key: row[model.meta.pk.attribute],
    before: undefined,
    after: { ...row },
  });
}

/** The change of a row of `model` from `before` to `after`. */
export function updated(
  model: AnyModel,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): WriteChange {
  return Object.freeze({
    action: 'update',
    model,
    key: after[model.meta.pk.attribute],
    before: { ...before },
    after: { ...after },
  });
}

/** The change of a row of `model` deleted. */
export function deleted(model: AnyModel, row: Record<string, unknown>): WriteChange {
  return Object.freeze({
    action: 'delete',
    model,
    key: row[model.meta.pk.attribute],
    before: { ...row },
    after: undefined,
  });
}

/** Tells the observers of `tx`'s connection of `changes` (nothing when there are none). */
export function reportChanges(tx: Database, changes: readonly WriteChange[]): Promise<void> {
  if (changes.length === 0) return Promise.resolve();
  return tx.observers.report(tx, changes);
}
