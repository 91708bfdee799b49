/**
 * `boolean`: PostgreSQL `boolean`, SQLite `INTEGER` 0/1 (SQLite has no boolean type).
 */

import { Type } from 'typebox';
import type { DialectOps } from '../dialects/ops.ts';
import { opsOf } from '../dialects/registry.ts';
import { type Dialect, Field, type FieldOptions, type FieldSchema, type Issue } from './field.ts';

/** Options of `f.boolean()`. */
export interface BooleanOptions extends FieldOptions<boolean> {}

/**
 * A true/false field.
 *
 * @example
 * ```ts
 * const active = f.boolean({ default: true });
 * active.toDb(true, 'sqlite'); // 1
 * active.fromDb(0, 'sqlite'); // false
 * ```
 */
export class BooleanField<O = unknown> extends Field<boolean, O> {
  constructor(options: BooleanOptions = {}) {
    super('boolean', options);
  }

  valueSchema(): FieldSchema {
    return Type.Boolean();
  }

  protected typeIssue(value: unknown): Issue | undefined {
    return typeof value === 'boolean'
      ? undefined
      : { msg: 'Input should be a valid boolean', type: 'bool_type' };
  }

  columnType(dialect: DialectOps | Dialect): string {
    return opsOf(dialect).types.boolean;
  }

  override toDb(value: boolean | null, dialect: DialectOps | Dialect): unknown {
    if (value === null || value === undefined) return null;
    return opsOf(dialect).booleanToDb(value);
  }

  override fromDb(raw: unknown, _dialect?: DialectOps | Dialect): boolean | null {
    if (raw === null || raw === undefined) return null;
    return typeof raw === 'boolean' ? raw : Number(raw) !== 0;
  }
}
