/**
 * The autodetector: the operations that turn one project state into another (the state the
 * migrations describe into the state of the models), per app, in an order the database can
 * apply: renames first, then removals of constraints, new models (each after the models its
 * relations need), removed fields and models, new and changed fields, new constraints and
 * options last.
 */
import { autoJoinTable } from '../ddl.ts';
import { quoteIdentifier as q } from '../dialects/quote.ts';
import type { AnyField } from '../fields/field.ts';
import type { CheckSpec, IndexSpec } from '../meta.ts';
import type { AnyModel } from '../model.ts';
import {
  type Deconstruction,
  deconstruct,
  reconstruct,
  retargeted,
  sameDeconstruction,
  sameValue,
  withOptions,
} from './deconstruct.ts';
import {
  AddCheck,
  AddField,
  AddIndex,
  AlterField,
  AlterModelOptions,
  AlterModelTable,
  AlterUniqueTogether,
  CreateModel,
  DeleteModel,
  type MigrationOperation,
  RemoveCheck,
  RemoveField,
  RemoveIndex,
  RenameField,
  RenameModel,
  RunSql,
} from './operations/index.ts';
import { type Questioner, symmetricalRefused } from './questioner.ts';
import { ProjectState } from './state.ts';
import type { LoadedMigration, MigrationId, ModelState, ModelStateOptions } from './types.ts';

/** The app of a label: `library.Book` → `library`. */
export function appOf(label: string): string {
  return label.slice(0, label.indexOf('.'));
}

const RELATIONS = new Set(['foreignKey', 'oneToOne', 'manyToMany']);

/** The labels a field's relation needs to exist: its target and its join model. */
function relationTargets(field: AnyField, owner: string): string[] {
  const d = deconstruct(field, owner);
  if (!RELATIONS.has(d.builder)) return [];
  const [target, options = {}] = d.args as [string, { through?: string }?];
  return options.through ? [target, options.through] : [target];
}

/** The deconstruction without the column name (a renamed field keeps its column or not). */
function withoutColumn(d: Deconstruction): Deconstruction {
  return withOptions(d, ({ dbColumn: _column, ...rest }) => rest);
}

/** The field with `default` set to a one-off value. */
function withDefault(field: AnyField, owner: string, value: unknown): AnyField {
  return reconstruct(withOptions(deconstruct(field, owner), (options) => ({ ...options, default: value })));
}

/** `true` when a new column on existing rows needs a value the field does not give. */
function needsValue(field: AnyField): boolean {
  return field.kind !== 'manyToMany' && !field.nullable && !field.hasDefault && !field.primaryKey;
}

function bare(name: string): string {
  return name.startsWith('-') ? name.slice(1) : name;
}

function sameIndex(a: IndexSpec, b: IndexSpec): boolean {
  return sameValue(
    { fields: a.fields, unique: a.unique ?? false },
    { fields: b.fields, unique: b.unique ?? false },
  );
}

function sameSets(a: readonly (readonly string[])[] = [], b: readonly (readonly string[])[] = []): boolean {
  return sameValue(a, b);
}

/** The options `op.alterModelOptions` holds. */
function plainOptions(options: ModelStateOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (options.ordering?.length) out.ordering = [...options.ordering];
  if (options.verboseName !== undefined) out.verboseName = options.verboseName;
  if (options.verboseNamePlural !== undefined) out.verboseNamePlural = options.verboseNamePlural;
  return out;
}

/** `options` without the entries that name a field outside `fields`. */
function optionsFor(options: ModelStateOptions, fields: ReadonlySet<string>): ModelStateOptions {
  const has = (name: string) => fields.has(bare(name));
  const kept: { -readonly [K in keyof ModelStateOptions]: ModelStateOptions[K] } = { ...options };
  if (options.ordering && !options.ordering.every(has)) delete kept.ordering;
  if (options.indexes) kept.indexes = options.indexes.filter((index) => index.fields.every(has));
  if (options.uniqueTogether) kept.uniqueTogether = options.uniqueTogether.filter((set) => set.every(has));
  if (options.checks)
    kept.checks = options.checks.filter(
      (check) => !('where' in check) || Object.keys(check.where).every(has),
    );
  return kept;
}

/**
 * The names of `fields` that options may name: the fields, and the auto `id` a model gets when
 * none of them is its primary key (`ordering: ['-id']` names it).
 */
function nameable(fields: Iterable<[string, AnyField]>): Set<string> {
  const names = new Set<string>();
  let keyed = false;
  for (const [name, field] of fields) {
    names.add(name);
    if (field.primaryKey) keyed = true;
  }
  if (!keyed) names.add('id');
  return names;
}

/** Options of `detectChanges`. */
export interface DetectOptions {
  /** Only these apps' changes (default: every app). */
  apps?: readonly string[];
}

/** The states restricted to `apps`. */
function restrict(state: ProjectState, apps: readonly string[] | undefined): ProjectState {
  if (!apps) return state;
  return new ProjectState([...state.models].filter(([label]) => apps.includes(appOf(label))));
}

/**
 * The operations that turn `from` into `to`, per app (apps in name order, operations in the
 * order to apply them). Renames and one-off values are asked of `questioner`.
 *
 * @example
 * ```ts
 * const changes = await detectChanges(
 *   ProjectState.fromMigrations(ordered),
 *   ProjectState.fromModels(allModels()),
 *   new NonInteractiveQuestioner(),
 * );
 * changes.get('library'); // [AddField { label: 'library.Book', name: 'isbn', … }]
 * ```
 */
export async function detectChanges(
  fromState: ProjectState,
  toState: ProjectState,
  questioner: Questioner,
  options: DetectOptions = {},
): Promise<Map<string, MigrationOperation[]>> {
  const from = restrict(fromState, options.apps);
  const to = restrict(toState, options.apps);
  const work = from.clone();
  const operations: [app: string, operation: MigrationOperation][] = [];
  // An operation about no model (the SQL mirroring links) is given its app.
  const emit = (operation: MigrationOperation, app = appOf(labelOf(operation))): void => {
    operation.stateForwards(work);
    operations.push([app, operation]);
  };
  const target = (label: string): ModelState => to.models.get(label)!;
  const current = (label: string): ModelState => work.models.get(label)!;
  const kept = (): string[] => [...to.models.keys()].filter((label) => work.models.has(label));

  // 1. Renamed models: a removed and an added model of one app with the same fields.
  const removedModels = [...work.models.keys()].filter((label) => !to.models.has(label));
  for (const added of [...to.models.keys()].filter((label) => !work.models.has(label))) {
    for (const removed of removedModels) {
      if (appOf(removed) !== appOf(added) || !sameShape(current(removed), target(added), removed, added))
        continue;
      if (!(await questioner.askRenameModel(removed, added))) continue;
      emit(new RenameModel(removed, added));
      removedModels.splice(removedModels.indexOf(removed), 1);
      break;
    }
  }

  // 2. Table names of models that stay.
  for (const label of kept())
    if ((current(label).options.table ?? null) !== (target(label).options.table ?? null))
      emit(new AlterModelTable(label, target(label).options.table ?? null));

  // 3. Renamed fields: a removed and an added field of one model, declared alike.
  for (const label of kept()) {
    const before = current(label);
    const after = target(label);
    const removed = [...before.fields.keys()].filter((name) => !after.fields.has(name));
    for (const [name, field] of after.fields) {
      if (before.fields.has(name)) continue;
      const wanted = withoutColumn(deconstruct(field, label));
      for (const old of removed) {
        if (!sameDeconstruction(withoutColumn(deconstruct(before.fields.get(old)!, label)), wanted)) continue;
        if (!(await questioner.askRenameField(label, old, name))) continue;
        emit(new RenameField(label, old, name));
        removed.splice(removed.indexOf(old), 1);
        break;
      }
    }
  }

  // 4. Constraints and options that go away or would name a removed field.
  for (const label of kept()) {
    const before = current(label).options;
    const after = target(label).options;
    for (const index of before.indexes ?? []) {
      const next = after.indexes?.find((i) => i.name === index.name);
      if (!next || !sameIndex(index, next)) emit(new RemoveIndex(label, index.name!));
    }
    for (const check of before.checks ?? []) {
      const next = after.checks?.find((c) => c.name === check.name);
      if (!next || !sameValue(check, next)) emit(new RemoveCheck(label, check.name));
    }
    const sets = before.uniqueTogether ?? [];
    const staying = sets.filter((set) => (after.uniqueTogether ?? []).some((s) => sameValue(s, set)));
    if (staying.length !== sets.length) emit(new AlterUniqueTogether(label, staying));
    const remaining = nameable([...current(label).fields].filter(([name]) => target(label).fields.has(name)));
    const wanted = plainOptions(after);
    if (!sameValue(plainOptions(before), wanted)) {
      if ((after.ordering ?? []).every((entry) => remaining.has(bare(entry))))
        emit(new AlterModelOptions(label, wanted));
      else if (!(before.ordering ?? []).every((entry) => remaining.has(bare(entry))))
        emit(new AlterModelOptions(label, { ...plainOptions(before), ordering: [] }));
    }
  }

  // 5. New models, each after the models its relations need; a relation that cannot wait
  //    (two new models pointing at each other) is added as a field once both exist.
  const deferred: [string, string, AnyField][] = [];
  const pending = [...to.models.keys()].filter((label) => !work.models.has(label));
  const available = (label: string, owner: string): boolean =>
    label === owner || work.models.has(label) || appOf(label) !== appOf(owner) || !pending.includes(label);
  while (pending.length) {
    const ready = pending.find((label) =>
      [...target(label).fields.values()].every((field) =>
        relationTargets(field, label).every((t) => available(t, label)),
      ),
    );
    const label = ready ?? pending[0]!;
    pending.splice(pending.indexOf(label), 1);
    const fields: Record<string, AnyField> = {};
    for (const [name, field] of target(label).fields) {
      if (relationTargets(field, label).every((t) => available(t, label))) fields[name] = field;
      else deferred.push([label, name, field]);
    }
    emit(new CreateModel(label, fields, optionsFor(target(label).options, nameable(Object.entries(fields)))));
  }

  // 6. Fields that go away from models that stay.
  for (const label of kept())
    for (const name of current(label).fields.keys())
      if (!target(label).fields.has(name) && work.models.has(label)) emit(new RemoveField(label, name));

  // 7. Models that go away, each before the models it points at.
  const doomed = removedModels.filter((label) => work.models.has(label));
  while (doomed.length) {
    const free =
      doomed.find((label) =>
        doomed.every(
          (other) =>
            other === label ||
            ![...current(other).fields.values()].some((field) =>
              relationTargets(field, other).includes(label),
            ),
        ),
      ) ?? doomed[0]!;
    doomed.splice(doomed.indexOf(free), 1);
    emit(new DeleteModel(free));
  }

  // 8. New fields: the relations held back in 5, then fields new to models that stay.
  for (const [label, name, field] of deferred) emit(new AddField(label, name, field));
  for (const label of kept()) {
    for (const [name, field] of target(label).fields) {
      if (current(label).fields.has(name)) continue;
      if (needsValue(field)) {
        const value = await questioner.askAddDefault(label, name, field);
        emit(new AddField(label, name, withDefault(field, label, value), { preserveDefault: false }));
      } else emit(new AddField(label, name, field));
    }
  }

  // 9. Changed fields. A one-way many-to-many to its own model becoming symmetrical changes
  //    what its rows mean: it is confirmed, and its existing links get their row back.
  for (const label of kept())
    for (const [name, field] of target(label).fields) {
      const before = current(label).fields.get(name);
      if (!before) continue;
      const from = deconstruct(before, label);
      const to = deconstruct(field, label);
      if (sameDeconstruction(from, to)) continue;
      const symmetrical = becomesSymmetrical(from, to, label);
      if (symmetrical) {
        const through = symmetrical.through;
        if (!(await questioner.askSymmetrical?.(label, name, through))) throw symmetricalRefused(label, name);
      }
      emit(new AlterField(label, name, field));
      if (symmetrical && !symmetrical.through) emit(mirrorLinks(work.model(label), name), appOf(label));
    }

  // 10. New constraints and the options as declared.
  for (const label of [...to.models.keys()]) {
    const before = current(label).options;
    const after = target(label).options;
    if (!sameSets(before.uniqueTogether, after.uniqueTogether))
      emit(new AlterUniqueTogether(label, after.uniqueTogether ?? []));
    for (const index of after.indexes ?? [])
      if (!before.indexes?.some((i) => i.name === index.name))
        emit(new AddIndex(label, index as IndexSpec & { name: string }));
    for (const check of after.checks ?? [])
      if (!before.checks?.some((c) => c.name === check.name)) emit(new AddCheck(label, check as CheckSpec));
    if (!sameValue(plainOptions(current(label).options), plainOptions(after)))
      emit(new AlterModelOptions(label, plainOptions(after)));
  }

  const byApp = new Map<string, MigrationOperation[]>();
  for (const [app, operation] of operations) byApp.set(app, [...(byApp.get(app) ?? []), operation]);
  return new Map([...byApp].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * `{ through }` when a many-to-many to its own model, one-way in `from`, is symmetrical in `to`
 * (`through` its join model's label, if any); `undefined` otherwise.
 */
function becomesSymmetrical(
  from: Deconstruction,
  to: Deconstruction,
  label: string,
): { through: string | undefined } | undefined {
  if (from.builder !== 'manyToMany' || to.builder !== 'manyToMany') return undefined;
  const [before, was = {}] = from.args as [string, { symmetrical?: boolean }?];
  const [after, now = {}] = to.args as [string, { symmetrical?: boolean; through?: string }?];
  if (before !== label || after !== label || was.symmetrical !== false || now.symmetrical !== true)
    return undefined;
  return { through: now.through };
}

/**
 * The SQL that gives each link of the auto join table of `model`'s many-to-many `name` its row
 * back (`b → a` for `a → b`), so that a one-way relation made symmetrical reads the same from
 * both ends. The same text runs on SQLite and PostgreSQL; undoing it keeps the rows.
 */
function mirrorLinks(model: AnyModel, name: string): RunSql {
  const join = autoJoinTable(model.meta.relation(name))!;
  const [table, from, to] = [q(join.table), q(join.sourceColumn), q(join.targetColumn)];
  return new RunSql({
    forward:
      `insert into ${table} (${from}, ${to}) select l.${to}, l.${from} from ${table} l ` +
      `where not exists (select 1 from ${table} m where m.${from} = l.${to} and m.${to} = l.${from})`,
    backward: [],
  });
}

/** The model an operation the autodetector made is about. */
function labelOf(operation: MigrationOperation): string {
  const holder = operation as unknown as { label?: string; oldLabel?: string };
  return holder.label ?? holder.oldLabel!;
}

/** `true` when model `b` (labelled `bLabel`) has the fields of `a` (labelled `aLabel`), declared alike. */
function sameShape(a: ModelState, b: ModelState, aLabel: string, bLabel: string): boolean {
  if (a.fields.size !== b.fields.size) return false;
  for (const [name, field] of a.fields) {
    const other = b.fields.get(name);
    if (!other) return false;
    const renamed = retargeted(deconstruct(field, aLabel), aLabel, bLabel);
    if (!sameDeconstruction(renamed, deconstruct(other, bLabel))) return false;
  }
  return true;
}

/** The labels of other apps' models an operation needs (its relations' targets). */
function externalReferences(operation: MigrationOperation): string[] {
  const label = labelOf(operation);
  const fields: AnyField[] =
    operation instanceof CreateModel
      ? Object.values(operation.fields)
      : operation instanceof AddField || operation instanceof AlterField
        ? [operation.field]
        : [];
  return [...new Set(fields.flatMap((field) => relationTargets(field, label)))].filter(
    (t) => appOf(t) !== appOf(label),
  );
}

/** A migration `makemigrations` is about to write. */
export interface PlannedMigration {
  readonly app: string;
  /** `0002_add_book_isbn`. */
  readonly name: string;
  readonly id: MigrationId;
  readonly dependencies: readonly MigrationId[];
  readonly operations: readonly MigrationOperation[];
}

/** Options of {@link planMigrations}. */
export interface PlanOptions {
  /** The name after the number (`--name`), instead of one made from the operations. */
  name?: string;
  /** When the name is made from the date (too many operations to name): default now. */
  now?: Date;
}

/** An error in what `makemigrations` was asked to write. Stable code: `VOLT_MIGRATION_PLAN`. */
export class MigrationPlanError extends Error {
  override readonly name = 'MigrationPlanError';
  readonly code = 'VOLT_MIGRATION_PLAN';
}

const MAX_NAME = 52;

/** `0002`: the number after the app's highest. */
function nextNumber(existing: readonly LoadedMigration[], app: string): string {
  const numbers = existing.filter((m) => m.app === app).map((m) => Number.parseInt(m.name.slice(0, 4), 10));
  return String(Math.max(0, ...numbers) + 1).padStart(4, '0');
}

/**
 * The name part of a new migration: `initial` for an app's first, the operations' own names
 * joined (`add_book_isbn`, `rename_book_title_name`) when short enough, else `auto_<date>`.
 *
 * @example
 * ```ts
 * migrationName([op.addField('library.Book', 'isbn', f.string({ maxLength: 13, default: '' }))], false);
 * // 'add_book_isbn'
 * ```
 */
export function migrationName(
  operations: readonly MigrationOperation[],
  first: boolean,
  now = new Date(),
): string {
  if (first) return 'initial';
  const fragments = [...new Set(operations.map((operation) => operation.nameFragment()))];
  const joined = fragments.join('_').replace(/[^a-z0-9_]+/gu, '_');
  if (joined && joined.length <= MAX_NAME) return joined;
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/gu, '').replace('T', '_');
  return `auto_${stamp}`;
}

/** Checks a `--name`: lower-case letters, digits and `_`. */
export function checkMigrationName(name: string): string {
  if (!/^[a-z0-9_]+$/u.test(name))
    throw new MigrationPlanError(
      `'${name}' cannot be a migration name: use lower-case letters, digits and _ (like add_isbn)`,
    );
  return name;
}

/**
 * The new migrations for `changes`: one per app, numbered after the app's latest, depending
 * on it and on the migrations of other apps whose models its relations need (the new
 * migration of that app when there is one, else its latest).
 *
 * @example
 * ```ts
 * const planned = planMigrations(changes, ordered, { name: 'add_isbn' });
 * planned[0]?.id; // 'library/0002_add_isbn'
 * ```
 */
export function planMigrations(
  changes: ReadonlyMap<string, readonly MigrationOperation[]>,
  existing: readonly LoadedMigration[],
  options: PlanOptions = {},
): PlannedMigration[] {
  const name = options.name === undefined ? undefined : checkMigrationName(options.name);
  const latest = new Map<string, MigrationId>();
  for (const migration of existing) latest.set(migration.app, migration.id);
  const ids = new Map<string, MigrationId>();
  for (const [app, operations] of changes) {
    if (operations.length === 0) continue;
    const first = !latest.has(app);
    ids.set(
      app,
      `${app}/${nextNumber(existing, app)}_${name ?? migrationName(operations, first, options.now)}`,
    );
  }
  const planned: PlannedMigration[] = [];
  for (const [app, operations] of changes) {
    const id = ids.get(app);
    if (!id) continue;
    const dependencies = new Set<MigrationId>();
    const own = latest.get(app);
    if (own) dependencies.add(own);
    for (const operation of operations)
      for (const label of externalReferences(operation)) {
        const other = appOf(label);
        const dependency = ids.get(other) ?? latest.get(other);
        if (!dependency)
          throw new MigrationPlanError(
            `${labelOf(operation)} points at ${label}, but the app ${other} has no migrations yet: ` +
              `run makemigrations ${other} first, or makemigrations without app names`,
          );
        dependencies.add(dependency);
      }
    planned.push({ app, name: id.slice(app.length + 1), id, dependencies: [...dependencies], operations });
  }
  return planned;
}
