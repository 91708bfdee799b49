/**
 * Deleting rows the way their foreign keys say (`onDelete`). When the tables' own `on delete`
 * actions do exactly that (only `cascade` and `setNull` down the tree), one `delete` statement
 * is enough. Otherwise the ORM decides before anything is deleted: the rows reached through
 * `cascade` are collected level by level (one query per relation and level, never one per
 * row), `protect` and `restrict` refuse with the rows in the way, `setNull`/`setDefault` update
 * the rows pointing at the deleted ones, and the auto join table rows of many-to-manys are
 * removed; the database's actions remain a backstop.
 */
import { sql } from 'kysely';
import type { Database } from '../database.ts';
import { autoJoinTable } from '../ddl.ts';
import type { RelationField } from '../fields/relation.ts';
import type { AnyModel } from '../model.ts';
import { deleted, reportChanges, type WriteChange } from '../observers.ts';
import { type DeletionBlocker, ProtectedError, RestrictedError } from './errors.ts';
import { inList } from './lookup-sql.ts';
import { lockedRows, updateChanges } from './observed.ts';

/** How many keys of the rows in the way an error shows. */
const SHOWN = 10;

/** Rows of one model to delete, by primary key as the database holds it. */
interface Batch {
  readonly model: AnyModel;
  readonly keys: readonly unknown[];
}

interface Blocking {
  readonly model: AnyModel;
  readonly field: RelationField;
  readonly keys: Map<string, unknown>;
}

interface Update {
  readonly model: AnyModel;
  readonly field: RelationField;
  readonly keys: readonly unknown[];
}

interface JoinRows {
  readonly table: string;
  readonly column: string;
  readonly keys: readonly unknown[];
}

/** What a delete will do, collected before anything changes. */
export interface DeletionPlan {
  /** Batches in the order they were found: parents before the rows cascading from them. */
  readonly batches: readonly Batch[];
  readonly updates: readonly Update[];
  readonly joinRows: readonly JoinRows[];
  /** Per model, the keys being deleted. */
  readonly deleted: ReadonlyMap<AnyModel, ReadonlyMap<string, unknown>>;
}

/** A stable text key of a database value (bigints and numbers kept apart). */
function keyOf(value: unknown): string {
  return `${typeof value}:${String(value)}`;
}

const plans = new WeakMap<AnyModel, { version: number; collect: boolean }>();

/**
 * `true` when deleting `model`'s rows needs the collector; `false` when one `delete` statement
 * does exactly what `onDelete` says, through the tables' own `on delete` actions: every key
 * pointing at the model (and, for `cascade`, at the rows deleted with it, and so on) is
 * `cascade` or `setNull`, without a cycle back to a model on the way (whose rows the count of
 * the statement would miss). Many-to-many auto join tables cascade in the database too.
 * `protect`, `restrict` and `setDefault` (a default function has no SQL form) need the
 * collector. Cached per model until the registry changes.
 */
export function needsCollector(model: AnyModel): boolean {
  const version = model.meta.registry.version;
  const cached = plans.get(model);
  if (cached?.version === version) return cached.collect;
  const path = new Set<AnyModel>();
  const databaseDoes = (current: AnyModel): boolean => {
    if (path.has(current)) return false;
    path.add(current);
    const ok = current.meta.reverseRelations.every((relation) => {
      if (relation.kind === 'manyToMany') return true;
      const action = relation.field.onDelete;
      return action === 'setNull' || (action === 'cascade' && databaseDoes(relation.model));
    });
    path.delete(current);
    return ok;
  };
  const collect = !databaseDoes(model);
  plans.set(model, { version, collect });
  return collect;
}

/** The keys of `model`'s rows whose `field` points at one of `keys`: one query, however many keys. */
async function keysPointingAt(
  db: Database,
  model: AnyModel,
  field: RelationField,
  keys: readonly unknown[],
): Promise<unknown[]> {
  const { sql: text, parameters } = db.kysely
    .selectFrom(model.meta.table)
    .select(sql.ref(model.meta.pk.column!).as('key'))
    .where(inList(sql.ref(field.column!), keys, db.ops))
    .compile();
  return (await db.all<{ key: unknown }>(text, parameters)).map((row) => row.key);
}

function blockers(list: readonly Blocking[], db: Database): DeletionBlocker[] {
  return list.map(({ model, field, keys }) => ({
    model: model.meta.label,
    field: field.name,
    count: keys.size,
    keys: [...keys.values()].slice(0, SHOWN).map((key) => model.meta.pk.fromDb(key, db.ops)),
  }));
}

/**
 * Collects what deleting `keys` of `model` implies, following `cascade` level by level; throws
 * `ProtectedError` when a `protect` key points at a collected row, and `RestrictedError` when a
 * `restrict` key does from a row that is not itself collected. Reads only.
 */
export async function collectDeletion(
  db: Database,
  model: AnyModel,
  keys: readonly unknown[],
): Promise<DeletionPlan> {
  const deleted = new Map<AnyModel, Map<string, unknown>>();
  const batches: Batch[] = [];
  const updates: Update[] = [];
  const joinRows: JoinRows[] = [];
  const protecting = new Map<RelationField, Blocking>();
  const restricting = new Map<RelationField, Blocking>();
  const add = (target: AnyModel, found: readonly unknown[]): unknown[] => {
    let known = deleted.get(target);
    if (!known) {
      known = new Map();
      deleted.set(target, known);
    }
    const fresh: unknown[] = [];
    for (const key of found) {
      const text = keyOf(key);
      if (known.has(text)) continue;
      known.set(text, key);
      fresh.push(key);
    }
    if (fresh.length) batches.push({ model: target, keys: fresh });
    return fresh;
  };
  const block = (
    into: Map<RelationField, Blocking>,
    from: AnyModel,
    field: RelationField,
    found: unknown[],
  ) => {
    let entry = into.get(field);
    if (!entry) {
      entry = { model: from, field, keys: new Map() };
      into.set(field, entry);
    }
    for (const key of found) entry.keys.set(keyOf(key), key);
  };

  add(model, keys);
  for (let i = 0; i < batches.length; i++) {
    const batch = batches[i]!;
    for (const relation of batch.model.meta.forwardRelations) {
      const join = autoJoinTable(relation);
      if (!join) continue;
      joinRows.push({ table: join.table, column: join.sourceColumn, keys: batch.keys });
      // A symmetrical relation has no reverse side (below): the rows linking back go here.
      if (relation.symmetrical)
        joinRows.push({ table: join.table, column: join.targetColumn, keys: batch.keys });
    }
    for (const relation of batch.model.meta.reverseRelations) {
      if (relation.kind === 'manyToMany') {
        // A through model's rows are reached through its own foreign keys.
        const join = autoJoinTable(relation.field);
        if (join) joinRows.push({ table: join.table, column: join.targetColumn, keys: batch.keys });
        continue;
      }
      const field = relation.field;
      const found = await keysPointingAt(db, relation.model, field, batch.keys);
      if (found.length === 0) continue;
      switch (field.onDelete) {
        case 'cascade':
          add(relation.model, found);
          break;
        case 'protect':
          block(protecting, relation.model, field, found);
          break;
        case 'restrict':
          block(restricting, relation.model, field, found);
          break;
        default:
          updates.push({ model: relation.model, field, keys: found });
      }
    }
  }

  const label = model.meta.label;
  if (protecting.size) throw new ProtectedError(label, blockers([...protecting.values()], db));
  const restricted = [...restricting.values()]
    .map((entry) => {
      const gone = deleted.get(entry.model);
      const keys = new Map([...entry.keys].filter(([text]) => !gone?.has(text)));
      return { ...entry, keys };
    })
    .filter((entry) => entry.keys.size > 0);
  if (restricted.length) throw new RestrictedError(label, blockers(restricted, db));
  return { batches, updates, joinRows, deleted };
}

/**
 * Carries out a plan: updates the `setNull`/`setDefault` keys of rows that stay, removes join
 * table rows, then deletes the batches, the rows cascading from a batch before it. Returns how
 * many rows of each model were deleted. Run it in the transaction that collected the plan.
 * The rows of observed models (`observeWrites()`) are read before (and the updated ones after)
 * and reported in one call: the deleted rows in the plan's order (those asked for first, then
 * those cascading from them), then the updated ones.
 */
export async function executeDeletion(db: Database, plan: DeletionPlan): Promise<Map<AnyModel, number>> {
  const observers = db.observers;
  const updates = plan.updates.map((update) => {
    const gone = plan.deleted.get(update.model);
    return { ...update, staying: update.keys.filter((key) => !gone?.has(keyOf(key))) };
  });
  const changes: WriteChange[] = [];
  const updatedBefore = new Map<(typeof updates)[number], Record<string, unknown>[]>();
  for (const { model, keys } of plan.batches)
    if (observers.watching(model))
      for (const row of await lockedRows(db, model, [], keys)) changes.push(deleted(model, row));
  for (const update of updates)
    if (update.staying.length && observers.watching(update.model))
      updatedBefore.set(update, await lockedRows(db, update.model, [], update.staying));
  const counts = await deleteAsPlanned(db, plan, updates);
  for (const [update, before] of updatedBefore)
    changes.push(
      ...updateChanges(db, update.model, before, await lockedRows(db, update.model, [], update.staying)),
    );
  await reportChanges(db, changes);
  return counts;
}

/** The statements of a plan: the updates of the rows `staying`, the join rows, the deletes. */
async function deleteAsPlanned(
  db: Database,
  plan: DeletionPlan,
  updates: readonly (Update & { readonly staying: readonly unknown[] })[],
): Promise<Map<AnyModel, number>> {
  for (const { model, field, staying } of updates) {
    if (staying.length === 0) continue;
    const value = field.onDelete === 'setDefault' ? field.toDb(field.getDefault() ?? null, db.ops) : null;
    const { sql: text, parameters } = db.kysely
      .updateTable(model.meta.table)
      .set({ [field.column!]: value })
      .where(inList(sql.ref(model.meta.pk.column!), staying, db.ops))
      .compile();
    await db.run(text, parameters);
  }
  for (const { table, column, keys } of plan.joinRows) {
    const { sql: text, parameters } = db.kysely
      .deleteFrom(table)
      .where(inList(sql.ref(column), keys, db.ops))
      .compile();
    await db.run(text, parameters);
  }
  const counts = new Map<AnyModel, number>();
  for (const { model, keys } of [...plan.batches].reverse()) {
    const { sql: text, parameters } = db.kysely
      .deleteFrom(model.meta.table)
      .where(inList(sql.ref(model.meta.pk.column!), keys, db.ops))
      .compile();
    const { changes } = await db.run(text, parameters);
    counts.set(model, (counts.get(model) ?? 0) + changes);
  }
  return counts;
}
