/**
 * How `loadData` (`fixtures.ts`) writes checked fixture objects: existing keys looked up, rows in
 * dependency order with a model's rows pointing at each other parents first, consecutive inserts
 * batched, keys of a cycle set once every row is in, many-to-many links set last. Internal.
 */

import { sql } from 'kysely';
import type { Database } from './database.ts';
import { ConstraintViolationError } from './errors.ts';
import type { AnyField } from './fields/field.ts';
import { RelationField } from './fields/relation.ts';
import type { AnyModel } from './model.ts';
import { constraintError, guarded } from './query/constraint-errors.ts';
import { ValidationError } from './query/errors.ts';
import { query } from './query/queryset.ts';

/** Most values one multi-row insert binds (under SQLite's and PostgreSQL's limits). */
const BATCH_PARAMETERS = 4000;
/** Most keys in one `in (…)` list. */
export const KEYS_PER_QUERY = 500;

/** A value as JSON holds it: an instant as ISO 8601 text. */
export function jsonValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** The primary key a key field holds values of (a foreign key: its target's, all the way down). */
function keyField(field: AnyField): AnyField {
  let current = field;
  const seen = new Set<AnyField>();
  while (current instanceof RelationField && !seen.has(current)) {
    seen.add(current);
    current = current.targetPk;
  }
  return current;
}

/** A primary key value as text, the same for `7` and a key the database returned as 7. */
export function keyText(field: AnyField, value: unknown, db: Database): string {
  const pk = keyField(field);
  const text = JSON.stringify(jsonValue(pk.fromDb(pk.toDb(value, db.ops), db.ops)));
  return pk.kind === 'uuid' ? text.toLowerCase() : text;
}

/** `items` in lists of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** A foreign key value of an object: the field, the value and its key text. */
export interface Reference {
  readonly field: RelationField;
  readonly value: unknown;
  readonly key: string;
}

/** One fixture object, checked, with its column values as sent to the database. */
export interface Parsed {
  readonly index: number;
  readonly model: AnyModel;
  /** The primary key; `undefined` for a new row whose auto key the database picks. */
  readonly pk: unknown;
  /** `pk` as key text (`undefined` without one). */
  readonly key: string | undefined;
  /** Column → value as sent, the primary key's included when given. */
  readonly columns: Record<string, unknown>;
  /** The object's non-null foreign keys. */
  readonly references: readonly Reference[];
  /** Many-to-many field → its targets' keys. */
  readonly links: ReadonlyMap<RelationField, readonly unknown[]>;
}

/** `Author 99 does not exist`. */
export function noRow(model: AnyModel, key: unknown): string {
  const name = model.meta.verboseName;
  return `${name.charAt(0).toUpperCase()}${name.slice(1)} ${JSON.stringify(jsonValue(key))} does not exist`;
}

/** The key texts, among `keys` (field values), of rows of `model` already in the database. */
export async function existingKeys(
  db: Database,
  model: AnyModel,
  keys: readonly unknown[],
): Promise<Set<string>> {
  const pk = model.meta.pk;
  const found = new Set<string>();
  for (const batch of chunks(keys, KEYS_PER_QUERY)) {
    const rows = await query(db, model)
      .filter({ [`${pk.attribute}__in`]: batch } as never)
      .values(pk.attribute as never);
    for (const row of rows) found.add(keyText(pk, (row as Record<string, unknown>)[pk.attribute], db));
  }
  return found;
}

/**
 * The rows of a model that refers to itself, ordered so that a row comes after the rows it
 * points at (those of the fixture; a cycle keeps the order it has).
 */
function parentsFirst(model: AnyModel, rows: readonly Parsed[]): Parsed[] {
  if (!rows.some((row) => row.references.some((r) => r.field.target === model))) return [...rows];
  const byKey = new Map(rows.filter((row) => row.key !== undefined).map((row) => [row.key!, row]));
  const seen = new Set<Parsed>();
  const ordered: Parsed[] = [];
  for (const start of rows) {
    if (seen.has(start)) continue;
    seen.add(start);
    const stack: Array<{ row: Parsed; next: number }> = [{ row: start, next: 0 }];
    while (stack.length) {
      const top = stack.at(-1)!;
      const own = top.row.references.filter((r) => r.field.target === model);
      if (top.next < own.length) {
        const parent = byKey.get(own[top.next++]!.key);
        if (parent && !seen.has(parent)) {
          seen.add(parent);
          stack.push({ row: parent, next: 0 });
        }
        continue;
      }
      stack.pop();
      ordered.push(top.row);
    }
  }
  return ordered;
}

/** A constraint failure of `row`'s write, located at the object (and its field, by name). */
async function located(
  error: unknown,
  db: Database,
  row: Parsed,
  columns: Record<string, unknown>,
): Promise<unknown> {
  const mapped = await constraintError(error, db, row.model, columns);
  if (!(mapped instanceof ValidationError)) return mapped;
  const nameOf = (attribute: string | number) =>
    row.model.meta.fields.find((field) => field.attribute === attribute)?.name ?? attribute;
  return new ValidationError(
    mapped.errors.map((e) => ({
      ...e,
      loc: e.loc.length ? [row.index, 'fields', nameOf(e.loc[0]!)] : [row.index],
    })),
    { cause: error },
  );
}

/** Writes the rows of a load in order, batching consecutive inserts. */
export class Writer {
  readonly #db: Database;
  #batch: Parsed[] = [];
  #parameters = 0;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Queues an insert of `row` with `columns`, or runs it now when its key is the database's to pick. */
  async insert(row: Parsed): Promise<unknown> {
    if (row.key === undefined) {
      await this.flush();
      return this.#insertOne(row, true);
    }
    const size = Object.keys(row.columns).length;
    if (
      this.#batch.length &&
      (this.#parameters + size > BATCH_PARAMETERS || this.#batch[0]!.model !== row.model)
    )
      await this.flush();
    this.#batch.push(row);
    this.#parameters += size;
    return row.pk;
  }

  /** Sets `columns` on the row `row` names (flushing queued inserts first). */
  async update(row: Parsed, columns: Record<string, unknown>): Promise<void> {
    await this.flush();
    const pk = row.model.meta.pk;
    const set = { ...columns };
    delete set[pk.column!];
    if (Object.keys(set).length === 0) return;
    const db = this.#db;
    const { sql: text, parameters } = db.kysely
      .updateTable(row.model.meta.table)
      .set(set)
      .where(sql.ref(pk.column!), '=', pk.toDb(row.pk, db.ops))
      .compile();
    try {
      await guarded(db, (tx) => tx.run(text, parameters));
    } catch (error) {
      throw await located(error, db, row, set);
    }
  }

  /** Runs the queued inserts: one statement, or row by row to locate a constraint failure. */
  async flush(): Promise<void> {
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#batch = [];
    this.#parameters = 0;
    const db = this.#db;
    const { sql: text, parameters } = db.kysely
      .insertInto(batch[0]!.model.meta.table)
      .values(batch.map((row) => row.columns))
      .compile();
    try {
      await db.transaction((savepoint) => savepoint.run(text, parameters));
    } catch (error) {
      if (!(error instanceof ConstraintViolationError)) throw error;
      for (const row of batch) await this.#insertOne(row, false);
      throw error;
    }
  }

  async #insertOne(row: Parsed, returning: boolean): Promise<unknown> {
    const db = this.#db;
    const pk = row.model.meta.pk;
    const insert = db.kysely.insertInto(row.model.meta.table).values(row.columns);
    const { sql: text, parameters } = (
      returning ? insert.returning(sql.ref(pk.column!).as('pk')) : insert
    ).compile();
    try {
      const found = await guarded(db, (tx) => tx.get<{ pk: unknown }>(text, parameters));
      return returning ? pk.fromDb(found?.pk, db.ops) : row.pk;
    } catch (error) {
      throw await located(error, db, row, row.columns);
    }
  }
}

/**
 * Writes the rows that have a key, model by model in `order`: an update when the key exists, else
 * an insert. A foreign key to a fixture row not written yet (a cycle) is written as null and set
 * once every row is in; when it cannot be null, the fixture is refused.
 */
export async function writeRows(
  db: Database,
  writer: Writer,
  order: readonly AnyModel[],
  byModel: ReadonlyMap<AnyModel, ReadonlyMap<string, Parsed>>,
  inFixture: ReadonlyMap<AnyModel, ReadonlySet<string>>,
): Promise<void> {
  const existing = new Map<AnyModel, Set<string>>();
  for (const [model, rows] of byModel)
    existing.set(
      model,
      await existingKeys(
        db,
        model,
        [...rows.values()].map((row) => row.pk),
      ),
    );
  // Rows queued in the writer's current insert count as written: a statement's foreign keys
  // are checked at its end, on both databases.
  const written = new Map<AnyModel, Set<string>>();
  const ready = (target: AnyModel, key: string) =>
    !inFixture.get(target)?.has(key) || existing.get(target)?.has(key) || written.get(target)?.has(key);
  const later: Array<{ row: Parsed; columns: Record<string, unknown> }> = [];
  for (const model of order) {
    const done = new Set<string>();
    written.set(model, done);
    for (const row of parentsFirst(model, [...(byModel.get(model)?.values() ?? [])])) {
      const columns = { ...row.columns };
      const deferred: Record<string, unknown> = {};
      for (const ref of row.references) {
        if (ref.key === row.key || ready(ref.field.target, ref.key)) continue;
        if (!ref.field.nullable)
          throw new ValidationError([
            {
              loc: [row.index, 'fields', ref.field.name],
              msg:
                `${ref.field.target.meta.label} ${JSON.stringify(jsonValue(ref.value))} comes later in the load and ` +
                `${model.meta.label}.${ref.field.name} cannot be null until then (a cycle of foreign keys that are not nullable)`,
              type: 'foreign_key',
            },
          ]);
        deferred[ref.field.column!] = columns[ref.field.column!];
        columns[ref.field.column!] = null;
      }
      if (existing.get(model)!.has(row.key!)) await writer.update(row, columns);
      else await writer.insert({ ...row, columns });
      done.add(row.key!);
      if (Object.keys(deferred).length) later.push({ row, columns: deferred });
    }
  }
  await writer.flush();
  for (const { row, columns } of later) await writer.update(row, columns);
}

/** Sets the many-to-many links `row` lists (those it lists replace the row's). */
export async function setLinks(db: Database, row: Parsed, key: unknown): Promise<void> {
  for (const [field, targets] of row.links) {
    try {
      await query(db, row.model)
        .related(key as never, field.name, field.target)
        .set(targets as never);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(
        error.errors.map((e) => ({ ...e, loc: [row.index, 'fields', field.name] })),
        { cause: error },
      );
    }
  }
}
