/**
 * The relation kinds: `foreignKey`, `oneToOne` and `manyToMany`. A target is a function
 * returning the model (`() => Author`, so models can refer to each other in any order) or a
 * label (`'library.Author'`, `'Author'` in the same app, `'self'` for the model itself),
 * resolved on first use. When two models refer to each other, one side must use a label:
 * TypeScript cannot type two constants whose initializers need each other's type.
 */

import { Type } from 'typebox';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyModel } from '../model.ts';
import {
  type AnyField,
  type Dialect,
  Field,
  type FieldOptions,
  type FieldSchema,
  type Issue,
  ModelDefinitionError,
} from './field.ts';
import { lowerFirst, snakeCase } from './names.ts';

/** What happens to rows pointing at a deleted row (Django's `on_delete`). */
export type OnDelete = 'cascade' | 'protect' | 'restrict' | 'setNull' | 'setDefault';

/** A relation target: a function returning the model, or its label. */
export type ModelRef = (() => AnyModel) | string;

/** Options of `f.foreignKey()` and `f.oneToOne()`. */
export interface ForeignKeyOptions extends Omit<FieldOptions<unknown>, 'choices'> {
  /** What deleting the target row does to this row. */
  onDelete: OnDelete;
  /** The name of the reverse relation on the target (default `<model>Set`, or `<model>` for one-to-one). */
  relatedName?: string;
}

/** Options of `f.manyToMany()`. */
export interface ManyToManyOptions {
  /** A model for the join table, with foreign keys to both sides (to hold extra columns). */
  through?: ModelRef;
  /** The name of the reverse relation on the target (default `<model>Set`). */
  relatedName?: string;
  label?: string;
  helpText?: string;
}

const ON_DELETE: readonly OnDelete[] = ['cascade', 'protect', 'restrict', 'setNull', 'setDefault'];

/**
 * A field pointing at another model. Foreign keys and one-to-ones are a column holding the
 * target's primary key: the row key is `<name>Id` (`authorId`) and the column `<name>_id`.
 * Many-to-many has no column: it lives in a join table (`through`, or `<table>_<name>`).
 *
 * @example
 * ```ts
 * const Book = model('library.Book', {
 *   author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
 *   tags: f.manyToMany(() => Tag),
 * });
 * Book.meta.field('author').column; // 'author_id'
 * Book.meta.field('author').target; // Author
 * ```
 */
export class RelationField<T = unknown, O = unknown> extends Field<T, O> {
  declare readonly kind: 'foreignKey' | 'oneToOne' | 'manyToMany';
  /** The target as declared. */
  readonly to: ModelRef;
  /** The join model as declared (many-to-many only). */
  readonly throughRef: ModelRef | undefined;
  /** `undefined` for many-to-many. */
  readonly onDelete: OnDelete | undefined;
  /** The declared reverse name; `relatedName` gives the effective one. */
  readonly declaredRelatedName: string | undefined;

  constructor(
    kind: 'foreignKey' | 'oneToOne' | 'manyToMany',
    to: ModelRef,
    options: Partial<ForeignKeyOptions> & ManyToManyOptions = {},
  ) {
    super(kind, kind === 'oneToOne' ? { ...options, unique: true } : options, options);
    if (typeof to !== 'function' && (typeof to !== 'string' || to === ''))
      throw new ModelDefinitionError(`f.${kind}() needs a target: () => Model or 'app.Model'`);
    this.to = to;
    this.throughRef = options.through;
    this.declaredRelatedName = options.relatedName;
    if (kind === 'manyToMany') {
      this.onDelete = undefined;
      return;
    }
    if (!options.onDelete || !ON_DELETE.includes(options.onDelete))
      throw new ModelDefinitionError(
        `f.${kind}() needs onDelete: one of ${ON_DELETE.map((o) => `'${o}'`).join(', ')}, got ${JSON.stringify(options.onDelete)}`,
      );
    this.onDelete = options.onDelete;
    if (this.onDelete === 'setNull' && !this.nullable)
      throw new ModelDefinitionError(
        "onDelete: 'setNull' needs a nullable foreign key: add nullable: true, or choose another onDelete",
      );
    if (this.onDelete === 'setDefault' && !this.hasDefault)
      throw new ModelDefinitionError(
        "onDelete: 'setDefault' needs a default: add default, or choose another onDelete",
      );
  }

  /** `true` for foreign keys and one-to-ones, which have a column. */
  get concrete(): boolean {
    return this.kind !== 'manyToMany';
  }

  protected override defaultColumn(name: string): string | null {
    return this.kind === 'manyToMany' ? null : `${snakeCase(name)}_id`;
  }

  protected override attributeFor(name: string): string {
    return this.kind === 'manyToMany' ? '' : `${name}Id`;
  }

  /** The target model, resolved on first use (throws a clear error when it is not registered). */
  get target(): AnyModel {
    return this.resolve(this.to, 'target');
  }

  /** The join model of a many-to-many declared with `through`, resolved on first use. */
  get through(): AnyModel | undefined {
    return this.throughRef === undefined ? undefined : this.resolve(this.throughRef, 'through');
  }

  /** The join table of a many-to-many: `through`'s table, or `<table>_<name>`. */
  get throughTable(): string | undefined {
    if (this.kind !== 'manyToMany') return undefined;
    return this.through?.meta.table ?? `${this.owner().meta.table}_${snakeCase(this.name)}`;
  }

  /** The name of the reverse relation on the target: `bookSet`, or `book` for a one-to-one. */
  get relatedName(): string {
    if (this.declaredRelatedName) return this.declaredRelatedName;
    const base = lowerFirst(this.owner().meta.name);
    return this.kind === 'oneToOne' ? base : `${base}Set`;
  }

  private owner(): AnyModel {
    if (!this.model) throw new ModelDefinitionError(`the ${this.kind} field is not part of a model yet`);
    return this.model;
  }

  private resolve(ref: ModelRef, role: string): AnyModel {
    const owner = this.owner();
    const where = `${owner.meta.label}.${this.name}`;
    let target: AnyModel | undefined;
    if (typeof ref === 'function') {
      target = ref();
      if (!target?.meta)
        throw new ModelDefinitionError(
          `${where}: the ${role} function returned ${String(target)}, not a model`,
        );
      return target;
    }
    if (ref === 'self') return owner;
    const label = ref.includes('.') ? ref : `${owner.meta.app}.${ref}`;
    target = owner.meta.registry.find(label);
    if (!target) {
      const known = owner.meta.registry.labels();
      throw new ModelDefinitionError(
        `${where}: the ${role} '${label}' is not a registered model` +
          (known.length ? ` (registered: ${known.join(', ')})` : ' (no models are registered)'),
      );
    }
    return target;
  }

  /**
   * `true` when the target is `model`, without throwing: a label is compared as text, and a
   * function that cannot answer yet (its model is not declared) counts as pointing elsewhere.
   */
  pointsAt(model: AnyModel): boolean {
    const owner = this.owner();
    const ref = this.to;
    if (ref === 'self') return owner === model;
    if (typeof ref === 'string') {
      const label = ref.includes('.') ? ref : `${owner.meta.app}.${ref}`;
      return label === model.meta.label && owner.meta.registry === model.meta.registry;
    }
    try {
      return ref() === model;
    } catch {
      return false;
    }
  }

  /** The target's primary key field (foreign keys take its type). */
  get targetPk(): AnyField {
    return this.target.meta.pk;
  }

  valueSchema(): FieldSchema {
    const pk = this.targetPk.valueSchema();
    return this.kind === 'manyToMany' ? Type.Array(pk, { uniqueItems: true }) : pk;
  }

  protected typeIssue(value: unknown): Issue | undefined {
    if (this.kind === 'manyToMany') {
      if (!Array.isArray(value)) return { msg: 'Input should be a valid list', type: 'list_type' };
      for (const item of value) {
        const [issue] = this.targetPk.check(item);
        if (issue) return issue;
      }
      return undefined;
    }
    return this.targetPk.check(value)[0];
  }

  columnType(dialect: DialectOps | Dialect): string | null {
    return this.kind === 'manyToMany' ? null : this.targetPk.columnType(dialect);
  }

  override toDb(value: T | null, dialect: DialectOps | Dialect): unknown {
    return this.targetPk.toDb(value, dialect);
  }

  override fromDb(raw: unknown, dialect: DialectOps | Dialect): T | null {
    return this.targetPk.fromDb(raw, dialect) as T | null;
  }
}
