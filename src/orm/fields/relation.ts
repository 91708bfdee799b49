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
  /**
   * The name of the reverse relation on the target (default `<model>Set`). A symmetrical
   * many-to-many has no reverse side, so no `relatedName`.
   */
  relatedName?: string;
  /**
   * For a many-to-many to the model itself: linking `a` to `b` links `b` to `a` too (both
   * rows of the join table are written), as Django's `ManyToManyField('self')`. Default
   * `true` for a many-to-many to its own model; `false` makes it one-way (`follows`, with a
   * reverse side `followers`). Only a many-to-many to its own model can be symmetrical.
   */
  symmetrical?: boolean;
  label?: string;
  helpText?: string;
}

const ON_DELETE: readonly OnDelete[] = ['cascade', 'protect', 'restrict', 'setNull', 'setDefault'];

/**
 * What is wrong with a many-to-many's `symmetrical` and `relatedName`, given whether it points
 * at its own model (`self`); `undefined` when nothing is.
 */
export function symmetryProblem(
  self: boolean,
  symmetrical: boolean | undefined,
  relatedName: string | undefined,
): string | undefined {
  if (symmetrical === true && !self)
    return "symmetrical: true needs a many-to-many to the model itself (f.manyToMany('self')); drop it";
  if (self && symmetrical !== false && relatedName !== undefined)
    return (
      `a many-to-many to its own model is symmetrical (linking a to b links b to a) and has no reverse side, ` +
      `so relatedName '${relatedName}' names nothing: add symmetrical: false for a one-way relation ` +
      `whose reverse side is '${relatedName}', or drop relatedName`
    );
  return undefined;
}

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
  /** `symmetrical` as declared (many-to-many only); `symmetrical` gives the effective value. */
  readonly declaredSymmetrical: boolean | undefined;

  constructor(
    kind: 'foreignKey' | 'oneToOne' | 'manyToMany',
    to: ModelRef,
    options: Partial<ForeignKeyOptions> & ManyToManyOptions = {},
  ) {
    // A foreign key is indexed unless it says otherwise, as Django's `db_index=True`: joins,
    // filters by the key and the deletes that follow it read the index.
    super(
      kind,
      kind === 'oneToOne'
        ? { ...options, unique: true }
        : kind === 'foreignKey'
          ? { index: true, ...options }
          : options,
      options,
    );
    if (typeof to !== 'function' && (typeof to !== 'string' || to === ''))
      throw new ModelDefinitionError(`f.${kind}() needs a target: () => Model or 'app.Model'`);
    this.to = to;
    this.throughRef = options.through;
    this.declaredRelatedName = options.relatedName;
    this.declaredSymmetrical = options.symmetrical;
    if (kind === 'manyToMany') {
      this.onDelete = undefined;
      if (options.symmetrical !== undefined && typeof options.symmetrical !== 'boolean')
        throw new ModelDefinitionError(
          `f.manyToMany(): symmetrical should be true or false, got ${JSON.stringify(options.symmetrical)}`,
        );
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

  /**
   * `true` for a symmetrical many-to-many: one to the model itself, unless declared
   * `symmetrical: false`. Linking `a` to `b` then links `b` to `a`, and the relation has no
   * reverse side. Throws a `ModelDefinitionError` for `symmetrical: true` on a relation to
   * another model, and for a `relatedName` on a symmetrical one.
   */
  get symmetrical(): boolean {
    if (this.kind !== 'manyToMany') return false;
    const self = this.pointsAt(this.owner());
    const problem = symmetryProblem(self, this.declaredSymmetrical, this.declaredRelatedName);
    if (problem) throw new ModelDefinitionError(`${this.owner().meta.label}.${this.name}: ${problem}`);
    return this.declaredSymmetrical ?? self;
  }

  /**
   * `true`, `false`, or `undefined` when it cannot be told without resolving a function: whether
   * this relation points at the model labelled `owner` (`'self'`, `'Name'` in the same app, or
   * the full label).
   */
  targetsLabel(owner: string): boolean | undefined {
    const ref = this.to;
    if (typeof ref === 'function') return undefined;
    if (ref === 'self') return true;
    return (ref.includes('.') ? ref : `${owner.slice(0, owner.indexOf('.'))}.${ref}`) === owner;
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
    // Read on every use of a relation: the message's text is made only when it is thrown.
    const where = () => `${owner.meta.label}.${this.name}`;
    let target: AnyModel | undefined;
    if (typeof ref === 'function') {
      target = ref();
      if (!target?.meta)
        throw new ModelDefinitionError(
          `${where()}: the ${role} function returned ${String(target)}, not a model`,
        );
      return target;
    }
    if (ref === 'self') return owner;
    const label = ref.includes('.') ? ref : `${owner.meta.app}.${ref}`;
    target = owner.meta.registry.find(label);
    if (!target) {
      const known = owner.meta.registry.labels();
      throw new ModelDefinitionError(
        `${where()}: the ${role} '${label}' is not a registered model` +
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
