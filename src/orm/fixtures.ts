/**
 * Fixtures: rows as JSON objects and back, as Django's `dumpdata` and `loaddata` (what `volt
 * dumpdata` and `volt loaddata` run). One object a row, in Django's shape:
 * `{ "model": "library.Book", "pk": 1, "fields": { "title": "Dune", "author": 3, "tags": [1, 2] } }`.
 *
 * Loading writes rows as they are given (Django's raw save): the primary key, `autoNow` fields
 * and fields no input may set (`editable: false`) are written from the fixture, and no default
 * function runs for a field the object names. Foreign keys are not deferred (Volt's are not
 * `DEFERRABLE`): rows go in in dependency order instead — see {@link loadData}.
 */

import { sql } from 'kysely';
import type { Database } from './database.ts';
import { autoJoinTable } from './ddl.ts';
import type { AnyField } from './fields/field.ts';
import { RelationField } from './fields/relation.ts';
import {
  chunks,
  existingKeys,
  jsonValue,
  KEYS_PER_QUERY,
  keyText,
  noRow,
  type Parsed,
  type Reference,
  setLinks,
  Writer,
  writeRows,
} from './fixture-writer.ts';
import type { AnyModel } from './model.ts';
import { QueryError, ValidationError } from './query/errors.ts';
import { query } from './query/queryset.ts';
import type { FieldError } from './validation.ts';

/** One row of a fixture, as `dumpData` writes it and `loadData` reads it. */
export interface FixtureObject {
  /** The model's label (`library.Book`). */
  model: string;
  /** The primary key. `loadData` inserts an object without one (auto keys only) as a new row. */
  pk?: unknown;
  /**
   * Every other field by name, as the model's JSON schema reads it (instants as ISO 8601 text,
   * decimals as strings); a foreign key as its target's primary key; a many-to-many (without a
   * `through` model) as the list of its targets' primary keys.
   */
  fields: Record<string, unknown>;
}

/** Options of {@link dumpData}. */
export interface DumpOptions {
  /** Only the rows with these primary keys; needs exactly one model (as Django's `--pks`). */
  pks?: readonly unknown[];
}

/** Options of {@link loadData}. */
export interface LoadOptions {
  /**
   * Skip fields the model does not have and objects of models not given, instead of refusing
   * the fixture (Django's `--ignorenonexistent`: data from before a field or model was removed).
   */
  ignoreNonexistent?: boolean;
}

/** What {@link loadData} wrote. */
export interface LoadResult {
  /** Objects written (an object given twice counts twice, as in Django). */
  loaded: number;
  /** Objects skipped with `ignoreNonexistent`: their model is not among the models given. */
  skipped: number;
}

/**
 * `models` each after the models it points at, through a foreign key or a many-to-many written
 * inline (as Django sorts them); the others keep their order, and so does a cycle.
 */
function dependencyOrder(models: readonly AnyModel[]): AnyModel[] {
  const left = [...new Set(models)];
  const done = new Set<AnyModel>();
  const ordered: AnyModel[] = [];
  const ready = (model: AnyModel) =>
    model.meta.forwardRelations.every((field) => {
      if (!field.concrete && !autoJoinTable(field)) return true;
      const target = field.target;
      return target === model || done.has(target) || !left.includes(target);
    });
  while (left.length) {
    const index = left.findIndex(ready);
    const [next] = left.splice(index === -1 ? 0 : index, 1);
    done.add(next!);
    ordered.push(next!);
  }
  return ordered;
}

/** The many-to-manys written inline: those without a `through` model (which is dumped itself). */
function inlineManyToManys(model: AnyModel): RelationField[] {
  return model.meta.forwardRelations.filter((field) => autoJoinTable(field) !== undefined);
}

/** Each row's linked target keys through the auto join table of `field`, by the row's key text. */
async function linksOf(
  db: Database,
  field: RelationField,
  keys: readonly unknown[] | undefined,
): Promise<Map<string, unknown[]>> {
  const join = autoJoinTable(field)!;
  const sourcePk = field.model!.meta.pk;
  const targetPk = field.targetPk;
  const links = new Map<string, unknown[]>();
  for (const batch of keys === undefined ? [undefined] : chunks(keys, KEYS_PER_QUERY)) {
    let select = db.kysely
      .selectFrom(join.table)
      .select([sql.ref(join.sourceColumn).as('source'), sql.ref(join.targetColumn).as('target')])
      .orderBy(sql.ref(join.sourceColumn))
      .orderBy(sql.ref(join.targetColumn));
    if (batch)
      select = select.where(
        sql.ref(join.sourceColumn),
        'in',
        batch.map((key) => sourcePk.toDb(key, db.ops)),
      );
    const { sql: text, parameters } = select.compile();
    for (const row of await db.all<{ source: unknown; target: unknown }>(text, parameters)) {
      const source = keyText(sourcePk, sourcePk.fromDb(row.source, db.ops), db);
      const list = links.get(source) ?? [];
      list.push(jsonValue(targetPk.fromDb(row.target, db.ops)));
      links.set(source, list);
    }
  }
  return links;
}

async function dumpModel(
  db: Database,
  model: AnyModel,
  pks: readonly unknown[] | undefined,
): Promise<FixtureObject[]> {
  const meta = model.meta;
  const pk = meta.pk;
  let rows = query(db, model).orderBy(pk.attribute as never);
  if (pks !== undefined) {
    for (const key of pks) {
      const [issue] =
        key === null || key === undefined ? [{ msg: 'Input should not be null' }] : pk.check(key);
      if (issue)
        throw new QueryError(
          `dumpData: ${JSON.stringify(key)} is not a ${meta.label} primary key: ${issue.msg}`,
        );
    }
    rows = rows.filter({ [`${pk.attribute}__in`]: [...pks] } as never);
  }
  const manyToManys = inlineManyToManys(model);
  const links = await Promise.all(manyToManys.map((field) => linksOf(db, field, pks)));
  const fields = meta.concreteFields.filter((field) => field !== pk);
  const objects: FixtureObject[] = [];
  for await (const row of rows.iterate()) {
    const values: Record<string, unknown> = {};
    for (const field of fields)
      values[field.name] = jsonValue((row as Record<string, unknown>)[field.attribute]);
    const key = (row as Record<string, unknown>)[pk.attribute];
    const text = keyText(pk, key, db);
    manyToManys.forEach((field, i) => {
      values[field.name] = links[i]!.get(text) ?? [];
    });
    objects.push({ model: meta.label, pk: jsonValue(key), fields: values });
  }
  return objects;
}

/**
 * The rows of `models` as fixture objects: the models in dependency order (a foreign key's
 * target before the model pointing at it), each model's rows by primary key. Every concrete
 * field is written, `writeOnly` ones too (a password hash: a dump is a copy of the data, not a
 * response; keep it private); a many-to-many's keys in ascending order. `pks` keeps the rows
 * with those keys (one model only: a `QueryError` otherwise).
 *
 * @example
 * ```ts
 * const objects = await dumpData(db, [Author, Book]);
 * // [{ model: 'library.Author', pk: 1, fields: { name: 'Ada', … } }, { model: 'library.Book', pk: 1, fields: { author: 1, tags: [2], … } }]
 * await writeFile('library.json', JSON.stringify(objects, null, 2));
 * ```
 */
export async function dumpData(
  db: Database,
  models: readonly AnyModel[],
  options: DumpOptions = {},
): Promise<FixtureObject[]> {
  const ordered = dependencyOrder(models);
  if (options.pks !== undefined && ordered.length !== 1)
    throw new QueryError(`dumpData: pks needs exactly one model, got ${ordered.length}`);
  const objects: FixtureObject[] = [];
  for (const model of ordered) objects.push(...(await dumpModel(db, model, options.pks)));
  return objects;
}

// ---- loading -------------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDeclaredDefault(field: AnyField, value: unknown): boolean {
  return field.hasDefault && typeof field.default !== 'function' && Object.is(field.default, value);
}

/** Checks one object against its model; pushes its problems to `errors`. */
function parseObject(
  raw: unknown,
  index: number,
  byLabel: ReadonlyMap<string, AnyModel>,
  options: LoadOptions,
  db: Database,
  errors: FieldError[],
): Parsed | 'skipped' | undefined {
  const fail = (loc: (string | number)[], msg: string, type: string): undefined => {
    errors.push({ loc: [index, ...loc], msg, type });
    return undefined;
  };
  if (!isObject(raw)) return fail([], 'Input should be an object with model, pk and fields', 'model_type');
  if (typeof raw.model !== 'string')
    return fail(['model'], 'Input should be a model label, like "library.Book"', 'string_type');
  const model = byLabel.get(raw.model);
  if (!model)
    return options.ignoreNonexistent
      ? 'skipped'
      : fail(['model'], `Unknown model '${raw.model}'`, 'unknown_model');
  const meta = model.meta;
  const given = raw.fields ?? {};
  if (!isObject(given)) return fail(['fields'], 'Input should be an object of field values', 'dict_type');
  for (const key of Object.keys(raw))
    if (key !== 'model' && key !== 'pk' && key !== 'fields')
      fail([key], 'Extra inputs are not permitted (an object has model, pk and fields)', 'extra_forbidden');
  const pk = meta.pk;
  const count = errors.length;
  const columns: Record<string, unknown> = {};
  let key: string | undefined;
  if (raw.pk === undefined || raw.pk === null) {
    if (pk.kind !== 'auto') fail(['pk'], 'Field required', 'missing');
  } else {
    const [issue] = pk.check(raw.pk);
    if (issue) fail(['pk'], issue.msg, issue.type);
    else {
      columns[pk.column!] = pk.toDb(raw.pk, db.ops);
      key = keyText(pk, raw.pk, db);
    }
  }
  const now = new Date();
  const references: Reference[] = [];
  const links = new Map<RelationField, unknown[]>();
  for (const name of Object.keys(given)) {
    if (meta.hasField(name)) continue;
    if (options.ignoreNonexistent) continue;
    const byAttribute = meta.fields.find((f) => f.attribute === name && f.attribute !== f.name);
    const hint = byAttribute ? ` (did you mean '${byAttribute.name}'?)` : '';
    fail(['fields', name], `${meta.label} has no field '${name}'${hint}`, 'extra_forbidden');
  }
  for (const field of meta.fields) {
    const name = field.name;
    const value = given[name];
    if (field === pk) {
      if (value !== undefined)
        fail(['fields', name], 'The primary key goes in pk, not in fields', 'extra_forbidden');
      continue;
    }
    if (field instanceof RelationField && field.kind === 'manyToMany') {
      if (value === undefined) continue;
      if (!autoJoinTable(field)) {
        const through = field.through!.meta.label;
        fail(
          ['fields', name],
          `${meta.label}.${name} goes through ${through}: give its links as ${through} objects`,
          'extra_forbidden',
        );
        continue;
      }
      const [issue] = field.check(value);
      if (issue) fail(['fields', name], issue.msg, issue.type);
      else links.set(field, value as unknown[]);
      continue;
    }
    let stored = value;
    if (stored === undefined) {
      if (field.autoNow || field.autoNowAdd) stored = now;
      else if (field.hasDefault) stored = field.getDefault();
      else if (field.nullable) stored = null;
      else {
        fail(['fields', name], 'Field required', 'missing');
        continue;
      }
    }
    // The declared default is what a create leaves unchecked (an email field's ''): taken as is.
    const [issue] = isDeclaredDefault(field, stored) ? [] : field.check(stored);
    if (issue) {
      fail(['fields', name], issue.msg, issue.type);
      continue;
    }
    columns[field.column!] = field.toDb(stored, db.ops);
    if (field instanceof RelationField && stored !== null)
      references.push({ field, value: stored, key: keyText(field, stored, db) });
  }
  if (errors.length > count) return undefined;
  return { index, model, pk: key === undefined ? undefined : raw.pk, key, columns, references, links };
}

/** Foreign keys and many-to-many keys pointing at rows neither in the fixture nor in the database. */
async function missingTargets(
  db: Database,
  rows: readonly Parsed[],
  inFixture: ReadonlyMap<AnyModel, ReadonlySet<string>>,
): Promise<FieldError[]> {
  const wanted = new Map<AnyModel, Map<string, unknown>>();
  const want = (target: AnyModel, key: string, value: unknown) => {
    if (inFixture.get(target)?.has(key)) return;
    const keys = wanted.get(target) ?? new Map<string, unknown>();
    keys.set(key, value);
    wanted.set(target, keys);
  };
  for (const row of rows) {
    for (const ref of row.references) want(ref.field.target, ref.key, ref.value);
    for (const [field, keys] of row.links)
      for (const key of keys) want(field.target, keyText(field, key, db), key);
  }
  const found = new Map<AnyModel, Set<string>>();
  for (const [target, keys] of wanted) found.set(target, await existingKeys(db, target, [...keys.values()]));
  const errors: FieldError[] = [];
  const exists = (target: AnyModel, key: string) =>
    inFixture.get(target)?.has(key) || found.get(target)?.has(key);
  for (const row of rows) {
    for (const ref of row.references)
      if (!exists(ref.field.target, ref.key))
        errors.push({
          loc: [row.index, 'fields', ref.field.name],
          msg: noRow(ref.field.target, ref.value),
          type: 'foreign_key',
        });
    for (const [field, keys] of row.links)
      for (const key of keys)
        if (!exists(field.target, keyText(field, key, db)))
          errors.push({
            loc: [row.index, 'fields', field.name],
            msg: noRow(field.target, key),
            type: 'foreign_key',
          });
  }
  return errors;
}

/**
 * Loads fixture objects (as {@link dumpData} writes them, or Django's JSON fixtures) into the
 * tables of `models`, in one transaction: every object is checked first (an unknown model or
 * field, a bad value, a foreign key to a row that is nowhere: one `ValidationError` listing each
 * problem at `[index, 'fields', name]`, `[index, 'model']` or `[index, 'pk']`), then each row
 * whose primary key exists is updated (every field: one the object leaves out gets its
 * default, as Django's `loaddata`) and the others are inserted with their key. A constraint the
 * database enforces (a unique value taken by another row) fails as a `ValidationError` at the
 * object. Any failure keeps nothing.
 *
 * Foreign keys may point at rows later in the fixture: models are written in dependency order
 * and a model's rows with their parents first; a row still pointing at one not written yet (a
 * cycle) has a nullable key set once every row is in, and a non-nullable one is refused.
 * Many-to-many links are set after the rows (`related(…).set()`: the listed links replace the
 * row's). Then each auto key's sequence is moved past the largest key, so later inserts do not
 * collide (PostgreSQL).
 *
 * @example
 * ```ts
 * const objects = JSON.parse(await readFile('library.json', 'utf8'));
 * const { loaded } = await loadData(db, [Author, Book, Tag], objects);
 * ```
 */
export async function loadData(
  db: Database,
  models: readonly AnyModel[],
  objects: unknown,
  options: LoadOptions = {},
): Promise<LoadResult> {
  if (!Array.isArray(objects))
    throw new ValidationError([{ loc: [], msg: 'A fixture is a list of objects', type: 'list_type' }]);
  const byLabel = new Map(models.map((model) => [model.meta.label, model]));
  const errors: FieldError[] = [];
  const parsed: Parsed[] = [];
  let skipped = 0;
  objects.forEach((raw, index) => {
    const result = parseObject(raw, index, byLabel, options, db, errors);
    if (result === 'skipped') skipped++;
    else if (result) parsed.push(result);
  });
  if (errors.length) throw new ValidationError(errors);

  // The last object given for a key is the row's final state (Django saves each in turn).
  const byModel = new Map<AnyModel, Map<string, Parsed>>();
  const unkeyed = new Map<AnyModel, Parsed[]>();
  for (const row of parsed) {
    if (row.key === undefined) {
      unkeyed.set(row.model, [...(unkeyed.get(row.model) ?? []), row]);
      continue;
    }
    const rows = byModel.get(row.model) ?? new Map<string, Parsed>();
    rows.delete(row.key);
    rows.set(row.key, row);
    byModel.set(row.model, rows);
  }
  const inFixture = new Map([...byModel].map(([model, rows]) => [model, new Set(rows.keys())]));
  const order = dependencyOrder([...new Set(parsed.map((row) => row.model))]);

  await db.transaction(async (tx) => {
    const missing = await missingTargets(tx, parsed, inFixture);
    if (missing.length) throw new ValidationError(missing);
    const writer = new Writer(tx);
    await writeRows(tx, writer, order, byModel, inFixture);
    // Rows without a key come once the sequences are past the given keys, so theirs are new.
    for (const model of order) {
      const pk = model.meta.pk;
      if (pk.kind !== 'auto' || !byModel.has(model)) continue;
      const reset = tx.ops.resetSequenceSql(model.meta.table, pk.column!);
      if (reset) await tx.run(reset);
    }
    const keys = new Map<Parsed, unknown>();
    for (const model of order)
      for (const row of unkeyed.get(model) ?? []) keys.set(row, await writer.insert(row));
    for (const row of parsed) {
      if (row.key !== undefined && byModel.get(row.model)?.get(row.key) !== row) continue;
      await setLinks(tx, row, row.key === undefined ? keys.get(row) : row.pk);
    }
  });
  return { loaded: parsed.length, skipped };
}
