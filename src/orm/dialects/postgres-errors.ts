/**
 * pg errors → Volt's database errors, by SQLSTATE. pg's error carries `table`, `column`,
 * `constraint` and a `detail` such as `Key (email)=(a@b.c) already exists.`
 */
import {
  CheckViolationError,
  type ConstraintInfo,
  DatabaseBusyError,
  DatabaseError,
  ForeignKeyViolationError,
  NotNullViolationError,
  UniqueViolationError,
} from '../errors.ts';

interface PgError {
  message: string;
  code?: string;
  table?: string;
  column?: string;
  constraint?: string;
  detail?: string;
}

/** `Key (a, "b c")=(…)` → `['a', 'b c']`. */
function keyColumns(detail: string | undefined): string[] | undefined {
  const match = detail && /^Key \((.+?)\)=/.exec(detail);
  if (!match) return undefined;
  return match[1]!
    .split(', ')
    .map((name) => (name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name));
}

function info(error: PgError, columns: string[] | undefined): ConstraintInfo {
  const out: ConstraintInfo = {};
  if (error.table) out.table = error.table;
  if (columns) out.columns = columns;
  if (error.constraint) out.constraint = error.constraint;
  return out;
}

/** Maps a pg error to a `DatabaseError`; anything else is returned as is. */
export function mapPostgresError(error: unknown, sql?: string): unknown {
  if (!(error instanceof Error)) return error;
  const pg = error as Error & PgError;
  const options = sql === undefined ? { cause: error, code: pg.code } : { cause: error, code: pg.code, sql };
  if (typeof pg.code !== 'string' || !/^[0-9A-Z]{5}$/.test(pg.code)) {
    // pg's pool reports an exhausted connectionTimeout with this message.
    if (/timeout exceeded when trying to connect/i.test(pg.message))
      return new DatabaseBusyError(pg.message, options);
    return error;
  }
  switch (pg.code) {
    case '23505':
      return new UniqueViolationError(pg.message, info(pg, keyColumns(pg.detail)), options);
    case '23503':
      return new ForeignKeyViolationError(pg.message, info(pg, keyColumns(pg.detail)), options);
    case '23502':
      return new NotNullViolationError(pg.message, info(pg, pg.column ? [pg.column] : undefined), options);
    case '23514':
      return new CheckViolationError(pg.message, info(pg, undefined), options);
    case '55P03': // lock_not_available (lock_timeout, NOWAIT)
      return new DatabaseBusyError(pg.message, options);
  }
  return new DatabaseError(pg.message, options);
}
