/**
 * `f`: the field builder. Each method returns an unbound field; `model()` binds it.
 *
 * @example
 * ```ts
 * const Book = model('library.Book', {
 *   title: f.string({ maxLength: 200 }),
 *   price: f.decimal({ digits: 8, places: 2 }),
 *   status: f.enum(['draft', 'published'] as const, { default: 'draft' }),
 *   author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
 * });
 * ```
 */
import type { Static, TSchema } from 'typebox';
import { BooleanField, type BooleanOptions } from './boolean.ts';
import { EnumField, type EnumOptions, type EnumValueOf, type EnumValues } from './enum.ts';
import { JsonField, type JsonOptions } from './json.ts';
import { DecimalField, type DecimalOptions, FloatField, IntegerField, type NumberOptions } from './number.ts';
import { type ForeignKeyOptions, type ManyToManyOptions, type ModelRef, RelationField } from './relation.ts';
import {
  type CalendarOptions,
  DateField,
  DatetimeField,
  type DatetimeOptions,
  TimeField,
} from './temporal.ts';
import { type StringOptions, TextField, type TextOptions, type UuidOptions } from './text.ts';

/** Type-level marks of a relation field, kept in its options type. */
export interface RelationMark<K extends string, R> {
  readonly '~relation': K;
  readonly '~to': R;
}

type JsonValue<T, O> = [T] extends [never]
  ? O extends { schema: infer S extends TSchema }
    ? Static<S>
    : unknown
  : T;

/** The field builder. */
export const f = {
  /** Text up to `maxLength` characters (required): `varchar(n)` / `TEXT`. */
  string<const O extends StringOptions>(options: O): TextField<O> {
    return new TextField('string', options);
  },
  /** Text of any length: `text` / `TEXT`. */
  text<const O extends TextOptions = {}>(options?: O): TextField<O> {
    return new TextField('text', options);
  },
  /** An email address (up to 254 characters by default). */
  email<const O extends TextOptions = {}>(options?: O): TextField<O> {
    return new TextField('email', options);
  },
  /** An http(s) URL (up to 200 characters by default). */
  url<const O extends TextOptions = {}>(options?: O): TextField<O> {
    return new TextField('url', options);
  },
  /** Letters, digits, `-` and `_` (up to 50 characters by default). */
  slug<const O extends TextOptions = {}>(options?: O): TextField<O> {
    return new TextField('slug', options);
  },
  /** A UUID as text: `uuid` / `TEXT`. `f.uuid({ primaryKey: true, default: () => crypto.randomUUID() })`. */
  uuid<const O extends UuidOptions = {}>(options?: O): TextField<O> {
    return new TextField('uuid', options);
  },
  /** A 32-bit whole number. */
  integer<const O extends NumberOptions = {}>(options?: O): IntegerField<O> {
    return new IntegerField('integer', options);
  },
  /** A 64-bit whole number column, read as a JS number (within ±2^53 − 1). */
  bigint<const O extends NumberOptions = {}>(options?: O): IntegerField<O> {
    return new IntegerField('bigint', options);
  },
  /** A double-precision number. */
  float<const O extends NumberOptions = {}>(options?: O): FloatField<O> {
    return new FloatField(options);
  },
  /** An exact decimal held as a string (`'19.90'`): `digits` in all, `places` after the point. */
  decimal<const O extends DecimalOptions>(options: O): DecimalField<O> {
    return new DecimalField(options);
  },
  /** True or false. */
  boolean<const O extends BooleanOptions = {}>(options?: O): BooleanField<O> {
    return new BooleanField(options);
  },
  /** A calendar day as `'YYYY-MM-DD'`. */
  date<const O extends CalendarOptions = {}>(options?: O): DateField<O> {
    return new DateField(options);
  },
  /** An instant as a JS `Date`, stored in UTC. `autoNow`/`autoNowAdd` for timestamps. */
  datetime<const O extends DatetimeOptions = {}>(options?: O): DatetimeField<O> {
    return new DatetimeField(options);
  },
  /** A wall-clock time, written `'HH:MM'` or `'HH:MM:SS[.ffffff]'`, stored and read back as `'HH:MM:SS[.ffffff]'`. */
  time<const O extends CalendarOptions = {}>(options?: O): TimeField<O> {
    return new TimeField(options);
  },
  /**
   * A JSON value: typed by `f.json<T>()` or by a TypeBox `schema` option (which is also
   * checked). For a nullable typed value write `f.json<T | null>({ nullable: true })`.
   */
  json<T = never, const O extends JsonOptions<any> = {}>(
    options?: O,
  ): JsonField<JsonValue<NoInfer<T>, O>, O> {
    return new JsonField(options);
  },
  /** One of the given strings: `f.enum(['draft', 'published'] as const)` or `f.enum({ draft: 'Draft' })`. */
  enum<const V extends EnumValues, const O extends EnumOptions<EnumValueOf<V>> = {}>(
    values: V,
    options?: O,
  ): EnumField<EnumValueOf<V>, O> {
    return new EnumField(values, options);
  },
  /** A many-to-one link: a column holding the target's primary key (`authorId`, column `author_id`). */
  foreignKey<const R extends ModelRef, const O extends ForeignKeyOptions>(
    to: R,
    options: O,
  ): RelationField<unknown, O & RelationMark<'foreignKey', R>> {
    return new RelationField('foreignKey', to, options);
  },
  /** A one-to-one link: a unique foreign key. */
  oneToOne<const R extends ModelRef, const O extends ForeignKeyOptions>(
    to: R,
    options: O,
  ): RelationField<unknown, O & RelationMark<'oneToOne', R>> {
    return new RelationField('oneToOne', to, options);
  },
  /**
   * A many-to-many link through a join table (`through` to give it extra columns). Its type
   * keeps the target and the options, as a foreign key's does (`Book.rel.tags` is typed with
   * Tag's rows): when a join model and a model refer to each other, one side uses a label
   * (`{ through: 'BookTag' }`). A many-to-many to the model itself (`'self'`) is symmetrical
   * unless `symmetrical: false`.
   */
  manyToMany<const R extends ModelRef, const O extends ManyToManyOptions = {}>(
    to: R,
    options?: O,
  ): RelationField<unknown, O & RelationMark<'manyToMany', R>> {
    return new RelationField('manyToMany', to, options);
  },
};
