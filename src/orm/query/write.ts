/**
 * Writes: `create` (one insert returning the row as stored), `bulkCreate` (multi-row inserts in
 * one transaction, rows put back in input order), `update` and `delete` of the matching rows
 * (with the `onDelete` collector when the tables' actions are not enough), and `getOrCreate` /
 * `updateOrCreate`, which find a row by a lookup or create it, race-safe: both run in a
 * transaction (a savepoint inside yours); when a concurrent insert of the same row wins (a unique
 * violation), the row is fetched again instead of failing.
 */

import { sql } from 'kysely';
import type { Database } from '../database.ts';
import type { DialectOps } from '../dialects/ops.ts';
import { ConstraintViolationError } from '../errors.ts';
import type { AnyField } from '../fields/field.ts';
import type { AnyModel } from '../model.ts';
import { isWritable } from '../model-schemas.ts';
import { created, reportChanges } from '../observers.ts';
import { spoilsOnError } from '../transaction.ts';
import type { CreateInput, Row } from '../types.ts';
import { validateInput } from '../validation.ts';
import { compiled } from './cache.ts';
import type { Clause } from './clause.ts';
import { computedError, rangeChecked } from './computed-range.ts';
import { constraintError, guarded } from './constraint-errors.ts';
import { collectDeletion, executeDeletion, needsCollector } from './deletion.ts';
import { MultipleFoundError, NotFoundError, QueryError, ValidationError } from './errors.ts';
import { keyText, rowOf, toRow } from './hydrate.ts';
import { inList } from './lookup-sql.ts';
import { keysOf, lockedRows, updateChanges } from './observed.ts';
import type { QuerySet } from './queryset.ts';
import { type CompiledExpression, compileExpression, isExpression } from './refs.ts';
import { plainValues, type Source } from './state.ts';
import type { Filter, RowKey } from './types.ts';

/** Most values one multi-row insert of `bulkCreate` binds (well under SQLite's and PostgreSQL's limits). */
const BULK_PARAMETERS = 4000;

/** Column values of a create or update input; `now` for `autoNow` (and `autoNowAdd` on create). */
function columnsOf(
  model: AnyModel,
  input: Record<string, unknown>,
  create: boolean,
  ops: DialectOps,
): Record<string, unknown> {
  const now = new Date();
  const out: Record<string, unknown> = {};
  for (const field of model.meta.concreteFields) {
    let value = input[field.attribute];
    if (field.autoNow || (create && field.autoNowAdd)) value = now;
    else if (value === undefined && create) {
      if (field.hasDefault) value = field.getDefault();
      else if (field.nullable) value = null;
    }
    if (value !== undefined) out[field.column!] = field.toDb(value, ops);
  }
  return out;
}

/** One insert of `input` on `db`, returning the row as stored; `at` locates constraint errors. */
async function insertRow(
  db: Database,
  model: AnyModel,
  input: Record<string, unknown>,
  at: readonly (string | number)[] = [],
): Promise<Record<string, unknown>> {
  const fields = model.meta.concreteFields;
  const columns = columnsOf(model, input, true, db.ops);
  const shape = `${db.dialect}|insert|${Object.keys(columns).map((c) => JSON.stringify(c))}`;
  const { sql: text, parameters } = compiled(model, shape, Object.values(columns), () =>
    (Object.keys(columns).length
      ? db.kysely.insertInto(model.meta.table).values(columns)
      : db.kysely.insertInto(model.meta.table).defaultValues()
    )
      .returning(everyColumn(model))
      .compile(),
  );
  try {
    const raw = await db.get<Record<string, unknown>>(text, parameters);
    return toRow(raw!, fields, db.ops);
  } catch (error) {
    throw await constraintError(error, db, model, columns, at);
  }
}

/**
 * `QuerySet.create`: validates, then inserts. A failure inside a transaction spoils it (no
 * savepoint: the caller opens one to survive it, as with Django's `atomic()`). An observed
 * model's insert and its observers run in a transaction of their own (a savepoint in yours).
 */
export async function createRow(
  source: Source,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { db, model } = source;
  const errors = validateInput(model, input);
  if (errors.length) throw new ValidationError(errors);
  if (db.observers.watching(model))
    return spoilsOnError(db, () =>
      db.transaction(async (tx) => {
        const row = await insertRow(tx, model, input);
        await reportChanges(tx, [created(model, row)]);
        return row;
      }),
    );
  return spoilsOnError(db, () => insertRow(db, model, input));
}

function sameKeys(columns: Record<string, unknown>, names: readonly string[]): boolean {
  let n = 0;
  for (const key in columns) {
    if (key !== names[n]) return false;
    n++;
  }
  return n === names.length;
}

/** `QuerySet.bulkCreate`: every input validated first, then inserted in one transaction. */
export async function bulkCreateRows(
  source: Source,
  inputs: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const { model } = source;
  const errors = inputs.flatMap((input, i) =>
    validateInput(model, input).map((e) => ({ ...e, loc: [i, ...e.loc] })),
  );
  if (errors.length) throw new ValidationError(errors);
  return source.db.transaction(async (tx) => {
    const rows: Record<string, unknown>[] = [];
    // Consecutive inputs with the same columns go in one multi-row insert (up to
    // BULK_PARAMETERS values each); a batch a constraint refuses is retried row by row, in
    // a savepoint, so the error names the failing input's index and field.
    let start = 0;
    while (start < inputs.length) {
      const columns = columnsOf(model, inputs[start]!, true, tx.ops);
      const names = Object.keys(columns);
      if (names.length === 0) {
        // Nothing but defaults the database fills: no multi-row form, one insert.
        rows.push(await insertRow(tx, model, inputs[start]!, [start]));
        start++;
        continue;
      }
      const batch = [columns];
      const most = Math.max(1, Math.floor(BULK_PARAMETERS / Math.max(1, names.length)));
      while (batch.length < most && start + batch.length < inputs.length) {
        const next = columnsOf(model, inputs[start + batch.length]!, true, tx.ops);
        if (!sameKeys(next, names)) break;
        batch.push(next);
      }
      try {
        rows.push(...(await tx.transaction((savepoint) => insertMany(savepoint, model, names, batch))));
      } catch (error) {
        // Only a constraint names an input to blame; any other failure (the database away, a
        // bug) is the answer as it is, not a reason to try again row by row.
        if (!(error instanceof ConstraintViolationError)) throw error;
        for (let i = start; i < start + batch.length; i++)
          rows.push(await insertRow(tx, model, inputs[i]!, [i]));
      }
      start += batch.length;
    }
    if (tx.observers.watching(model))
      await reportChanges(
        tx,
        rows.map((row) => created(model, row)),
      );
    return rows;
  });
}

/** One `insert … values (…), (…) returning …` of rows with the same columns, in input order. */
async function insertMany(
  db: Database,
  model: AnyModel,
  names: readonly string[],
  batch: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const meta = model.meta;
  const fields = meta.concreteFields;
  const params: unknown[] = [];
  for (const columns of batch) for (const name of names) params.push(columns[name]);
  const shape = `${db.dialect}|insert|${names.map((c) => JSON.stringify(c))}|rows ${batch.length}`;
  const { sql: text, parameters } = compiled(model, shape, params, () =>
    db.kysely
      .insertInto(meta.table)
      .values(batch as Record<string, unknown>[])
      .returning(everyColumn(model))
      .compile(),
  );
  const raw = await db.arrays(text, parameters);
  const ops = db.ops;
  const rows = raw.map((values) => rowOf(fields, values, ops));
  // The returned rows' order is the database's: put them back in input order, by the key
  // given (a uuid, a slug) or, for an auto key, by the ascending values it handed out.
  const pk = meta.pk;
  const at = fields.indexOf(pk);
  if (names.includes(pk.column!)) {
    const order = new Map(batch.map((columns, i) => [keyText(pk, columns[pk.column!]), i]));
    const sorted = new Array<Record<string, unknown>>(rows.length);
    for (let i = 0; i < raw.length; i++) {
      const index = order.get(keyText(pk, pk.toDb(pk.fromDb(raw[i]![at], ops), ops)));
      // A key the database returned otherwise than given keeps the database's order.
      if (index === undefined || sorted[index] !== undefined) return rows;
      sorted[index] = rows[i]!;
    }
    return sorted;
  }
  // Keys are numbers, or bigints past 2^53: compared as they are, never rounded.
  const keyed = raw.map((values, i) => ({ key: values[at] as number | bigint, row: rows[i]! }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.row);
}

/** What an update sets: each column's value, or the SQL of an `F()` expression. */
interface UpdateSet {
  /** Column → value as sent (plain values only: what constraint errors are located by). */
  readonly columns: Record<string, unknown>;
  /** The cache shape of the `set` list. */
  readonly shape: string;
  /** The parameters of the `set` list, in order. */
  readonly params: unknown[];
  /** The fields set by an `F()` expression. */
  readonly computed: readonly AnyField[];
  /** Column → value or SQL, for Kysely's `set`. */
  set(): Record<string, unknown>;
}

/** What an update sets, from `values` validated like an update (`F()` expressions compiled). */
function updateSet(source: Source, values: Record<string, unknown>, what: string): UpdateSet {
  const { db, model } = source;
  const plain: Record<string, unknown> = {};
  const computed: Array<[AnyField, CompiledExpression]> = [];
  for (const [key, value] of Object.entries(values)) {
    if (!isExpression(value)) plain[key] = value;
    else {
      const field = model.meta.concreteFields.find((f) => f.attribute === key);
      if (!field) throw new QueryError(`${what}(): ${model.meta.label} has no field '${key}'`);
      computed.push([field, rangeChecked(field, compileExpression(value, model, field))]);
    }
  }
  const errors = validateInput(model, plain, { partial: true });
  // F() sets only what a plain value may: not the primary key, nor a field no input sets.
  for (const [field] of computed)
    if (!isWritable(field) || field.primaryKey)
      errors.push({ loc: [field.attribute], msg: 'Field cannot be set', type: 'read_only' });
  if (errors.length) throw new ValidationError(errors);
  // Django's update() with nothing to set returns 0; an empty object here is almost always
  // a change lost on the way (every key filtered out), so it is refused.
  if (computed.length === 0 && !Object.values(values).some((value) => value !== undefined))
    throw new QueryError(
      `${what}() on ${model.meta.label} has no field to set: pass at least one, like ${what}({ field: value })`,
    );
  const columns = columnsOf(model, plain, false, db.ops);
  const params: unknown[] = Object.values(columns);
  const shapes = Object.keys(columns).map((c) => JSON.stringify(c));
  for (const [field, expression] of computed) {
    params.push(...expression.params);
    shapes.push(`${JSON.stringify(field.column)}=${expression.shape}`);
  }
  return {
    columns,
    shape: shapes.join(','),
    params,
    computed: computed.map(([field]) => field),
    set: () => {
      const set: Record<string, unknown> = { ...columns };
      for (const [field, expression] of computed) set[field.column!] = expression.sql();
      return set;
    },
  };
}

/** `QuerySet.update`: sets `values` on the rows matching `where`; how many rows changed. */
export async function updateRows(
  source: Source,
  where: readonly Clause[],
  values: Record<string, unknown>,
): Promise<number> {
  const { db, model } = source;
  const update = updateSet(source, values, 'update');
  if (update.shape === '') return 0;
  const { columns } = update;
  if (db.observers.watching(model))
    return spoilsOnError(db, () =>
      db.transaction(async (tx) => {
        const before = await lockedRows(tx, model, where);
        const after = await updateByKeys(tx, model, update, keysOf(tx, model, before));
        await reportChanges(tx, updateChanges(tx, model, before, after));
        return after.length;
      }),
    );
  const shape = `${db.dialect}|update|${update.shape}|${where.map((w) => w.shape).join(' & ')}`;
  const params = [...update.params, ...where.flatMap((w) => w.params)];
  const { sql: text, parameters } = compiled(model, shape, params, () => {
    let query = db.kysely.updateTable(model.meta.table).set(update.set());
    for (const clause of where) query = query.where(clause.expression);
    return query.compile();
  });
  return spoilsOnError(db, async () => {
    try {
      return (await db.run(text, parameters)).changes;
    } catch (error) {
      throw computedError(error, update.computed) ?? (await constraintError(error, db, model, columns));
    }
  });
}

/**
 * An observed update: `update` set on the rows keyed `keys` (database values, the rows locked
 * already), returning them as they are now.
 */
async function updateByKeys(
  tx: Database,
  model: AnyModel,
  update: UpdateSet,
  keys: readonly unknown[],
): Promise<Record<string, unknown>[]> {
  if (keys.length === 0) return [];
  const { sql: text, parameters } = tx.kysely
    .updateTable(model.meta.table)
    .set(update.set())
    .where(inList(sql.ref(model.meta.pk.column!), keys, tx.ops))
    .returning(everyColumn(model))
    .compile();
  try {
    const raw = await tx.all<Record<string, unknown>>(text, parameters);
    return raw.map((row) => toRow(row, model.meta.concreteFields, tx.ops));
  } catch (error) {
    throw computedError(error, update.computed) ?? (await constraintError(error, tx, model, update.columns));
  }
}

/**
 * `QuerySet.delete`: one `delete` when the tables' `on delete` actions do what the foreign keys'
 * `onDelete` say, else the collector in a transaction (`open(tx)` is the query on it).
 */
export async function deleteRows<M extends AnyModel>(
  source: Source,
  where: readonly Clause[],
  open: Reopen<M>,
): Promise<number> {
  const { db, model } = source;
  // The collector reads the rows an observer is told of (onDelete's included) before deleting.
  if (needsCollector(model) || db.observers.reaches(model)) {
    const pk = model.meta.pk;
    return db.transaction(async (tx) => {
      const rows = (await open(tx)
        .orderBy()
        .values(pk.attribute as RowKey<M>)) as Record<string, unknown>[];
      if (rows.length === 0) return 0;
      const keys = rows.map((row) => pk.toDb(row[pk.attribute], tx.ops));
      const counts = await executeDeletion(tx, await collectDeletion(tx, model, keys));
      return counts.get(model) ?? 0;
    });
  }
  const { sql: text, parameters } = compiledDelete(source, where, false);
  // A row still referenced (a foreign key without onDelete handling) refuses the delete, and
  // spoils the caller's transaction if there is one.
  return spoilsOnError(db, async () => (await db.run(text, parameters)).changes);
}

/**
 * Runs `statement` (an update or delete `returning` every column) for the one row `where`
 * matches, and reads that row. By a unique key (the primary key, a unique field) it is one
 * statement; otherwise in a transaction, so that more than one match changes nothing.
 */
async function oneRow(
  source: Source,
  where: readonly Clause[],
  run: (db: Database) => Promise<Record<string, unknown>[]>,
): Promise<Record<string, unknown>> {
  const { db, model } = source;
  const label = model.meta.label;
  const once = async (tx: Database) => {
    const raw = await run(tx);
    if (raw.length === 0) throw new NotFoundError(`No ${label} matches the query`);
    if (raw.length > 1) throw new MultipleFoundError(`More than one ${label} matches the query`);
    return toRow(raw[0]!, model.meta.concreteFields, tx.ops);
  };
  return where.some((w) => w.unique) ? spoilsOnError(db, () => once(db)) : db.transaction(once);
}

/** `QuerySet.updateOne`: sets `values` on the one row matching `where` and returns it. */
export function updateOneRow(
  source: Source,
  where: readonly Clause[],
  values: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { db, model } = source;
  const update = updateSet(source, values, 'updateOne');
  const { columns } = update;
  if (db.observers.watching(model)) {
    const label = model.meta.label;
    const once = async (tx: Database) => {
      const before = await lockedRows(tx, model, where);
      if (before.length === 0) throw new NotFoundError(`No ${label} matches the query`);
      if (before.length > 1) throw new MultipleFoundError(`More than one ${label} matches the query`);
      const after = await updateByKeys(tx, model, update, keysOf(tx, model, before));
      if (after.length === 0) throw new NotFoundError(`No ${label} matches the query`);
      await reportChanges(tx, updateChanges(tx, model, before, after));
      return after[0]!;
    };
    // As below: by a unique key a failure spoils your transaction, else only the savepoint's.
    return where.some((w) => w.unique) ? spoilsOnError(db, () => db.transaction(once)) : db.transaction(once);
  }
  const shape = `${db.dialect}|updateOne|${update.shape}|${where.map((w) => w.shape).join(' & ')}`;
  const params = [...update.params, ...where.flatMap((w) => w.params)];
  const { sql: text, parameters } = compiled(model, shape, params, () => {
    let query = db.kysely.updateTable(model.meta.table).set(update.set());
    for (const clause of where) query = query.where(clause.expression);
    return query.returning(everyColumn(model)).compile();
  });
  return oneRow(source, where, async (tx) => {
    try {
      return await tx.all(text, parameters);
    } catch (error) {
      throw computedError(error, update.computed) ?? (await constraintError(error, tx, model, columns));
    }
  });
}

/**
 * `QuerySet.deleteOne`: deletes the one row matching `where` (with what its foreign keys'
 * `onDelete` ask, as `delete()`) and returns it as it was.
 */
export function deleteOneRow<M extends AnyModel>(
  source: Source,
  where: readonly Clause[],
  open: Reopen<M>,
): Promise<Record<string, unknown>> {
  const { db, model } = source;
  if (needsCollector(model) || db.observers.reaches(model))
    return db.transaction(async (tx) => {
      // Locked until the end: a concurrent deleteOne() of the row waits, then finds it gone (a
      // NotFoundError), instead of deleting nothing and answering the row too.
      const row = (await open(tx)
        .selectForUpdate({ of: ['self'] })
        .get()) as Record<string, unknown>;
      const pk = model.meta.pk;
      await executeDeletion(tx, await collectDeletion(tx, model, [pk.toDb(row[pk.attribute], tx.ops)]));
      return row;
    });
  const { sql: text, parameters } = compiledDelete(source, where, true);
  return oneRow(source, where, (tx) => tx.all(text, parameters));
}

/** The `delete` of the rows matching `where`, `returning` every column when asked. */
function compiledDelete(source: Source, where: readonly Clause[], returning: boolean) {
  const { db, model } = source;
  const shape = `${db.dialect}|delete${returning ? ' returning' : ''}|${where.map((w) => w.shape).join(' & ')}`;
  return compiled(
    model,
    shape,
    where.flatMap((w) => w.params),
    () => {
      let query = db.kysely.deleteFrom(model.meta.table);
      for (const clause of where) query = query.where(clause.expression);
      return returning ? query.returning(everyColumn(model)).compile() : query.compile();
    },
  );
}

/** Every column of `model`, for `returning`. */
function everyColumn(model: AnyModel) {
  return model.meta.concreteFields.map((field) => sql.ref(field.column!).as(field.column!));
}

/** What `getOrCreate` and `updateOrCreate` return: the row, and whether it was created. */
export interface Written<R> {
  row: R;
  created: boolean;
}

/** The QuerySet with the caller's filters, on the given database (a transaction). */
export type Reopen<M extends AnyModel> = (db: Database) => QuerySet<M>;

/** The values a lookup gives a new row: its keys without a lookup (or with `__exact`). */
function lookupValues(lookup: Record<string, unknown>): Record<string, unknown> {
  if (typeof lookup !== 'object' || lookup === null || Array.isArray(lookup))
    throw new QueryError('getOrCreate: the lookup should be an object, like { email: "ada@example.com" }');
  return plainValues(lookup);
}

/** A value as a message shows it: text quoted, an instant in ISO 8601. */
function shown(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Whether two values of `field` are the same once written (`'7.0'` and `'7.00'` for a decimal). */
function sameStored(field: AnyField, a: unknown, b: unknown, ops: DialectOps): boolean {
  if (Object.is(a, b)) return true;
  try {
    const [x, y] = [field.toDb(a, ops), field.toDb(b, ops)];
    if (x instanceof Date && y instanceof Date) return x.getTime() === y.getTime();
    return typeof x === typeof y && String(x) === String(y);
  } catch {
    return false;
  }
}

/**
 * Refuses `values` (a lookup's, or the defaults of a row about to be made) that set a key of
 * `given` (the plain values of the query's filters) otherwise: the row would not match the
 * query it was made through, so the next call would not find it and would make another.
 */
function refuseContradiction(
  model: AnyModel,
  given: Readonly<Record<string, unknown>>,
  values: Record<string, unknown>,
  ops: DialectOps,
  what: string,
  source: 'lookup' | 'defaults',
): void {
  for (const [key, filtered] of Object.entries(given)) {
    if (!Object.hasOwn(values, key)) continue;
    const field = model.meta.concreteFields.find((f) => f.attribute === key);
    if (!field || sameStored(field, filtered, values[key], ops)) continue;
    const why =
      source === 'lookup'
        ? 'no row can match both'
        : 'the row made would not match the query, and the next call would not find it';
    throw new QueryError(
      `${what}(): the ${source === 'lookup' ? 'lookup gives' : 'defaults give'} '${key}' ${shown(values[key])}, but the query's filter says ${shown(filtered)}: ${why}`,
    );
  }
}

/**
 * `defaults` of `getOrCreate`/`updateOrCreate`: a value, or a function called for it only when
 * it is used (as Django's callables in `defaults`).
 */
export type Defaults<M extends AnyModel> = {
  [K in keyof CreateInput<M>]?: CreateInput<M>[K] | (() => CreateInput<M>[K]);
};

function called(defaults: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(defaults))
    values[key] = typeof value === 'function' ? (value as () => unknown)() : value;
  return values;
}

async function find<M extends AnyModel>(set: QuerySet<M>, lookup: Filter<M>): Promise<Row<M> | undefined> {
  try {
    return (await set.get(lookup)) as Row<M>;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof ValidationError && error.errors.some((e) => e.type === 'unique');
}

/**
 * The row matching `lookup`, or a new one made of `lookup`'s plain values and `defaults`.
 * `MultipleFoundError` when several match.
 */
export async function getOrCreate<M extends AnyModel>(
  db: Database,
  open: Reopen<M>,
  lookup: Filter<M>,
  defaults: Record<string, unknown> = {},
  given: Readonly<Record<string, unknown>> = {},
): Promise<Written<Row<M>>> {
  const model = open(db).model;
  const values = lookupValues(lookup as Record<string, unknown>);
  refuseContradiction(model, given, values, db.ops, 'getOrCreate', 'lookup');
  const plain = { ...given, ...values };
  return db.transaction(async (tx) => {
    const found = await find(open(tx), lookup);
    if (found) return { row: found, created: false };
    const made = called(defaults);
    refuseContradiction(model, given, made, tx.ops, 'getOrCreate', 'defaults');
    try {
      // In a savepoint, as Django's get_or_create: a concurrent insert's unique violation is
      // survived, and the row it made is read.
      const row = await guarded(tx, (sp) => open(sp).create({ ...plain, ...made } as never));
      return { row, created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await find(open(tx), lookup);
      if (winner) return { row: winner, created: false };
      throw error;
    }
  });
}

/**
 * The row matching `lookup` updated with `defaults`, or a new one made of `lookup`'s plain
 * values and `defaults`.
 */
export async function updateOrCreate<M extends AnyModel>(
  db: Database,
  open: Reopen<M>,
  lookup: Filter<M>,
  defaults: Record<string, unknown>,
  given: Readonly<Record<string, unknown>> = {},
): Promise<Written<Row<M>>> {
  const model = open(db).model;
  const lookedUp = lookupValues(lookup as Record<string, unknown>);
  refuseContradiction(model, given, lookedUp, db.ops, 'updateOrCreate', 'lookup');
  const plain = { ...given, ...lookedUp };
  return db.transaction(async (tx) => {
    const update = async (row: Row<M>): Promise<Written<Row<M>>> => {
      const pk = open(tx).model.meta.pk.attribute;
      const key = { [pk]: (row as Record<string, unknown>)[pk] } as Filter<M>;
      const values = called(defaults);
      const updated = Object.values(values).some((value) => value !== undefined)
        ? ((await open(tx)
            .filter(key)
            .updateOne(values as never)) as Row<M>)
        : row;
      // Read again through the query for its selectRelated; a row the defaults moved out of
      // the query's filters is answered as the update left it (Django's update_or_create
      // returns it too).
      return { row: (await find(open(tx), key)) ?? updated, created: false };
    };
    const found = await find(open(tx), lookup);
    if (found) return update(found);
    const made = called(defaults);
    refuseContradiction(model, given, made, tx.ops, 'updateOrCreate', 'defaults');
    try {
      // In a savepoint, as Django's get_or_create: a concurrent insert's unique violation is
      // survived, and the row it made is read.
      const row = await guarded(tx, (sp) => open(sp).create({ ...plain, ...made } as never));
      return { row, created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await find(open(tx), lookup);
      if (winner) return update(winner);
      throw error;
    }
  });
}
