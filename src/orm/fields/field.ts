/**
 * `Field`: what every column kind shares — its options, its TypeBox schemas, the check of a
 * value, its column type per dialect and the conversions to and from the database (both asking
 * the dialect's `DialectOps`, `db.ops`).
 */
import { type TSchema, Type } from 'typebox';
import type { DialectName } from '../database.ts';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyModel } from '../model.ts';
import { humanize, snakeCase } from './names.ts';
import { optionsProblem } from './options.ts';

/** The databases Volt speaks: `'sqlite' | 'postgres'`. */
export type Dialect = DialectName;

/** Every kind of field `f` builds. */
export type FieldKind =
  | 'auto'
  | 'string'
  | 'text'
  | 'email'
  | 'url'
  | 'slug'
  | 'uuid'
  | 'integer'
  | 'bigint'
  | 'float'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'time'
  | 'json'
  | 'enum'
  | 'foreignKey'
  | 'oneToOne'
  | 'manyToMany';

/** One allowed value and the label people see for it. */
export interface Choice<T = unknown> {
  readonly value: T;
  readonly label: string;
}

/** A value's problem, before it is placed at a field (`loc`) by `validateInput`. */
export interface Issue {
  /** A sentence a person can read. */
  msg: string;
  /** A stable code such as `string_too_long` (the HTTP layer's codes). */
  type: string;
}

/** Options every field accepts. */
export interface FieldOptions<T = unknown> {
  /** `NULL` allowed; the row type gets `| null` and the field becomes optional on create. */
  nullable?: boolean;
  /** A value, or a function called for each new row (`() => crypto.randomUUID()`). */
  default?: T | null | (() => T | null);
  /** A unique constraint on the column. */
  unique?: boolean;
  /** An index on the column. */
  index?: boolean;
  /** Only these values (`[value, label]` pairs or bare values, labelled by themselves). */
  choices?: readonly (T | readonly [T, string])[];
  /** The human name (admin, forms, OpenAPI); by default from the name: `firstName` → `First name`. */
  label?: string;
  /** A sentence shown under the input and as the schema's description. */
  helpText?: string;
  /** `false`: never accepted on create or update (set by code only). */
  editable?: boolean;
  /** Accepted on writes, never in read schemas (a password hash). */
  writeOnly?: boolean;
  /** The column name; by default the snake_case of the field name. */
  dbColumn?: string;
  /** This field is the primary key (no auto `id` is added). */
  primaryKey?: boolean;
}

/** Options of the kinds with a length. */
export interface LengthOptions {
  /** Most characters allowed. */
  maxLength?: number;
  /** Fewest characters allowed. */
  minLength?: number;
  /** A regular expression (JSON Schema dialect, unanchored like JSON Schema's `pattern`). */
  pattern?: string;
}

/** Options of the numeric kinds. */
export interface RangeOptions {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
}

/** Every option a field can hold after construction. */
export type AnyFieldOptions = FieldOptions<any> &
  LengthOptions &
  RangeOptions & {
    autoNow?: boolean;
    autoNowAdd?: boolean;
    digits?: number;
    places?: number;
  };

/** A JSON Schema as fields build it: a TypeBox schema whose keywords can be read directly. */
export type FieldSchema = TSchema & Record<string, any>;

/** A definition mistake, thrown when the model is declared (or a relation is resolved). */
export class ModelDefinitionError extends Error {
  override readonly name = 'ModelDefinitionError';
  /** Stable code: `VOLT_ORM_DEFINITION`. */
  readonly code = 'VOLT_ORM_DEFINITION';
}

/**
 * The base of every field. A field is declared unbound (`f.string(...)`) and bound to a model
 * by `model()`, which sets `name`, `column`, `label` and `model` on a frozen copy.
 *
 * `T` is the JavaScript value type; `O` the literal options, which the row and input types read.
 *
 * @example
 * ```ts
 * const title = f.string({ maxLength: 200 });
 * title.check('x'.repeat(201)); // [{ msg: 'String should have at most 200 characters', type: 'string_too_long' }]
 * title.columnType('postgres'); // 'varchar(200)'
 * ```
 */
export abstract class Field<T = unknown, O = unknown> {
  /** Phantom: the value type, read by `Row<>` and the input types. */
  declare readonly '~value': T;
  /** Phantom: the literal options, read by `Row<>` and the input types. */
  declare readonly '~options': O;

  readonly kind: FieldKind;
  /** The field name on the model (`''` until bound). */
  readonly name: string = '';
  /** The key of this field in a row: the name, or `<name>Id` for a foreign key. */
  readonly attribute: string = '';
  /** The column name (`''` until bound; `null` for many-to-many, which has no column). */
  readonly column: string | null = '';
  /** The model the field is bound to. */
  readonly model: AnyModel | undefined = undefined;
  readonly nullable: boolean;
  readonly unique: boolean;
  readonly index: boolean;
  readonly primaryKey: boolean;
  readonly editable: boolean;
  readonly writeOnly: boolean;
  readonly autoNow: boolean;
  readonly autoNowAdd: boolean;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly maxLength: number | undefined;
  readonly minLength: number | undefined;
  readonly pattern: string | undefined;
  readonly choices: readonly Choice<T>[] | undefined;
  readonly label: string;
  readonly helpText: string | undefined;
  readonly dbColumn: string | undefined;
  /** The declared default: a value or a function; `undefined` when there is none. */
  readonly default: T | null | (() => T | null) | undefined;
  readonly hasDefault: boolean;

  /**
   * The options as the builder was given them (before kind defaults such as a slug's
   * `maxLength` are filled in): what migrations write back as `f.<kind>(options)`. Kept by
   * `bind()`.
   */
  readonly declaredOptions: Readonly<Record<string, unknown>>;

  /** The compiled `pattern`. */
  protected readonly regex: RegExp | undefined;

  /**
   * `options` are the effective options; `declared` what the builder was given, when a kind
   * adds to them (a slug's pattern, a one-to-one's `unique`).
   */
  constructor(kind: FieldKind, options: AnyFieldOptions = {}, declared: object = options) {
    const problem = optionsProblem(kind, declared);
    if (problem) throw new ModelDefinitionError(problem);
    this.kind = kind;
    this.declaredOptions = Object.freeze({ ...declared });
    this.nullable = options.nullable ?? false;
    this.unique = options.unique ?? false;
    this.index = options.index ?? false;
    this.primaryKey = options.primaryKey ?? false;
    this.autoNow = options.autoNow ?? false;
    this.autoNowAdd = options.autoNowAdd ?? false;
    this.editable = options.editable ?? !(this.autoNow || this.autoNowAdd);
    this.writeOnly = options.writeOnly ?? false;
    this.min = options.min;
    this.max = options.max;
    this.maxLength = options.maxLength;
    this.minLength = options.minLength;
    this.pattern = options.pattern;
    this.choices = options.choices?.map((c) =>
      Array.isArray(c) ? { value: c[0], label: String(c[1]) } : { value: c as T, label: String(c) },
    );
    this.label = options.label ?? '';
    this.helpText = options.helpText;
    this.dbColumn = options.dbColumn;
    this.default = options.default;
    this.hasDefault = 'default' in options && options.default !== undefined;
    if (this.min !== undefined && this.max !== undefined && this.min > this.max)
      throw new ModelDefinitionError(`min (${this.min}) is greater than max (${this.max})`);
    this.regex = undefined;
    if (this.pattern !== undefined) {
      try {
        this.regex = new RegExp(this.pattern, 'u');
      } catch (error) {
        throw new ModelDefinitionError(
          `pattern ${JSON.stringify(this.pattern)} is not a valid regular expression`,
          {
            cause: error,
          },
        );
      }
    }
  }

  /** The column name used when `dbColumn` is not set. */
  protected defaultColumn(name: string): string | null {
    return snakeCase(name);
  }

  /** The row key used for this field. */
  protected attributeFor(name: string): string {
    return name;
  }

  /**
   * A frozen copy of this field bound to `model` under `name` (a declared field can be shared).
   * Called by `model()`.
   */
  bind(name: string, model: AnyModel): this {
    const bound = Object.create(Object.getPrototypeOf(this)) as this;
    Object.assign(bound, this);
    const writable = bound as { -readonly [K in keyof Field]: Field[K] };
    writable.name = name;
    writable.attribute = this.attributeFor(name);
    writable.column = this.dbColumn ?? this.defaultColumn(name);
    writable.label = this.label || humanize(name);
    writable.model = model;
    return Object.freeze(bound);
  }

  /** The default for a new row (calls a default function), or `undefined` when there is none. */
  getDefault(): T | null | undefined {
    const value = this.default;
    return typeof value === 'function' ? (value as () => T | null)() : value;
  }

  /** The JSON Schema of one non-null value, with the field's constraints. */
  abstract valueSchema(): FieldSchema;

  /** The JSON Schema of the value in responses (`null` allowed when nullable). */
  readSchema(): FieldSchema {
    return this.withMeta(this.nullable ? Type.Union([this.valueSchema(), Type.Null()]) : this.valueSchema());
  }

  /** The JSON Schema of the value in create and update bodies. */
  writeSchema(): FieldSchema {
    const schema = this.readSchema();
    return this.writeOnly ? { ...schema, writeOnly: true } : schema;
  }

  protected withMeta(schema: TSchema): FieldSchema {
    const extra: Record<string, unknown> = {};
    if (this.label) extra.title = this.label;
    if (this.helpText) extra.description = this.helpText;
    return Object.keys(extra).length ? { ...schema, ...extra } : schema;
  }

  /** The schema's `enum` for declared choices, or `undefined`. */
  protected choiceValues(): unknown[] | undefined {
    return this.choices?.map((c) => c.value);
  }

  /**
   * The problems of `value` for this field: `[]` when it is acceptable. `undefined` is not
   * checked here (whether a value is required is the caller's question).
   */
  check(value: unknown): Issue[] {
    if (value === null) return this.nullable ? [] : [{ msg: 'Input should not be null', type: 'null' }];
    const typeIssue = this.typeIssue(value);
    if (typeIssue) return [typeIssue];
    return this.constraintIssues(value as T);
  }

  /** The problem when `value` has the wrong type for this kind, or `undefined`. */
  protected abstract typeIssue(value: unknown): Issue | undefined;

  /** The problems of a value of the right type: choices, range, length, pattern. */
  protected constraintIssues(value: T): Issue[] {
    const issues: Issue[] = [];
    if (this.choices && !this.choices.some((c) => c.value === value))
      issues.push({
        msg: `Input should be ${describeChoices(this.choices.map((c) => c.value))}`,
        type: 'enum',
      });
    if (this.min !== undefined && this.compareTo(value, this.min) < 0)
      issues.push({
        msg: `Input should be greater than or equal to ${this.min}`,
        type: 'greater_than_equal',
      });
    if (this.max !== undefined && this.compareTo(value, this.max) > 0)
      issues.push({ msg: `Input should be less than or equal to ${this.max}`, type: 'less_than_equal' });
    if (typeof value === 'string') {
      const length = [...value].length;
      if (this.minLength !== undefined && length < this.minLength)
        issues.push({
          msg: `String should have at least ${plural(this.minLength, 'character')}`,
          type: 'string_too_short',
        });
      if (this.maxLength !== undefined && length > this.maxLength)
        issues.push({
          msg: `String should have at most ${plural(this.maxLength, 'character')}`,
          type: 'string_too_long',
        });
      if (this.regex && !this.regex.test(value))
        issues.push({
          msg: `String should match pattern '${this.pattern}'`,
          type: 'string_pattern_mismatch',
        });
    }
    return issues;
  }

  /** Below zero when `value` is less than the bound `min` or `max`, above zero when greater. */
  protected compareTo(value: T, bound: number): number {
    return Number(value) - bound;
  }

  /**
   * The SQL column type on the dialect of `ops` (`db.ops`), from its `types` (`null` for
   * many-to-many, which has no column).
   */
  abstract columnType(dialect: DialectOps | Dialect): string | null;

  /** The value to send to the driver (`ops`: the dialect's, `db.ops`). `null` stays `null`. */
  toDb(value: T | null, _dialect: DialectOps | Dialect): unknown {
    return value ?? null;
  }

  /**
   * `false` when the column can never hold `value` (a number past an integer column's range),
   * so a comparison with it matches no row instead of failing in the database.
   */
  canHold(_value: unknown): boolean {
    return true;
  }

  /** The JavaScript value of what the driver returned. `null` stays `null`. */
  fromDb(raw: unknown, _dialect: DialectOps | Dialect): T | null {
    return (raw ?? null) as T | null;
  }
}

/** Any field, whatever its value and options. */
export type AnyField = Field<any, any>;

/** `'a', 'b' or 'c'`, as the HTTP layer words enum errors. */
export function describeChoices(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v)));
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The schema's enum keyword for choices, added to a value schema. */
export function withChoices(schema: TSchema, values: unknown[] | undefined): FieldSchema {
  return values ? { ...schema, enum: values } : schema;
}
