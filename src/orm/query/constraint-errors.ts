/**
 * Database constraint violations that still happen on a write (validation cannot see the other
 * rows) become the same `ValidationError` as a bad input, placed at the fields involved:
 * unique → `unique`, foreign key → `foreign_key`, not null → `null`, check → `check`.
 */

import type { Database } from '../database.ts';
import type { DialectOps } from '../dialects/ops.ts';
import {
  CheckViolationError,
  ForeignKeyViolationError,
  NotNullViolationError,
  UniqueViolationError,
} from '../errors.ts';
import type { AnyField } from '../fields/field.ts';
import { RelationField } from '../fields/relation.ts';
import type { AnyModel } from '../model.ts';
import type { FieldError } from '../validation.ts';
import { ValidationError } from './errors.ts';

/** `author` → `Author`. */
function capitalize(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/**
 * `Author 99 does not exist`: the message of a key that has no row (`key` as JavaScript holds it).
 *
 * @example
 * ```ts
 * noSuchRow(Tag, 'poetry'); // 'Tag "poetry" does not exist'
 * ```
 */
export function noSuchRow(model: AnyModel, key: unknown): string {
  const shown = typeof key === 'bigint' ? String(key) : JSON.stringify(key);
  return `${capitalize(model.meta.verboseName)} ${shown} does not exist`;
}

function byColumns(model: AnyModel, columns: readonly string[] | undefined): AnyField[] {
  return (columns ?? [])
    .map((column) => model.meta.concreteFields.find((f) => f.column === column))
    .filter((f) => f !== undefined);
}

function unique(model: AnyModel, error: UniqueViolationError): FieldError[] {
  const meta = model.meta;
  const fields = byColumns(model, error.columns);
  const names = fields.map((f) => f.label.toLowerCase()).join(' and ');
  const msg = names
    ? `${capitalize(meta.verboseName)} with this ${names} already exists`
    : `This ${meta.verboseName} already exists`;
  const locs = fields.length ? fields.map((f) => [f.attribute]) : [[]];
  return locs.map((loc) => ({ loc, msg, type: 'unique' }));
}

function missingTarget(field: RelationField, value: unknown, ops: DialectOps): FieldError {
  const key = field.target.meta.pk.fromDb(value, ops);
  return { loc: [field.attribute], msg: noSuchRow(field.target, key), type: 'foreign_key' };
}

/** The foreign keys among the written `columns` whose target row does not exist (SQLite names none). */
async function missingTargets(
  db: Database,
  model: AnyModel,
  columns: Record<string, unknown>,
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  for (const field of model.meta.forwardRelations) {
    if (!field.concrete) continue;
    const value = columns[field.column!];
    if (value === undefined || value === null) continue;
    const target = field.target.meta;
    const { sql: text, parameters } = db.kysely
      .selectFrom(target.table)
      .select(target.pk.column!)
      .where(target.pk.column!, '=', value)
      .compile();
    if ((await db.get(text, parameters)) === undefined) errors.push(missingTarget(field, value, db.ops));
  }
  return errors;
}

async function foreignKey(
  db: Database,
  model: AnyModel,
  error: ForeignKeyViolationError,
  columns: Record<string, unknown>,
): Promise<FieldError[]> {
  const named = byColumns(model, error.columns).filter((f) => f instanceof RelationField);
  if (named.length) return named.map((f) => missingTarget(f, columns[f.column!], db.ops));
  let errors: FieldError[] = [];
  try {
    errors = await missingTargets(db, model, columns);
  } catch {
    // The connection could not answer (a failed PostgreSQL transaction): fall back to no loc.
  }
  return errors.length
    ? errors
    : [
        {
          loc: [],
          msg: `A ${model.meta.verboseName} key points at a row that does not exist`,
          type: 'foreign_key',
        },
      ];
}

function check(model: AnyModel, error: CheckViolationError): FieldError[] {
  const declared = model.meta.checks.find(
    (c) => c.name === error.constraint || (error.constraint ?? '').endsWith(`: ${c.name}`),
  );
  const name = declared?.name ?? error.constraint ?? 'a check constraint';
  const msg = `The ${model.meta.verboseName} fails the check '${name}'`;
  if (!declared || 'rawSql' in declared) return [{ loc: [], msg, type: 'check' }];
  return Object.keys(declared.where).map((field) => ({
    loc: [model.meta.field(field).attribute],
    msg,
    type: 'check',
  }));
}

/**
 * `error` as a `ValidationError` when it is a constraint violation of a write of `columns`
 * (column → value as sent) to `model`'s table, each `loc` prefixed with `at` (a bulk create's
 * index); any other error is returned as is. On SQLite, which does not say which foreign key
 * failed, the written keys are looked up to find the missing ones.
 *
 * @example
 * ```ts
 * catch (error) { throw await constraintError(error, db, Book, { author_id: 99 }); }
 * // ValidationError: authorId: Author 99 does not exist
 * ```
 */
export async function constraintError(
  error: unknown,
  db: Database,
  model: AnyModel,
  columns: Record<string, unknown>,
  at: readonly (string | number)[] = [],
): Promise<unknown> {
  let errors: FieldError[];
  if (error instanceof UniqueViolationError) errors = unique(model, error);
  else if (error instanceof ForeignKeyViolationError) errors = await foreignKey(db, model, error, columns);
  else if (error instanceof NotNullViolationError)
    errors = byColumns(model, error.columns).map((f) => ({
      loc: [f.attribute],
      msg: 'Input should not be null',
      type: 'null',
    }));
  else if (error instanceof CheckViolationError) errors = check(model, error);
  else return error;
  // The driver's own message names tables and constraints: it stays in `cause`, for the logs.
  if (errors.length === 0)
    errors = [{ loc: [], msg: `The database refused this ${model.meta.verboseName}`, type: 'constraint' }];
  return new ValidationError(
    errors.map((e) => ({ ...e, loc: [...at, ...e.loc] })),
    { cause: error },
  );
}

/**
 * Runs one write so that its failure leaves the caller's transaction usable: inside a
 * transaction, in a savepoint (a failed statement spoils a transaction: PostgreSQL aborts it,
 * and Volt marks it on SQLite too); outside one as it is. For the ORM's own retries
 * (`getOrCreate`, fixtures), not for every write.
 */
export function guarded<T>(db: Database, write: (db: Database) => Promise<T>): Promise<T> {
  return db.inTransaction ? db.transaction(write) : write(db);
}
