/**
 * Types inferred from a model definition: a row as read, the input of a create, the input of
 * an update. No codegen: `Row<typeof Book>` is computed from the `model()` call.
 *
 * Foreign keys appear as `<name>Id` holding the target's primary key type (`authorId: number`),
 * the camelCase of Django's `author_id`; the column stays `author_id`. Many-to-many fields have
 * no column and are not part of a row.
 *
 * @example
 * ```ts
 * type Book = Row<typeof Book>;            // { id: number; title: string; authorId: number; ... }
 * const input: CreateInput<typeof Book> = { title: 'Dune', authorId: 1 };
 * ```
 */
import type { Field } from './fields/field.ts';

/** A record of fields by name, as given to `model()`. */
export type FieldMap = Record<string, Field<unknown, unknown>>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
// Read through the phantom properties: inferring from Field<T, O> would also weigh T's
// contravariant uses (toDb's parameter) and can collapse to never.
type OptionsOf<F> = F extends { readonly '~options': infer O } ? O : never;
type ValueOf<F> = F extends { readonly '~value': infer T } ? T : never;
type RelationOf<F> = OptionsOf<F> extends { '~relation': infer K } ? K : false;
type IsNullable<F> = OptionsOf<F> extends { nullable: true } ? true : false;

/** The primary key's value type of a field map: the `primaryKey: true` field's, else `number` (auto `id`). */
export type PkValue<F> = [PkKey<F>] extends [never] ? number : ValueOf<F[PkKey<F>]>;
type PkKey<F> = { [K in keyof F]: OptionsOf<F[K]> extends { primaryKey: true } ? K : never }[keyof F];

/** The value type a foreign key to `R` holds: the target's primary key type (`number` for a label). */
type TargetPk<R> = R extends () => infer M
  ? M extends { readonly '~fields': infer F }
    ? PkValue<F>
    : number
  : number;

/** The JavaScript value of a field's column, `| null` when nullable. */
export type ColumnValue<F> =
  | (RelationOf<F> extends 'foreignKey' | 'oneToOne'
      ? OptionsOf<F> extends { '~to': infer R }
        ? TargetPk<R>
        : never
      : ValueOf<F>)
  | (IsNullable<F> extends true ? null : never);

/** The key of a field in a row: its name, `<name>Id` for a foreign key, none for many-to-many. */
type RowKey<K, F> =
  RelationOf<F> extends 'manyToMany'
    ? never
    : RelationOf<F> extends 'foreignKey' | 'oneToOne'
      ? `${K & string}Id`
      : K;

/** Accepted on create/update: editable, not auto-set, not many-to-many. */
type IsWritable<F> =
  RelationOf<F> extends 'manyToMany'
    ? false
    : OptionsOf<F> extends { editable: false } | { autoNow: true } | { autoNowAdd: true }
      ? false
      : true;
/** May be left out on create: it has a default or may be null. */
type IsOptional<F> = OptionsOf<F> extends { nullable: true } | { default: unknown } ? true : false;

type AutoId<F> = [PkKey<F>] extends [never] ? { id: number } : {};
type FieldsOf<M> = M extends { readonly '~fields': infer F } ? F : never;

/** A row as read from the database. */
export type RowOf<F> = Simplify<AutoId<F> & { [K in keyof F as RowKey<K, F[K]>]: ColumnValue<F[K]> }>;

type IsWriteOnly<F> = OptionsOf<F> extends { writeOnly: true } ? true : false;

/** A row as clients read it: every column but `writeOnly` ones (a password hash). */
export type ReadRowOf<F> = Simplify<
  AutoId<F> & {
    [K in keyof F as IsWriteOnly<F[K]> extends true ? never : RowKey<K, F[K]>]: ColumnValue<F[K]>;
  }
>;

/** What a create accepts: required fields required, fields with defaults or null optional. */
export type CreateInputOf<F> = Simplify<
  {
    [K in keyof F as IsWritable<F[K]> extends true
      ? IsOptional<F[K]> extends true
        ? never
        : RowKey<K, F[K]>
      : never]: ColumnValue<F[K]>;
  } & {
    [K in keyof F as IsWritable<F[K]> extends true
      ? IsOptional<F[K]> extends true
        ? RowKey<K, F[K]>
        : never
      : never]?: ColumnValue<F[K]>;
  }
>;

/** What an update accepts: any editable field except the primary key. */
export type UpdateInputOf<F> = Simplify<{
  [K in keyof F as IsWritable<F[K]> extends true
    ? OptionsOf<F[K]> extends { primaryKey: true }
      ? never
      : RowKey<K, F[K]>
    : never]?: ColumnValue<F[K]>;
}>;

/**
 * A row of model `M` as read from the database.
 *
 * @example
 * ```ts
 * const book: Row<typeof Book> = { id: 1, title: 'Dune', authorId: 1, price: '9.90', ... };
 * ```
 */
export type Row<M> = RowOf<FieldsOf<M>>;

/** A row of model `M` as clients read it: `Row<M>` without its `writeOnly` fields. */
export type ReadRow<M> = ReadRowOf<FieldsOf<M>>;

/**
 * The input of a create: fields with defaults, nullable fields, the auto `id` and
 * `autoNow`/`autoNowAdd` timestamps are optional or absent; non-editable fields are absent.
 */
export type CreateInput<M> = CreateInputOf<FieldsOf<M>>;

/** The input of an update: every editable field, all optional. */
export type UpdateInput<M> = UpdateInputOf<FieldsOf<M>>;

type PkRowKey<F> = [PkKey<F>] extends [never] ? 'id' : { [K in PkKey<F>]: RowKey<K, F[K]> }[PkKey<F>];
type AutoNowKey<F> = { [K in keyof F]: OptionsOf<F[K]> extends { autoNow: true } ? K : never }[keyof F];

/** The row key of `M`'s primary key: `id` for the auto key. */
export type PrimaryKeyName<M> = PkRowKey<FieldsOf<M>> & string;

/**
 * What `bulkUpdate()` can set on `M`'s rows: every field an update sets (not the primary key)
 * and the `autoNow` timestamps, which it sets to the time of the call.
 *
 * @example
 * ```ts
 * type N = BulkUpdateField<typeof Book>; // 'title' | 'price' | 'authorId' | … | 'updated'
 * ```
 */
export type BulkUpdateField<M> = (keyof UpdateInput<M> | AutoNowKey<FieldsOf<M>>) & string;

/**
 * A row `bulkUpdate()` takes when it sets `K`: the primary key and the value of each field of
 * `K` (an `autoNow` one needs none). A row as read (`Row<M>`) is one.
 */
export type BulkUpdateRow<M, K> = {
  [P in keyof Row<M> as P extends PrimaryKeyName<M> | Exclude<K, AutoNowKey<FieldsOf<M>>>
    ? P
    : never]: Row<M>[P];
};

/** A field name of model `M` (many-to-many included). */
export type FieldName<M> = keyof FieldsOf<M> & string;

type TargetRow<R> = R extends () => infer T ? Row<T> : Record<string, unknown>;

/**
 * The names of `M`'s foreign keys and one-to-ones: what `selectRelated()` accepts.
 *
 * @example
 * ```ts
 * type N = ForwardRelationName<typeof Book>; // 'author' | 'editor'
 * ```
 */
export type ForwardRelationName<M> = {
  [K in keyof FieldsOf<M>]: RelationOf<FieldsOf<M>[K]> extends 'foreignKey' | 'oneToOne' ? K : never;
}[keyof FieldsOf<M>] &
  string;

/**
 * The row a foreign key `K` of `M` points at, `| null` when the key is nullable (a target given
 * by label has no static type: `Record<string, unknown>`).
 *
 * @example
 * ```ts
 * type A = RelatedRow<typeof Book, 'author'>; // Row<typeof Author>
 * ```
 */
export type RelatedRow<M, K extends keyof FieldsOf<M>> =
  | (OptionsOf<FieldsOf<M>[K]> extends { '~to': infer R } ? TargetRow<R> : never)
  | (IsNullable<FieldsOf<M>[K]> extends true ? null : never);
