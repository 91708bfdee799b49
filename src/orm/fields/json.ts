/**
 * `json`: any JSON value, optionally checked against a TypeBox schema. PostgreSQL `jsonb`,
 * SQLite `TEXT` holding the JSON text.
 */

import { type Static, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import type { DialectOps } from '../dialects/ops.ts';
import { opsOf } from '../dialects/registry.ts';
import { type Dialect, Field, type FieldOptions, type FieldSchema, type Issue } from './field.ts';
import { jsonTextIssue, jsonTextIssueIn, storableInFilter } from './storable-text.ts';

/** Options of `f.json()`. */
export interface JsonOptions<T = unknown> extends FieldOptions<T> {
  /** The shape of the value: checked on input and shown in the schemas. */
  schema?: TSchema;
}

/** The value type of `f.json({ schema })`. */
export type JsonValueOf<O> = O extends { schema: infer S extends TSchema } ? Static<S> : unknown;

function isJson(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.values(value as object).every((v) => isJson(v, depth + 1));
  return false;
}

/**
 * A JSON document.
 *
 * @example
 * ```ts
 * const settings = f.json<{ theme: string }>({ default: () => ({ theme: 'dark' }) });
 * settings.toDb({ theme: 'dark' }, 'sqlite'); // '{"theme":"dark"}'
 * ```
 */
export class JsonField<T = unknown, O = unknown> extends Field<T, O> {
  readonly schema: TSchema | undefined;

  constructor(options: JsonOptions<T> = {}) {
    super('json', options);
    this.schema = options.schema;
  }

  valueSchema(): FieldSchema {
    return this.schema ?? Type.Unknown();
  }

  override readSchema(): FieldSchema {
    // Unknown already admits null; a union with null would only add noise.
    return this.schema ? super.readSchema() : this.withMeta(Type.Unknown());
  }

  protected typeIssue(value: unknown): Issue | undefined {
    if (!isJson(value)) return { msg: 'Input should be a JSON value', type: 'json_type' };
    const issue = jsonTextIssue(value);
    if (issue) return issue;
    if (this.schema && !Value.Check(this.schema, value))
      return { msg: 'Input does not match the declared JSON shape', type: 'json_schema' };
    return undefined;
  }

  columnType(dialect: DialectOps | Dialect): string {
    return opsOf(dialect).types.json;
  }

  // Stringified for pg too: node-postgres would send a JS array as a PostgreSQL array.
  // In a filter, a NUL or a lone surrogate in a string or a key is a QueryError.
  override toDb(value: T | null, _dialect?: DialectOps | Dialect): unknown {
    if (value === null || value === undefined) return null;
    const text = JSON.stringify(value);
    return storableInFilter(jsonTextIssueIn(text), this.name, text);
  }

  // pg parses jsonb itself (a JSON string comes back as a JS string); SQLite returns the text.
  override fromDb(raw: unknown, dialect: DialectOps | Dialect): T | null {
    if (raw === null || raw === undefined) return null;
    return opsOf(dialect).jsonFromDb(raw) as T;
  }
}
