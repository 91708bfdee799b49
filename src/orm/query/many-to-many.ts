/**
 * Many-to-many managers: the rows related to one row through a join table, and the writes that
 * link and unlink them. `query(db, Book).related(book, 'tags', Tag)` returns one.
 */
import { sql } from 'kysely';
import type { Database } from '../database.ts';
import { ForeignKeyViolationError } from '../errors.ts';
import type { AnyModel, FieldsOf } from '../model.ts';
import { reportChanges, updated, type WriteChange } from '../observers.ts';
import type { PkValue, Row } from '../types.ts';
import { validateInput } from '../validation.ts';
import { noSuchRow } from './constraint-errors.ts';
import { QueryError, ValidationError } from './errors.ts';
import { keyText } from './hydrate.ts';
import { type JoinTable, joinTable } from './join-table.ts';
import { inList } from './lookup-sql.ts';
import { lockedRows } from './observed.ts';

/** A related row, or its primary key. */
export type RowOrKey<R extends AnyModel> = Row<R> | PkValue<FieldsOf<R>>;

/** Options of `related()`. */
export interface RelatedOptions {
  /**
   * The other columns of a `through` model's new rows (`add` and `set` fill them in); required
   * when the through model has required fields besides its two foreign keys.
   */
  throughDefaults?: Record<string, unknown>;
}

/** What `set()` changed. */
export interface SetResult {
  /** Links created. */
  added: number;
  /** Links removed. */
  removed: number;
}

/** Loads the target rows linked to one key (one query, in the target's ordering). */
export type LinkedLoader<R extends AnyModel> = (db: Database) => Promise<Row<R>[]>;

/** Inserts rows of a `through` model (validated and with defaults, like `bulkCreate`). */
export type ThroughInserter = (db: Database, inputs: Record<string, unknown>[]) => Promise<unknown>;

const BATCH = 500;

/**
 * The rows of `R` linked to one row through a many-to-many, and the writes on those links.
 * Every write runs in one transaction (a savepoint inside yours); adding a row that is already
 * linked does nothing, so `add` never fails on a duplicate pair. On a symmetrical many-to-many
 * (to the model itself, as `friends`) every write goes both ways: `add(b)` on `a` links `a` to
 * `b` and `b` to `a` (two rows of the join table), `remove`, `set` and `clear` unlink both; the
 * counts returned are the links seen from this row.
 *
 * @example
 * ```ts
 * const tags = query(db, Book).related(book, 'tags', Tag);
 * await tags.add('sf', 'classic');        // primary keys or rows
 * await tags.set(['sf', 'space']);        // { added: 1, removed: 1 }
 * (await tags.all()).map((t) => t.slug);  // ['sf', 'space']
 * await tags.count();                     // 2
 * ```
 */
export class RelatedManager<R extends AnyModel> {
  readonly #db: Database;
  readonly #join: JoinTable;
  readonly #name: string;
  readonly #source: unknown;
  readonly #load: LinkedLoader<R>;
  readonly #insertThrough: ThroughInserter;
  readonly #throughDefaults: Record<string, unknown>;

  constructor(
    db: Database,
    join: JoinTable,
    name: string,
    source: unknown,
    load: LinkedLoader<R>,
    insertThrough: ThroughInserter,
    options: RelatedOptions = {},
  ) {
    this.#db = db;
    this.#join = join;
    this.#name = name;
    this.#source = join.source.meta.pk.toDb(source, db.ops);
    this.#load = load;
    this.#insertThrough = insertThrough;
    this.#throughDefaults = options.throughDefaults ?? {};
  }

  /** Every linked row, in the target's ordering. */
  all(): Promise<Row<R>[]> {
    return this.#load(this.#db);
  }

  /** How many rows are linked. */
  async count(): Promise<number> {
    const j = this.#join;
    const { sql: text, parameters } = this.#db.kysely
      .selectFrom(j.table)
      .select(sql`count(*)`.as('n'))
      .where(sql.ref(j.sourceColumn), '=', this.#source)
      // A through row whose target key was set to NULL links nothing (all() has no row for it).
      .where(sql.ref(j.targetColumn), 'is not', null)
      .compile();
    const row = await this.#db.get<{ n: number | string | bigint }>(text, parameters);
    return Number(row?.n ?? 0);
  }

  /**
   * Links `items` (rows or primary keys); those already linked are left as they are. Returns
   * how many links were created. A key with no row is a `ValidationError`
   * (`type: 'foreign_key'`) and nothing is linked.
   */
  async add(...items: RowOrKey<R>[]): Promise<number> {
    const keys = this.#keys(items, 'add');
    this.#checkThrough();
    if (keys.length === 0) return 0;
    return this.#db.transaction((tx) =>
      this.#reporting(
        tx,
        () => keys,
        () => this.#add(tx, keys),
      ),
    );
  }

  /** Unlinks `items` (rows or primary keys); returns how many links were removed. */
  async remove(...items: RowOrKey<R>[]): Promise<number> {
    const keys = this.#keys(items, 'remove');
    if (keys.length === 0) return 0;
    return this.#db.transaction((tx) =>
      this.#reporting(
        tx,
        () => keys,
        () => this.#remove(tx, keys),
      ),
    );
  }

  /**
   * Makes `items` the linked rows: in one transaction, unlinks the others and links the
   * missing ones (rows linked already and still wanted are not touched).
   */
  async set(items: readonly RowOrKey<R>[]): Promise<SetResult> {
    if (!Array.isArray(items))
      throw new QueryError(`set: give a list of ${this.#join.target.meta.label} rows or keys`);
    const keys = this.#keys(items, 'set');
    this.#checkThrough();
    return this.#db.transaction(async (tx) => {
      const current = new Set((await this.#linked(tx, undefined)).map((key) => JSON.stringify(key)));
      const wanted = new Set(keys.map((key) => JSON.stringify(key)));
      const stale = [...current].filter((key) => !wanted.has(key)).map((key) => JSON.parse(key) as unknown);
      const fresh = keys.filter((key) => !current.has(JSON.stringify(key)));
      return this.#reporting(
        tx,
        () => [...stale, ...fresh],
        async () => {
          const removed = stale.length ? await this.#remove(tx, stale) : 0;
          const added = fresh.length ? await this.#add(tx, fresh) : 0;
          return { added, removed };
        },
      );
    });
  }

  /** Unlinks every row; returns how many links were removed. */
  async clear(): Promise<number> {
    const j = this.#join;
    const unlink = (db: Database, column: string) => {
      const { sql: text, parameters } = db.kysely
        .deleteFrom(j.table)
        .where(sql.ref(column), '=', this.#source)
        .compile();
      return db.run(text, parameters);
    };
    if (!j.symmetrical && !this.#db.observers.watching(j.field.model!))
      return (await unlink(this.#db, j.sourceColumn)).changes;
    return this.#db.transaction((tx) =>
      this.#reporting(
        tx,
        () => this.#linked(tx, undefined),
        async () => {
          const { changes } = await unlink(tx, j.sourceColumn);
          // The other rows' links to this one.
          if (j.symmetrical) await unlink(tx, j.targetColumn);
          return changes;
        },
      ),
    );
  }

  /**
   * Runs `write` in `tx`. When the model declaring the relation is observed (`observeWrites()`),
   * reports each of its rows whose links `write` changed as an `update`: the row, with the
   * field's linked keys (sorted) under the field's name in `before` and `after`. `touched`
   * gives the other side's keys the write links or unlinks.
   */
  async #reporting<T>(
    tx: Database,
    touched: () => readonly unknown[] | Promise<readonly unknown[]>,
    write: () => Promise<T>,
  ): Promise<T> {
    const j = this.#join;
    const owner = j.field.model!;
    if (!tx.observers.watching(owner)) return write();
    const others = (await touched()).map((key) => j.target.meta.pk.toDb(key, tx.ops));
    // The declaring model's rows whose links change: this one seen from the field's side, the
    // other side's seen from the target, and both for a symmetrical relation (mirrored links).
    const keys = j.reversed ? others : j.symmetrical ? [this.#source, ...others] : [this.#source];
    const before = await linksOf(tx, j, keys);
    const result = await write();
    const after = await linksOf(tx, j, keys);
    const pk = owner.meta.pk;
    const changes: WriteChange[] = [];
    for (const row of await lockedRows(tx, owner, [], unique(owner, keys))) {
      const text = keyText(pk, pk.toDb(row[pk.attribute], tx.ops));
      const was = before.get(text) ?? [];
      const now = after.get(text) ?? [];
      if (JSON.stringify(was) === JSON.stringify(now)) continue;
      changes.push(updated(owner, { ...row, [j.field.name]: was }, { ...row, [j.field.name]: now }));
    }
    await reportChanges(tx, changes);
    return result;
  }

  /** Primary keys of `items` as the database holds them, without repeats. */
  #keys(items: readonly unknown[], method: string): unknown[] {
    const target = this.#join.target.meta;
    const pk = target.pk;
    const seen = new Map<string, unknown>();
    for (const item of items) {
      const isRow = typeof item === 'object' && item !== null;
      // A row has every field of its model: an object without them is a row of another model
      // (whose key would link an unrelated row), or a part of one.
      if (
        isRow &&
        !(item instanceof Date) &&
        target.concreteFields.some((field) => !(field.attribute in item))
      )
        throw new QueryError(
          `${method}: ${JSON.stringify(item)} is not a ${target.label} row (it lacks ${target.concreteFields
            .filter((field) => !(field.attribute in item))
            .map((field) => field.attribute)
            .join(', ')}); give ${target.label} rows or their primary keys (${pk.attribute})`,
        );
      const key = isRow ? (item as Record<string, unknown>)[pk.attribute] : item;
      if (key === undefined || key === null || pk.check(key).length)
        throw new QueryError(
          `${method}: give ${target.label} rows or their primary keys (${pk.attribute}), got ${JSON.stringify(item)}`,
        );
      const stored = pk.fromDb(pk.toDb(key, this.#db.ops), this.#db.ops);
      seen.set(JSON.stringify(stored), stored);
    }
    return [...seen.values()];
  }

  /** A through model with required fields besides its keys needs them as `throughDefaults`. */
  #checkThrough(): void {
    const j = this.#join;
    if (!j.through) return;
    const probe = { ...this.#throughDefaults, [j.sourceField!.attribute]: 0, [j.targetField!.attribute]: 0 };
    const missing = validateInput(j.through, probe)
      .filter((e) => e.type === 'missing')
      .map((e) => e.loc.join('.'));
    if (missing.length)
      throw new QueryError(
        `${j.through.meta.label} has required fields (${missing.join(', ')}) besides its two keys: ` +
          `pass them as ${j.source.meta.name}.rel.${this.#name}.of(db, row, { throughDefaults: { … } }) ` +
          `(or related(row, '${this.#name}', Model, { throughDefaults: { … } })), ` +
          `or create ${j.through.meta.label} rows with query(db, ${j.through.meta.name}).create()`,
      );
  }

  /** The linked keys among `keys` (all linked keys when `keys` is undefined). */
  async #linked(db: Database, keys: readonly unknown[] | undefined): Promise<unknown[]> {
    const j = this.#join;
    const pk = j.target.meta.pk;
    let select = db.kysely
      .selectFrom(j.table)
      .select(sql.ref(j.targetColumn).as('target'))
      .where(sql.ref(j.sourceColumn), '=', this.#source);
    if (keys)
      select = select.where(
        inList(
          sql.ref(j.targetColumn),
          keys.map((k) => pk.toDb(k, db.ops)),
          db.ops,
        ),
      );
    const { sql: text, parameters } = select.compile();
    const rows = await db.all<{ target: unknown }>(text, parameters);
    return rows.map((row) => pk.fromDb(row.target, db.ops));
  }

  async #add(tx: Database, keys: readonly unknown[]): Promise<number> {
    const j = this.#join;
    const target = j.target.meta;
    let added = 0;
    for (let start = 0; start < keys.length; start += BATCH) {
      const batch = keys.slice(start, start + BATCH);
      const { sql: text, parameters } = tx.kysely
        .selectFrom(target.table)
        .select(sql.ref(target.pk.column!).as('key'))
        .where(
          inList(
            sql.ref(target.pk.column!),
            batch.map((k) => target.pk.toDb(k, tx.ops)),
            tx.ops,
          ),
        )
        .compile();
      const found = new Set(
        (await tx.all<{ key: unknown }>(text, parameters)).map((r) =>
          JSON.stringify(target.pk.fromDb(r.key, tx.ops)),
        ),
      );
      const absent = batch.filter((key) => !found.has(JSON.stringify(key)));
      if (absent.length)
        throw new ValidationError(
          absent.map((key) => ({
            loc: [this.#name],
            msg: noSuchRow(j.target, key),
            type: 'foreign_key',
          })),
        );
      const linked = new Set((await this.#linked(tx, batch)).map((key) => JSON.stringify(key)));
      const fresh = batch.filter((key) => !linked.has(JSON.stringify(key)));
      try {
        if (fresh.length && j.through) {
          await this.#insertThrough(
            tx,
            fresh.map((key) => ({
              ...this.#throughDefaults,
              [j.sourceField!.attribute]: j.source.meta.pk.fromDb(this.#source, tx.ops),
              [j.targetField!.attribute]: key,
            })),
          );
          added += fresh.length;
        } else if (fresh.length) {
          // A pair linked meanwhile by someone else is skipped, not a unique error.
          const { sql: insert, parameters: values } = tx.kysely
            .insertInto(j.table)
            .values(
              fresh.map((key) => ({
                [j.sourceColumn]: this.#source,
                [j.targetColumn]: target.pk.toDb(key, tx.ops),
              })),
            )
            .onConflict((conflict) => conflict.columns([j.sourceColumn, j.targetColumn]).doNothing())
            .compile();
          added += (await tx.run(insert, values)).changes;
        }
        // Each row linked links back to this one (also one linked one way only before).
        if (j.symmetrical) await this.#mirror(tx, batch);
      } catch (error) {
        if (error instanceof ForeignKeyViolationError) throw this.#missingSource(error);
        throw error;
      }
    }
    return added;
  }

  /** Links each of `keys` back to this row (a symmetrical many-to-many), where it is not yet. */
  async #mirror(tx: Database, keys: readonly unknown[]): Promise<void> {
    const j = this.#join;
    const pk = j.target.meta.pk;
    if (!j.through) {
      const { sql: insert, parameters } = tx.kysely
        .insertInto(j.table)
        .values(
          keys.map((key) => ({ [j.sourceColumn]: pk.toDb(key, tx.ops), [j.targetColumn]: this.#source })),
        )
        .onConflict((conflict) => conflict.columns([j.sourceColumn, j.targetColumn]).doNothing())
        .compile();
      await tx.run(insert, parameters);
      return;
    }
    const { sql: text, parameters } = tx.kysely
      .selectFrom(j.table)
      .select(sql.ref(j.sourceColumn).as('key'))
      .where(sql.ref(j.targetColumn), '=', this.#source)
      .where(
        inList(
          sql.ref(j.sourceColumn),
          keys.map((k) => pk.toDb(k, tx.ops)),
          tx.ops,
        ),
      )
      .compile();
    const back = new Set(
      (await tx.all<{ key: unknown }>(text, parameters)).map((r) => JSON.stringify(pk.fromDb(r.key, tx.ops))),
    );
    const missing = keys.filter((key) => !back.has(JSON.stringify(key)));
    if (missing.length === 0) return;
    const self = j.source.meta.pk.fromDb(this.#source, tx.ops);
    await this.#insertThrough(
      tx,
      missing.map((key) => ({
        ...this.#throughDefaults,
        [j.sourceField!.attribute]: key,
        [j.targetField!.attribute]: self,
      })),
    );
  }

  #missingSource(error: unknown): ValidationError {
    const source = this.#join.source;
    const key = source.meta.pk.fromDb(this.#source, this.#db.ops);
    return new ValidationError([{ loc: [], msg: noSuchRow(source, key), type: 'foreign_key' }], {
      cause: error,
    });
  }

  async #remove(tx: Database, keys: readonly unknown[]): Promise<number> {
    const j = this.#join;
    const pk = j.target.meta.pk;
    const unlink = async (mine: string, theirs: string, batch: readonly unknown[]) => {
      const { sql: text, parameters } = tx.kysely
        .deleteFrom(j.table)
        .where(sql.ref(mine), '=', this.#source)
        .where(
          sql.ref(theirs),
          'in',
          batch.map((k) => pk.toDb(k, tx.ops)),
        )
        .compile();
      return (await tx.run(text, parameters)).changes;
    };
    let removed = 0;
    for (let start = 0; start < keys.length; start += BATCH) {
      const batch = keys.slice(start, start + BATCH);
      removed += await unlink(j.sourceColumn, j.targetColumn, batch);
      // Their links back to this row go too.
      if (j.symmetrical) await unlink(j.targetColumn, j.sourceColumn, batch);
    }
    return removed;
  }
}

/** Database values of primary keys of `model`, each once. */
function unique(model: AnyModel, keys: readonly unknown[]): unknown[] {
  const pk = model.meta.pk;
  const seen = new Map<string, unknown>();
  for (const key of keys) seen.set(keyText(pk, key), key);
  return [...seen.values()];
}

/** Orders linked keys the same way every time: numbers by value, others as text (code points). */
export function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The keys each of the declaring model's rows `keys` (database values) links to through `j`'s
 * field, sorted, by the row's key text; rows linking nothing are absent.
 */
async function linksOf(
  tx: Database,
  j: JoinTable,
  keys: readonly unknown[],
): Promise<Map<string, unknown[]>> {
  const forward = joinTable(j.field);
  const ownerPk = forward.source.meta.pk;
  const targetPk = forward.target.meta.pk;
  const links = new Map<string, unknown[]>();
  if (keys.length === 0) return links;
  const { sql: text, parameters } = tx.kysely
    .selectFrom(forward.table)
    .select([sql.ref(forward.sourceColumn).as('owner'), sql.ref(forward.targetColumn).as('other')])
    .where(inList(sql.ref(forward.sourceColumn), keys, tx.ops))
    .where(sql.ref(forward.targetColumn), 'is not', null)
    .compile();
  for (const row of await tx.all<{ owner: unknown; other: unknown }>(text, parameters)) {
    const owner = keyText(ownerPk, ownerPk.toDb(ownerPk.fromDb(row.owner, tx.ops), tx.ops));
    let list = links.get(owner);
    if (!list) {
      list = [];
      links.set(owner, list);
    }
    list.push(targetPk.fromDb(row.other, tx.ops));
  }
  for (const list of links.values()) list.sort(compareKeys);
  return links;
}
