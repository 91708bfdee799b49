/**
 * A field as its builder call: `f.string({ maxLength: 200 })` is
 * `{ builder: 'string', args: [{ maxLength: 200 }] }`. Migrations store, compare and write
 * fields in this form; relation targets are labels (`'library.Author'`), never functions.
 */

import { EnumField } from '../fields/enum.ts';
import { type AnyField, ModelDefinitionError } from '../fields/field.ts';
import { f } from '../fields/index.ts';
import { type ModelRef, RelationField } from '../fields/relation.ts';

/** The builders of `f`, by name. */
export type BuilderName = keyof typeof f;

/** A field as the `f` call that builds it. */
export interface Deconstruction {
  readonly builder: BuilderName;
  readonly args: readonly unknown[];
}

const BUILDERS = new Set(Object.keys(f));

/**
 * The label a relation target names: `'Author'` in app `library` is `'library.Author'`,
 * `'self'` is the owner, a function is called for its model.
 */
function targetLabel(ref: ModelRef, owner: string | undefined, where: string): string {
  if (typeof ref === 'function') {
    let target: { meta?: { label?: string } } | undefined;
    try {
      target = ref();
    } catch (error) {
      throw new ModelDefinitionError(`${where}: the relation target could not be resolved`, { cause: error });
    }
    if (!target?.meta?.label)
      throw new ModelDefinitionError(`${where}: the relation target function returned no model`);
    return target.meta.label;
  }
  if (ref.includes('.')) return ref;
  if (!owner)
    throw new ModelDefinitionError(
      `${where}: the relation target '${ref}' needs its app ('app.${ref === 'self' ? 'Model' : ref}') outside a model`,
    );
  if (ref === 'self') return owner;
  return `${owner.slice(0, owner.indexOf('.'))}.${ref}`;
}

/**
 * The builder call of `field`. `owner` is the label of the model the field belongs to (taken
 * from a bound field when not given): it resolves `'self'` and same-app targets.
 *
 * @example
 * ```ts
 * deconstruct(f.string({ maxLength: 200 })); // { builder: 'string', args: [{ maxLength: 200 }] }
 * deconstruct(Book.meta.field('author'));
 * // { builder: 'foreignKey', args: ['library.Author', { onDelete: 'cascade' }] }
 * deconstruct(Person.meta.field('friends')); // a many-to-many to its own model says symmetrical
 * // { builder: 'manyToMany', args: ['club.Person', { symmetrical: true }] }
 * ```
 */
export function deconstruct(
  field: AnyField,
  owner: string | undefined = field.model?.meta.label,
): Deconstruction {
  const where = `${owner ?? 'field'}${field.name ? `.${field.name}` : ''}`;
  if (field.kind === 'auto' || !BUILDERS.has(field.kind))
    throw new ModelDefinitionError(`${where}: a '${field.kind}' field has no f builder to write it with`);
  const builder = field.kind as BuilderName;
  const options: Record<string, unknown> = { ...field.declaredOptions };
  if (field instanceof RelationField) {
    delete options.through;
    const to = targetLabel(field.to, owner, where);
    if (field.throughRef !== undefined) options.through = targetLabel(field.throughRef, owner, where);
    // A many-to-many to its own model says whether it is symmetrical: the default changed (it
    // was one-way before), so a migration must not depend on it.
    if (builder === 'manyToMany' && to === owner && options.symmetrical === undefined)
      options.symmetrical = true;
    return { builder, args: builder === 'manyToMany' && !Object.keys(options).length ? [to] : [to, options] };
  }
  if (field instanceof EnumField) {
    const values = Array.isArray(field.declaredValues)
      ? [...field.declaredValues]
      : { ...field.declaredValues };
    return { builder, args: Object.keys(options).length ? [values, options] : [values] };
  }
  // A TypeBox schema checks values; it does not change the column, and is not written.
  if (builder === 'json') delete options.schema;
  const required = builder === 'string' || builder === 'decimal';
  return { builder, args: required || Object.keys(options).length ? [options] : [] };
}

/**
 * The unbound field a deconstruction describes (the reverse of {@link deconstruct}).
 *
 * @example
 * ```ts
 * const field = reconstruct({ builder: 'string', args: [{ maxLength: 200 }] });
 * field.maxLength; // 200
 * ```
 */
export function reconstruct(deconstruction: Deconstruction): AnyField {
  const { builder, args } = deconstruction;
  const build = (f as Record<string, (...args: any[]) => AnyField>)[builder];
  if (!BUILDERS.has(builder) || !build)
    throw new ModelDefinitionError(
      `'${builder}' is not a field builder; the builders are: ${[...BUILDERS].join(', ')}`,
    );
  return build(...args);
}

/**
 * `true` when two values are the same option value: plain data compared deeply, functions by
 * their source text (a default function is written from its source, so equal text is an equal
 * default), dates by time.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'function' || typeof b === 'function')
    return typeof a === 'function' && typeof b === 'function' && a.toString() === b.toString();
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameValue(item, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
    const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
    if (keysA.length !== keysB.length) return false;
    return keysA.every((key) =>
      sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
    );
  }
  return Number.isNaN(a) && Number.isNaN(b);
}

/**
 * `true` when two deconstructions build the same field.
 *
 * @example
 * ```ts
 * sameDeconstruction(deconstruct(f.text()), deconstruct(f.text({}))); // true
 * ```
 */
export function sameDeconstruction(a: Deconstruction, b: Deconstruction): boolean {
  return a.builder === b.builder && sameValue(normalizeArgs(a), normalizeArgs(b));
}

const OPTIONS_AFTER_ONE = new Set(['enum', 'foreignKey', 'oneToOne', 'manyToMany']);

/** Where a builder call takes its options: after the values or the target, else first. */
function optionsAt(builder: BuilderName): number {
  return OPTIONS_AFTER_ONE.has(builder) ? 1 : 0;
}

/** `f.text()` and `f.text({})` are the same call. */
function normalizeArgs(d: Deconstruction): readonly unknown[] {
  return d.args.length === optionsAt(d.builder) ? [...d.args, {}] : d.args;
}

/**
 * The deconstruction with its options replaced by `change(options)` (given `{}` when the call
 * has none).
 *
 * @example
 * ```ts
 * withOptions(deconstruct(f.text({ default: '' })), ({ default: _, ...rest }) => rest);
 * // { builder: 'text', args: [{}] }
 * ```
 */
export function withOptions(
  d: Deconstruction,
  change: (options: Record<string, unknown>) => Record<string, unknown>,
): Deconstruction {
  const args = [...normalizeArgs(d)];
  const at = optionsAt(d.builder);
  args[at] = change({ ...(args[at] as Record<string, unknown>) });
  return { builder: d.builder, args };
}

/**
 * A relation's deconstruction pointing at `to` wherever it named the model `from` (its target
 * or its join model); `d` itself when it names no `from`.
 *
 * @example
 * ```ts
 * retargeted({ builder: 'foreignKey', args: ['library.Book', { onDelete: 'cascade' }] }, 'library.Book', 'library.Novel');
 * // { builder: 'foreignKey', args: ['library.Novel', { onDelete: 'cascade' }] }
 * ```
 */
export function retargeted(d: Deconstruction, from: string, to: string): Deconstruction {
  if (d.builder !== 'foreignKey' && d.builder !== 'oneToOne' && d.builder !== 'manyToMany') return d;
  const [target, ...rest] = d.args;
  const joins = (arg: unknown) =>
    !!arg && typeof arg === 'object' && (arg as { through?: unknown }).through === from;
  if (target !== from && !rest.some(joins)) return d;
  return {
    builder: d.builder,
    args: [
      target === from ? to : target,
      ...rest.map((arg) => (joins(arg) ? { ...(arg as object), through: to } : arg)),
    ],
  };
}

/** `true` when two fields are the same declaration (the model's label resolves relative targets). */
export function sameField(a: AnyField, b: AnyField, owner?: string): boolean {
  return sameDeconstruction(deconstruct(a, owner), deconstruct(b, owner));
}
