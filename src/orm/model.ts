/**
 * `model()`: declares a model — the one definition the ORM, migrations, schemas, CRUD and the
 * admin read (through `Model.meta`).
 */
import { type CheckSpec, type IndexSpec, ModelMeta, type PermissionAction } from './meta.ts';
import { type ModelSchemas, modelSchemas } from './model-schemas.ts';
import { relationsOf } from './query/handles.ts';
import type { Relations } from './query/relation-types.ts';
import { defaultRegistry, type Registry } from './registry.ts';
import type { FieldMap } from './types.ts';

/** A declared model: its bound fields, its introspection API and its schemas. */
export interface Model<F extends FieldMap = FieldMap, L extends string = string> {
  /**
   * Phantom (no value at run time): the declared fields' types, which `Row<>` and the query
   * types read (`FieldsOf`) without walking the rest of the model's type.
   */
  readonly '~fields': F;
  /** `app.Name`. */
  readonly label: L;
  /** The declared fields by name, bound to the model (the auto `id` is in `meta.fields`). */
  readonly fields: Readonly<F>;
  /** The introspection API: table, fields, pk, relations, indexes, checks. */
  readonly meta: ModelMeta;
  /** TypeBox schemas for reads, creates and updates, built on first use. */
  readonly schema: ModelSchemas<F>;
  /**
   * A handle per relation: `Book.rel.tags.of(db, book)` manages a row's links,
   * `prefetchRelated(Book.rel.tags)` and `selectRelated(Book.rel.author)` load them. Built on
   * first use (models may refer to each other in any order), with the reverse sides of other
   * models' relations (`Author.rel.bookSet`, typed as `Book.rel.author.reverse`).
   */
  readonly rel: Relations<Model<F, L>>;
}

/** Any model. */
export type AnyModel = Model<any>;

/**
 * The field map of a model type, as given to `model()`.
 *
 * @example
 * ```ts
 * type F = FieldsOf<typeof Book>; // { title: TextField<…>; author: RelationField<…>; … }
 * ```
 */
export type FieldsOf<M> = M extends { readonly '~fields': infer F } ? F : never;

type ColumnName<F> =
  | 'id'
  | ({
      [K in keyof F]: F[K] extends { readonly '~options': { '~relation': 'manyToMany' } } ? never : K;
    }[keyof F] &
      string);

/** Options of `model()`. */
export interface ModelOptions<F extends FieldMap = FieldMap> {
  /** The table name; default `<app>_<snake_name>`. */
  table?: string;
  /** Default order of queries: `['-created', 'name']`. */
  ordering?: readonly (ColumnName<F> | `-${ColumnName<F>}`)[];
  /** Indexes over one or more fields (`-name` for descending). */
  indexes?: readonly IndexSpec<ColumnName<F>>[];
  /** Sets of fields whose values together are unique. */
  uniqueTogether?: readonly (readonly ColumnName<F>[])[];
  /** Check constraints: `{ name, where: { price: { gte: 0 } } }` or `{ name, rawSql }`. */
  checks?: readonly CheckSpec<ColumnName<F>>[];
  /** Human name, lower case (`book`); default from the name. */
  verboseName?: string;
  /** Plural human name; default the name plus `s`/`es`/`ies`. */
  verboseNamePlural?: string;
  /**
   * Custom permissions by codename: `{ publish_book: 'Can publish books' }` (perm string
   * `library.publish_book`). Not part of the migration state.
   */
  permissions?: Readonly<Record<string, string>>;
  /** The default permissions to create (default all four: add, change, delete, view); `[]` for none. */
  defaultPermissions?: readonly PermissionAction[];
  /** The registry to join (default: the global one); tests pass `createRegistry()`. */
  registry?: Registry;
}

/**
 * Declares a model and registers it. Definition mistakes throw `ModelDefinitionError` here,
 * not at the first query. Relations may point at models declared later (`() => Author` or
 * `'library.Author'`); they are resolved on first use.
 *
 * @example
 * ```ts
 * const Author = model('library.Author', {
 *   name: f.string({ maxLength: 100 }),
 *   email: f.email({ unique: true }),
 * }, { ordering: ['name'] });
 *
 * Author.meta.table;      // 'library_author'
 * Author.meta.fieldNames; // ['id', 'name', 'email']
 * ```
 */
export function model<F extends FieldMap, const L extends string = string>(
  label: L,
  fields: F,
  options: ModelOptions<F> = {},
): Model<F, L> {
  const registry = options.registry ?? defaultRegistry;
  const target = {} as { -readonly [K in keyof Model<F, L>]: Model<F, L>[K] };
  const meta = new ModelMeta(target, label, fields, options as never, registry);
  target.label = meta.label as L;
  Object.freeze(meta);
  target.meta = meta;
  target.fields = Object.freeze(
    Object.fromEntries(meta.fields.filter((f) => f.name in fields).map((f) => [f.name, f])),
  ) as Readonly<F>;
  target.schema = modelSchemas<F>(meta);
  // Resolved on first use, through the registry: nothing to do when the model is declared.
  Object.defineProperty(target, 'rel', { get: () => relationsOf(frozen), enumerable: false });
  const frozen = Object.freeze(target) as Model<F, L>;
  registry.register(frozen);
  return frozen;
}
