/**
 * `enum`: one of a fixed set of strings. Stored as text (`varchar(n)` / `TEXT`), not as a
 * PostgreSQL enum type, so adding a value is a change of checks, not of column types.
 */

import { Type } from 'typebox';
import type { DialectOps } from '../dialects/ops.ts';
import { opsOf } from '../dialects/registry.ts';
import {
  type Choice,
  type Dialect,
  describeChoices,
  Field,
  type FieldOptions,
  type FieldSchema,
  type Issue,
  ModelDefinitionError,
} from './field.ts';

/** The values: a list (`['draft', 'published'] as const`) or labels by value. */
export type EnumValues = readonly string[] | Readonly<Record<string, string>>;

/** The value type of an `EnumValues`. */
export type EnumValueOf<V> = V extends readonly (infer S extends string)[] ? S : keyof V & string;

/** Options of `f.enum()` (its `choices` come from the values). */
export interface EnumOptions<T extends string = string> extends Omit<FieldOptions<T>, 'choices'> {}

/**
 * A field that holds one of the given strings; its choices' labels are the values, or the
 * labels given in an object.
 *
 * @example
 * ```ts
 * const status = f.enum(['draft', 'published'] as const, { default: 'draft' });
 * const level = f.enum({ low: 'Low priority', high: 'High priority' });
 * status.check('gone'); // [{ msg: "Input should be 'draft' or 'published'", type: 'enum' }]
 * ```
 */
export class EnumField<T extends string = string, O = unknown> extends Field<T, O> {
  declare readonly choices: readonly Choice<T>[];
  /** The values as declared: a list, or labels by value. */
  readonly declaredValues: EnumValues;

  constructor(values: EnumValues, options: EnumOptions<T> = {}) {
    const choices = Array.isArray(values)
      ? (values as readonly string[]).map((v) => [v, v] as const)
      : Object.entries(values as Record<string, string>);
    super('enum', { ...options, choices }, options);
    if (choices.length === 0) throw new ModelDefinitionError('f.enum() needs at least one value');
    this.declaredValues = Array.isArray(values) ? Object.freeze([...values]) : Object.freeze({ ...values });
  }

  /** The allowed values, in declaration order. */
  get values(): T[] {
    return this.choices.map((c) => c.value);
  }

  valueSchema(): FieldSchema {
    return Type.String({ enum: this.values });
  }

  protected typeIssue(value: unknown): Issue | undefined {
    return typeof value === 'string' && this.values.includes(value as T)
      ? undefined
      : { msg: `Input should be ${describeChoices(this.values)}`, type: 'enum' };
  }

  columnType(dialect: DialectOps | Dialect): string {
    return opsOf(dialect).types.varchar(Math.max(1, ...this.values.map((v) => v.length)));
  }
}
