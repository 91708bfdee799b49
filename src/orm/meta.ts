/**
 * `Model.meta`: the introspection API (Django's `_meta`). Migrations, schemas, the query
 * layer, CRUD and the admin read a model only through it.
 */
import { type AnyField, ModelDefinitionError } from './fields/field.ts';
import { humanize, snakeCase } from './fields/names.ts';
import { IntegerField } from './fields/number.ts';
import { RelationField, symmetryProblem } from './fields/relation.ts';
import type { AnyModel } from './model.ts';
import type { Registry } from './registry.ts';

/** A comparison in a structured check constraint; all given operators must hold. */
export interface Condition {
  eq?: string | number | boolean;
  ne?: string | number | boolean;
  gt?: string | number;
  gte?: string | number;
  lt?: string | number;
  lte?: string | number;
  in?: readonly (string | number)[];
  isNull?: boolean;
}

/**
 * A check constraint: structured (`where`, every field's condition must hold; the dialects
 * write the SQL) or, when that cannot say it, a raw SQL expression (`rawSql`, passed to the
 * database as written, same text on every dialect — the definer's responsibility).
 */
export type CheckSpec<Name extends string = string> =
  | { readonly name: string; readonly where: { readonly [K in Name]?: Condition } }
  | { readonly name: string; readonly rawSql: string };

/** An index declaration: fields in order, `-name` for descending. */
export interface IndexSpec<Name extends string = string> {
  readonly fields: readonly (Name | `-${Name}`)[];
  readonly name?: string;
  readonly unique?: boolean;
}

/** An index as `meta.indexes` lists it (name filled in). */
export interface IndexMeta {
  readonly name: string;
  readonly fields: readonly string[];
  readonly unique: boolean;
}

/** A relation seen from its target: `Author.meta.reverseRelations` holds `bookSet`. */
export interface ReverseRelation {
  /** The accessor name on the target (`bookSet`, or the field's `relatedName`). */
  readonly name: string;
  /** The model that declares the relation field. */
  readonly model: AnyModel;
  /** The declaring field. */
  readonly field: RelationField;
  readonly kind: 'foreignKey' | 'oneToOne' | 'manyToMany';
  /** `false` only for one-to-one (one row, not a set). */
  readonly many: boolean;
}

/** A default permission's action: `add`, `change`, `delete` or `view`. */
export type PermissionAction = 'add' | 'change' | 'delete' | 'view';

/** A permission a model declares: `{ codename: 'add_book', name: 'Can add book' }`. */
export interface ModelPermission {
  readonly codename: string;
  readonly name: string;
}

const ACTIONS: readonly PermissionAction[] = ['add', 'change', 'delete', 'view'];
const CODENAME = /^[a-z][a-z0-9_]*$/u;

/** The model options `meta` normalizes (what `model()` accepts besides `registry`). */
export interface MetaOptions {
  table?: string;
  ordering?: readonly string[];
  indexes?: readonly IndexSpec[];
  uniqueTogether?: readonly (readonly string[])[];
  checks?: readonly CheckSpec[];
  verboseName?: string;
  verboseNamePlural?: string;
  permissions?: Readonly<Record<string, string>>;
  defaultPermissions?: readonly PermissionAction[];
}

const LABEL = /^([a-z][a-z0-9_]*)\.([A-Z][A-Za-z0-9]*)$/u;
const NAME = /^[a-zA-Z][a-zA-Z0-9]*$/u;
const OPERATORS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'isNull']);
const MAX_IDENTIFIER = 63; // PostgreSQL's NAMEDATALEN - 1

function pluralize(noun: string): string {
  if (/(s|x|z|ch|sh)$/u.test(noun)) return `${noun}es`;
  if (/[^aeiou]y$/u.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}

function shortHash(text: string): string {
  let hash = 5381;
  for (const char of text) hash = ((hash * 33) ^ char.charCodeAt(0)) >>> 0;
  return hash.toString(36).slice(0, 6);
}

/**
 * Everything known about a model.
 *
 * @example
 * ```ts
 * Book.meta.table;                        // 'library_book'
 * Book.meta.pk.name;                      // 'id'
 * Book.meta.field('author').column;       // 'author_id'
 * Author.meta.reverseRelations[0]?.name;  // 'bookSet'
 * ```
 */
export class ModelMeta {
  /** The app part of the label (`library`). */
  readonly app: string;
  /** The model name (`Book`). */
  readonly name: string;
  /** `app.Name`, unique in the registry. */
  readonly label: string;
  /** The table: `table` option, or `<app>_<snake_name>` (`library_book_tag`). */
  readonly table: string;
  /** Lower-case human name (`book tag`); admin capitalizes it where needed. */
  readonly verboseName: string;
  readonly verboseNamePlural: string;
  /** Default order of queries: field names, `-` for descending. */
  readonly ordering: readonly string[];
  readonly indexes: readonly IndexMeta[];
  /** Sets of field names unique together. */
  readonly uniqueTogether: readonly (readonly string[])[];
  readonly checks: readonly CheckSpec[];
  /** Every field in declaration order, the auto `id` first when added. */
  readonly fields: readonly AnyField[];
  /** The primary key field. */
  readonly pk: AnyField;
  /** Field names in declaration order. */
  readonly fieldNames: readonly string[];
  /** The registry the model belongs to (relations given by label resolve there). */
  readonly registry: Registry;
  /** Foreign keys, one-to-ones and many-to-manys declared on this model. */
  readonly forwardRelations: readonly RelationField[];
  /** Fields with a column (all but many-to-many), in order. */
  readonly concreteFields: readonly AnyField[];
  /**
   * The model's permissions: the default actions' (`add_book`, `change_book`, `delete_book`,
   * `view_book`, or those `defaultPermissions` lists), then the custom ones (`permissions`).
   * The auth app stores them as rows; a user's perm string is `<app>.<codename>`. Not part
   * of the migration state.
   */
  readonly permissions: readonly ModelPermission[];

  readonly #byName: Map<string, AnyField>;
  #reverse: { version: number; relations: readonly ReverseRelation[] } | undefined;

  /** Built by `model()`; binds the declared fields to `model`. */
  constructor(
    model: AnyModel,
    label: string,
    declared: Record<string, AnyField>,
    options: MetaOptions,
    registry: Registry,
  ) {
    const match = LABEL.exec(label);
    if (!match)
      throw new ModelDefinitionError(
        `model label '${label}' should be 'app.Name': a lower-case app and a PascalCase name, like 'library.Book'`,
      );
    this.app = match[1]!;
    this.name = match[2]!;
    this.label = label;
    this.registry = registry;
    this.table = options.table ?? `${this.app}_${snakeCase(this.name)}`;
    this.verboseName = options.verboseName ?? humanize(this.name).toLowerCase();
    this.verboseNamePlural = options.verboseNamePlural ?? pluralize(this.verboseName);

    const entries = Object.entries(declared);
    const fail = (message: string): never => {
      throw new ModelDefinitionError(`${label}: ${message}`);
    };
    for (const [name, field] of entries) {
      if (!NAME.test(name))
        fail(`field name '${name}' should be letters and digits in camelCase, like 'firstName'`);
      if (!(field instanceof Object) || typeof (field as AnyField).bind !== 'function')
        fail(`'${name}' is not a field; build fields with f, like f.string({ maxLength: 100 })`);
    }
    const pks = entries.filter(([, field]) => field.primaryKey);
    if (pks.length > 1) fail(`only one field can be the primary key, got ${pks.map(([n]) => n).join(', ')}`);
    for (const [name, field] of pks) {
      if (field.nullable) fail(`the primary key '${name}' cannot be nullable`);
      if (field.kind === 'manyToMany') fail(`a many-to-many field ('${name}') cannot be the primary key`);
    }
    if (pks.length === 0 && 'id' in declared)
      fail(
        `a field named 'id' must be the primary key (primaryKey: true), as 'id' is the auto primary key's name`,
      );

    const fields: AnyField[] = [];
    if (pks.length === 0) fields.push(new IntegerField('auto', { label: 'ID' }).bind('id', model));
    for (const [name, field] of entries) fields.push(field.bind(name, model));
    this.fields = Object.freeze(fields);
    this.fieldNames = Object.freeze(fields.map((field) => field.name));
    this.#byName = new Map(fields.map((field) => [field.name, field]));
    this.pk = fields.find((field) => field.primaryKey)!;
    this.forwardRelations = Object.freeze(fields.filter((field) => field instanceof RelationField));
    this.concreteFields = Object.freeze(fields.filter((field) => field.column !== null));
    for (const field of this.forwardRelations) {
      // A target given by a function is checked when the relation is first used.
      const self = field.kind === 'manyToMany' ? field.targetsLabel(label) : undefined;
      if (self === undefined) continue;
      const problem = symmetryProblem(self, field.declaredSymmetrical, field.declaredRelatedName);
      if (problem) throw new ModelDefinitionError(`${label}.${field.name}: ${problem}`);
    }

    const taken = new Map<string, string>();
    for (const field of fields) {
      for (const key of [field.attribute, field.column ? `column ${field.column}` : '']) {
        if (!key) continue;
        const owner = taken.get(key);
        if (owner && owner !== field.name)
          fail(
            `fields '${owner}' and '${field.name}' both use ${key.startsWith('column') ? key : `the name '${key}'`}`,
          );
        taken.set(key, field.name);
      }
    }

    const known = (name: string, where: string): string => {
      const bare = name.startsWith('-') ? name.slice(1) : name;
      const field = this.#byName.get(bare);
      if (!field)
        fail(`${where} names '${bare}', which is not a field (fields: ${this.fieldNames.join(', ')})`);
      if (field!.kind === 'manyToMany')
        fail(`${where} names '${bare}', a many-to-many field, which has no column`);
      return name;
    };
    this.ordering = Object.freeze((options.ordering ?? []).map((name) => known(name, 'ordering')));
    this.uniqueTogether = Object.freeze(
      (options.uniqueTogether ?? []).map((set) => {
        if (set.length < 2)
          fail('each uniqueTogether set needs two or more fields (use unique: true for one)');
        return Object.freeze(set.map((name) => known(name, 'uniqueTogether')));
      }),
    );
    this.indexes = Object.freeze(
      (options.indexes ?? []).map((index) => {
        if (index.fields.length === 0) fail('an index needs at least one field');
        const names = index.fields.map((name) => known(name, 'an index'));
        return Object.freeze({
          name: index.name ?? this.#indexName(names),
          fields: Object.freeze(names),
          unique: index.unique ?? false,
        });
      }),
    );
    for (const index of this.indexes) {
      const only = index.fields.length === 1 ? this.#byName.get(index.fields[0]!) : undefined;
      if (only?.declaredOptions.index === true && !index.unique)
        fail(
          `the index on '${only.name}' repeats its index: true; keep one of them (or make the index unique)`,
        );
    }
    this.permissions = Object.freeze(this.#permissions(options, fail));
    const checkNames = new Set<string>();
    this.checks = Object.freeze(
      (options.checks ?? []).map((check) => {
        if (!check.name) fail('every check needs a name');
        if (checkNames.has(check.name)) fail(`two checks are named '${check.name}'`);
        checkNames.add(check.name);
        if ('rawSql' in check) {
          if (typeof check.rawSql !== 'string' || !check.rawSql.trim())
            fail(`check '${check.name}' has an empty rawSql`);
          return Object.freeze({ ...check });
        }
        if (!check.where || Object.keys(check.where).length === 0)
          fail(`check '${check.name}' needs a where with at least one field condition, or a rawSql`);
        for (const [name, condition] of Object.entries(check.where)) {
          known(name, `check '${check.name}'`);
          for (const op of Object.keys(condition ?? {}))
            if (!OPERATORS.has(op))
              fail(
                `check '${check.name}' uses '${op}' on '${name}'; operators are ${[...OPERATORS].join(', ')}`,
              );
        }
        return Object.freeze({ ...check });
      }),
    );
  }

  #permissions(options: MetaOptions, fail: (message: string) => never): ModelPermission[] {
    const model = this.name.toLowerCase();
    const actions = options.defaultPermissions ?? ACTIONS;
    const permissions: ModelPermission[] = [];
    for (const action of actions) {
      if (!ACTIONS.includes(action))
        fail(`defaultPermissions lists '${action}'; the default actions are ${ACTIONS.join(', ')}`);
      if (!permissions.some((p) => p.codename === `${action}_${model}`))
        permissions.push(
          Object.freeze({ codename: `${action}_${model}`, name: `Can ${action} ${this.verboseName}` }),
        );
    }
    for (const [codename, name] of Object.entries(options.permissions ?? {})) {
      if (!CODENAME.test(codename) || codename.length > 100)
        fail(
          `the permission codename '${codename}' should be lower-case letters, digits and _ (at most 100), like 'publish_book'`,
        );
      if (typeof name !== 'string' || !name.trim() || name.length > 255)
        fail(`the permission '${codename}' needs a name of 1 to 255 characters, like 'Can publish books'`);
      if (permissions.some((p) => p.codename === codename))
        fail(`the permission '${codename}' is declared twice (the default permissions include it)`);
      permissions.push(Object.freeze({ codename, name }));
    }
    return permissions;
  }

  #indexName(fields: readonly string[]): string {
    const columns = fields.map((name) => this.#byName.get(name.replace(/^-/u, ''))!.column);
    const name = `${this.table}_${columns.join('_')}_idx`;
    if (name.length <= MAX_IDENTIFIER) return name;
    return `${name.slice(0, MAX_IDENTIFIER - 11)}_${shortHash(name)}_idx`;
  }

  /**
   * The field named `name`; throws an error naming the model and its fields when there is none.
   *
   * @example
   * ```ts
   * Book.meta.field('title').maxLength; // 200
   * ```
   */
  field(name: string): AnyField {
    const field = this.#byName.get(name);
    if (field) return field;
    const byAttribute = this.fields.find((f) => f.attribute === name && f.attribute !== f.name);
    const hint = byAttribute ? ` ('${name}' is the row key of the field '${byAttribute.name}')` : '';
    throw new ModelDefinitionError(
      `${this.label} has no field '${name}'${hint}; its fields are: ${this.fieldNames.join(', ')}`,
    );
  }

  /**
   * The relation field named `name` (foreign key, one-to-one or many-to-many); throws when
   * there is none.
   *
   * @example
   * ```ts
   * Book.meta.relation('author').target; // Author
   * ```
   */
  relation(name: string): RelationField {
    const field = this.field(name);
    if (field instanceof RelationField) return field;
    const names = this.forwardRelations.map((r) => r.name);
    throw new ModelDefinitionError(
      `${this.label}.${name} is not a relation; its relations are: ${names.length ? names.join(', ') : '(none)'}`,
    );
  }

  /** `true` when the model has a field named `name`. */
  hasField(name: string): boolean {
    return this.#byName.has(name);
  }

  /**
   * Relations other models declare towards this one, computed from the registry (and
   * recomputed when it changes). Throws when two of them would have the same name. A
   * relation whose target cannot be resolved yet is skipped here; it throws where it is used.
   * A symmetrical many-to-many (to the model itself) has no reverse side, so is not listed.
   */
  get reverseRelations(): readonly ReverseRelation[] {
    const version = this.registry.version;
    if (this.#reverse?.version === version) return this.#reverse.relations;
    const relations: ReverseRelation[] = [];
    const self = this.registry.find(this.label);
    for (const other of this.registry.all()) {
      for (const field of other.meta.forwardRelations) {
        if (!self || !field.pointsAt(self) || field.symmetrical) continue;
        const name = field.relatedName;
        const clash = relations.find((r) => r.name === name);
        if (clash || this.#byName.has(name))
          throw new ModelDefinitionError(
            `${other.meta.label}.${field.name}: its reverse name '${name}' on ${this.label} is taken by ` +
              (clash ? `${clash.model.meta.label}.${clash.field.name}` : `the field '${name}'`) +
              `; give one of them relatedName`,
          );
        relations.push(
          Object.freeze({ name, model: other, field, kind: field.kind, many: field.kind !== 'oneToOne' }),
        );
      }
    }
    this.#reverse = { version, relations: Object.freeze(relations) };
    return this.#reverse.relations;
  }
}
