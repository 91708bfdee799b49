/**
 * `ProjectState`: the models as the migrations describe them at one point of the history —
 * labels, unbound field declarations and model options, with no live model or function target
 * in it. The autodetector diffs two states; the executor builds historical models from them.
 */
import type { AnyField } from '../fields/field.ts';
import { type AnyModel, model } from '../model.ts';
import { createRegistry, type Registry } from '../registry.ts';
import { deconstruct, reconstruct } from './deconstruct.ts';
import type { LoadedMigration, ModelState, ModelStateOptions, MutableProjectState } from './types.ts';

/**
 * A frozen `ModelState`. Operations never change one in place: they put a new one in the
 * state's map.
 *
 * @example
 * ```ts
 * modelState('library.Tag', { name: f.string({ maxLength: 50 }) });
 * ```
 */
export function modelState(
  label: string,
  fields: ReadonlyMap<string, AnyField> | Readonly<Record<string, AnyField>>,
  options: ModelStateOptions = {},
): ModelState {
  const map = fields instanceof Map ? new Map(fields) : new Map(Object.entries(fields));
  return Object.freeze({ label, fields: map, options: Object.freeze(cleanOptions(options)) });
}

/** Options without the keys that hold nothing (so equal options compare equal). */
function cleanOptions(options: ModelStateOptions): ModelStateOptions {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    clean[key] = value;
  }
  return clean as ModelStateOptions;
}

/**
 * The models at one point of the migration history.
 *
 * @example
 * ```ts
 * const state = ProjectState.fromModels([Author, Book]);
 * state.models.get('library.Book')?.fields.get('author'); // f.foreignKey('library.Author', …)
 * const Book = state.model('library.Book'); // a historical model, for queries in data migrations
 * ```
 */
export class ProjectState implements MutableProjectState {
  readonly models: Map<string, ModelState>;
  #cache: { models: ModelState[]; registry: Registry } | undefined;

  constructor(models: Iterable<readonly [string, ModelState]> = []) {
    this.models = new Map(models);
  }

  /** A state with no models (before the first migration). */
  static empty(): ProjectState {
    return new ProjectState();
  }

  /**
   * The state of live models: their declared fields (the auto `id` is implicit), relation
   * targets as labels, and the options that differ from the defaults.
   */
  static fromModels(models: readonly AnyModel[]): ProjectState {
    const state = new ProjectState();
    for (const live of models) {
      const meta = live.meta;
      const fields = new Map<string, AnyField>();
      for (const field of meta.fields) {
        if (field.kind === 'auto') continue;
        fields.set(field.name, reconstruct(deconstruct(field, meta.label)));
      }
      state.models.set(meta.label, modelState(meta.label, fields, liveOptions(live)));
    }
    return state;
  }

  /** The state after every operation of `ordered` (migrations in dependency order). */
  static fromMigrations(ordered: readonly LoadedMigration[]): ProjectState {
    const state = new ProjectState();
    for (const migration of ordered)
      for (const operation of migration.operations) operation.stateForwards(state);
    return state;
  }

  /** A copy whose map can be changed without touching this state (model states are shared: they are frozen). */
  clone(): ProjectState {
    return new ProjectState(this.models);
  }

  /**
   * Historical models of this state, in a registry of their own. Built on first call and
   * again only after the state changed.
   */
  registry(): Registry {
    const current = [...this.models.values()];
    const cached = this.#cache;
    if (cached && cached.models.length === current.length && cached.models.every((m, i) => m === current[i]))
      return cached.registry;
    const registry = createRegistry();
    for (const state of current)
      model(state.label, Object.fromEntries(state.fields), { ...state.options, registry } as never);
    this.#cache = { models: current, registry };
    return registry;
  }

  /** The historical model labelled `label`; throws naming the known labels. */
  model(label: string): AnyModel {
    return this.registry().get(label);
  }

  /** The model state labelled `label`; throws naming the known labels. */
  modelState(label: string): ModelState {
    const found = this.models.get(label);
    if (found) return found;
    const known = [...this.models.keys()];
    throw new MigrationStateError(
      `no model '${label}' at this point of the migrations` +
        (known.length ? ` (models: ${known.join(', ')})` : ' (there are no models yet)'),
    );
  }

  /** The labels of the models of `app`, in order. */
  appLabels(app: string): string[] {
    return [...this.models.keys()].filter((label) => label.startsWith(`${app}.`));
  }
}

/** A migration that does not fit the state it is applied to (a missing model or field, a duplicate). */
export class MigrationStateError extends Error {
  override readonly name = 'MigrationStateError';
  /** Stable code: `VOLT_MIGRATION_STATE`. */
  readonly code = 'VOLT_MIGRATION_STATE';
}

/** The options of a live model that differ from what `model()` would choose by itself. */
function liveOptions(live: AnyModel): ModelStateOptions {
  const meta = live.meta;
  const plain = model(meta.label, {}, { registry: createRegistry() }).meta;
  const options: { -readonly [K in keyof ModelStateOptions]: ModelStateOptions[K] } = {};
  if (meta.table !== plain.table) options.table = meta.table;
  if (meta.ordering.length) options.ordering = [...meta.ordering];
  if (meta.indexes.length)
    options.indexes = meta.indexes.map((index) => ({
      name: index.name,
      fields: [...index.fields],
      ...(index.unique ? { unique: true } : {}),
    }));
  if (meta.uniqueTogether.length) options.uniqueTogether = meta.uniqueTogether.map((set) => [...set]);
  if (meta.checks.length) options.checks = meta.checks.map((check) => ({ ...check }));
  if (meta.verboseName !== plain.verboseName) options.verboseName = meta.verboseName;
  const plural = model(meta.label, {}, { registry: createRegistry(), verboseName: meta.verboseName }).meta;
  if (meta.verboseNamePlural !== plural.verboseNamePlural) options.verboseNamePlural = meta.verboseNamePlural;
  return options;
}
