/**
 * The text kinds: `string` (bounded), `text`, `email`, `url`, `slug` and `uuid`.
 * On SQLite every one is a `TEXT` column (SQLite ignores declared lengths); the length and
 * format checks run in `validateInput` and in the HTTP schemas.
 */

import { Type } from 'typebox';
import type { DialectOps } from '../dialects/ops.ts';
import { opsOf } from '../dialects/registry.ts';
import {
  type Dialect,
  Field,
  type FieldKind,
  type FieldOptions,
  type FieldSchema,
  type Issue,
  type LengthOptions,
  ModelDefinitionError,
  withChoices,
} from './field.ts';
import { storableInFilter, textIssue } from './storable-text.ts';

/** Options of `f.string()`: `maxLength` is required. */
export interface StringOptions extends FieldOptions<string>, LengthOptions {
  maxLength: number;
}

/** Options of `f.text()`, `f.email()`, `f.url()`, `f.slug()`. */
export interface TextOptions extends FieldOptions<string>, LengthOptions {}

/** Options of `f.uuid()`. */
export interface UuidOptions extends FieldOptions<string> {}

const FORMATS: Partial<Record<FieldKind, { format: string; test: (v: string) => boolean }>> = {
  email: { format: 'email', test: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(v) },
  url: { format: 'uri', test: (v) => URL.canParse(v) && /^https?:\/\//iu.test(v) },
  uuid: {
    format: 'uuid',
    test: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu.test(v),
  },
};

/** The message word for a format (`Input should be a valid email`). */
const FORMAT_WORD: Record<string, string> = { email: 'email address', uri: 'URL', uuid: 'UUID' };

/** Default lengths, as Django's `EmailField`, `URLField` and `SlugField`. */
const DEFAULT_LENGTH: Partial<Record<FieldKind, number>> = { email: 254, url: 200, slug: 50 };

/**
 * A text field. `kind` decides the format check and the PostgreSQL column type.
 *
 * @example
 * ```ts
 * const email = f.email({ unique: true });
 * email.check('nope'); // [{ msg: 'Input should be a valid email address', type: 'format' }]
 * ```
 */
export class TextField<O = unknown> extends Field<string, O> {
  constructor(kind: 'string' | 'text' | 'email' | 'url' | 'slug' | 'uuid', options: TextOptions = {}) {
    // `?.`: options that are not an object are refused by Field, with their builder's name.
    const maxLength = options?.maxLength ?? DEFAULT_LENGTH[kind];
    const pattern = options?.pattern ?? (kind === 'slug' ? '^[-a-zA-Z0-9_]+$' : undefined);
    super(
      kind,
      {
        ...options,
        ...(maxLength === undefined ? {} : { maxLength }),
        ...(pattern === undefined ? {} : { pattern }),
      },
      options,
    );
    if (kind === 'string' && (typeof options.maxLength !== 'number' || options.maxLength < 1))
      throw new ModelDefinitionError(
        'f.string() needs a maxLength ({ maxLength: 200 }); use f.text() for text without a limit',
      );
    if (this.maxLength !== undefined && (!Number.isInteger(this.maxLength) || this.maxLength < 1))
      throw new ModelDefinitionError(`maxLength must be a positive whole number, got ${this.maxLength}`);
  }

  valueSchema(): FieldSchema {
    const options: Record<string, unknown> = {};
    if (this.maxLength !== undefined) options.maxLength = this.maxLength;
    if (this.minLength !== undefined) options.minLength = this.minLength;
    if (this.pattern !== undefined) options.pattern = this.pattern;
    const format = FORMATS[this.kind]?.format;
    if (format) options.format = format;
    return withChoices(Type.String(options), this.choiceValues());
  }

  protected typeIssue(value: unknown): Issue | undefined {
    if (typeof value !== 'string') return { msg: 'Input should be a valid string', type: 'string_type' };
    const issue = textIssue(value);
    if (issue) return issue;
    const format = FORMATS[this.kind];
    if (format && !format.test(value))
      return { msg: `Input should be a valid ${FORMAT_WORD[format.format]}`, type: 'format' };
    return undefined;
  }

  /** The text as it is; in a filter, text holding a NUL or a lone surrogate is a `QueryError`. */
  override toDb(value: string | null, _dialect?: DialectOps | Dialect): unknown {
    if (typeof value !== 'string') return value ?? null;
    return storableInFilter(textIssue(value), this.name, value);
  }

  columnType(dialect: DialectOps | Dialect): string {
    if (this.kind === 'uuid') return opsOf(dialect).types.uuid;
    if (this.kind === 'text') return opsOf(dialect).types.text;
    return opsOf(dialect).types.varchar(this.maxLength!);
  }
}
