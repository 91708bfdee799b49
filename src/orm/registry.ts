/**
 * The model registry: every model by label (`library.Book`). Relations given as labels are
 * resolved here, and reverse relations are computed from it. `model()` registers into the
 * default registry unless given `{ registry }`, which is how tests stay independent.
 */
import { ModelDefinitionError } from './fields/field.ts';
import type { AnyModel } from './model.ts';

/**
 * A set of models by label.
 *
 * @example
 * ```ts
 * const registry = createRegistry();
 * const Tag = model('library.Tag', { name: f.string({ maxLength: 50 }) }, { registry });
 * registry.get('library.Tag') === Tag; // true
 * ```
 */
export class Registry {
  readonly #models = new Map<string, AnyModel>();
  #version = 0;

  /** Grows by one on every change; caches derived from the registry compare it. */
  get version(): number {
    return this.#version;
  }

  /** Adds a model; a second model with the same label is a definition error. */
  register(model: AnyModel): void {
    const label = model.meta.label;
    if (this.#models.has(label))
      throw new ModelDefinitionError(
        `a model labelled '${label}' is already registered; labels must be unique (rename one, or give tests their own registry with createRegistry())`,
      );
    this.#models.set(label, model);
    this.#version++;
  }

  /** The model labelled `label`, or `undefined`. */
  find(label: string): AnyModel | undefined {
    return this.#models.get(label);
  }

  /** The model labelled `label`; throws an error listing the registered labels. */
  get(label: string): AnyModel {
    const found = this.#models.get(label);
    if (found) return found;
    const known = this.labels();
    throw new ModelDefinitionError(
      `no model labelled '${label}'` +
        (known.length ? ` (registered: ${known.join(', ')})` : ' (no models are registered)'),
    );
  }

  /** Every model, in registration order. */
  all(): AnyModel[] {
    return [...this.#models.values()];
  }

  /** Every label, in registration order. */
  labels(): string[] {
    return [...this.#models.keys()];
  }

  /** Forgets every model. */
  clear(): void {
    this.#models.clear();
    this.#version++;
  }
}

/** A new, empty registry (for tests, or a second set of models). */
export function createRegistry(): Registry {
  return new Registry();
}

/** The registry `model()` uses when not given one. */
export const defaultRegistry: Registry = createRegistry();

/**
 * The model labelled `label` in the default registry.
 *
 * @example
 * ```ts
 * const Book = getModel('library.Book');
 * ```
 */
export function getModel(label: string): AnyModel {
  return defaultRegistry.get(label);
}

/** Every model of the default registry, in registration order. */
export function allModels(): AnyModel[] {
  return defaultRegistry.all();
}
