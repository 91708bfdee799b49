/**
 * node:sqlite errors → Volt's database errors. node:sqlite throws an Error with
 * `code: 'ERR_SQLITE_ERROR'`, the extended result code in `errcode` and a message such as
 * `UNIQUE constraint failed: users.email`.
 */
import {
  CheckViolationError,
  DatabaseBusyError,
  DatabaseError,
  ForeignKeyViolationError,
  NotNullViolationError,
  UniqueViolationError,
} from '../../errors.ts';

// Extended result codes (https://sqlite.org/rescode.html).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const CONSTRAINT_CHECK = 275;
const CONSTRAINT_FOREIGNKEY = 787;
// ON DELETE RESTRICT fails through SQLite's internal trigger, with the foreign key message.
const CONSTRAINT_TRIGGER = 1811;
const CONSTRAINT_NOTNULL = 1299;
const CONSTRAINT_PRIMARYKEY = 1555;
const CONSTRAINT_UNIQUE = 2067;

/** `t.a, t.b` → table `t`, columns `[a, b]`. */
function tableColumns(list: string): { table?: string; columns: string[] } {
  let table: string | undefined;
  const columns = list.split(',').map((part) => {
    const name = part.trim();
    const dot = name.lastIndexOf('.');
    if (dot < 0) return name;
    table = name.slice(0, dot);
    return name.slice(dot + 1);
  });
  return table === undefined ? { columns } : { table, columns };
}

/** Maps a node:sqlite error to a `DatabaseError`; anything else is returned as is. */
export function mapSqliteError(error: unknown, sql: string): unknown {
  if (error instanceof RangeError && (error as { code?: unknown }).code === 'ERR_OUT_OF_RANGE') {
    return new DatabaseError(
      `${error.message}: SQLite INTEGER values beyond Number.MAX_SAFE_INTEGER cannot be read as numbers; select them as text (CAST(column AS TEXT))`,
      { cause: error, driverCode: 'ERR_OUT_OF_RANGE', sql },
    );
  }
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== 'ERR_SQLITE_ERROR') return error;
  const errcode = (error as { errcode?: number }).errcode ?? 0;
  const options = { cause: error, driverCode: String(errcode), sql };
  const message = error.message;
  const detail = message.slice(message.indexOf(':') + 1).trim();
  switch (errcode) {
    case CONSTRAINT_UNIQUE:
    case CONSTRAINT_PRIMARYKEY:
      return new UniqueViolationError(message, tableColumns(detail), options);
    case CONSTRAINT_NOTNULL:
      return new NotNullViolationError(message, tableColumns(detail), options);
    case CONSTRAINT_TRIGGER:
      if (!message.includes('FOREIGN KEY constraint failed')) break;
      return new ForeignKeyViolationError(message, {}, options);
    case CONSTRAINT_FOREIGNKEY:
      return new ForeignKeyViolationError(message, {}, options);
    case CONSTRAINT_CHECK:
      // SQLite names the constraint when it has a name, else quotes the expression.
      return new CheckViolationError(message, { constraint: detail }, options);
  }
  const primary = errcode & 0xff;
  if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED)
    return new DatabaseBusyError('The database is locked by another connection', options);
  return new DatabaseError(message, options);
}
