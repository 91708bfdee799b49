/**
 * pg errors → Volt's database errors, by SQLSTATE. pg's error carries `table`, `column`,
 * `constraint` and a `detail` such as `Key (email)=(a@b.c) already exists.`
 *
 * A server that is away or ended the session is `DatabaseUnavailableError` (503 over HTTP), by
 * its SQLSTATE, the system error of the socket, or pg's own message for a dead connection (pg
 * gives those no code).
 */
import {
  CheckViolationError,
  type ConstraintInfo,
  DatabaseBusyError,
  DatabaseError,
  DatabaseUnavailableError,
  ForeignKeyViolationError,
  NotNullViolationError,
  UniqueViolationError,
} from '../../errors.ts';

/** When an error happened: getting a connection, or running a statement on one. */
export type Phase = 'connect' | 'statement';

// The server is starting, stopping, full or ended the session: a retry later can work.
const UNAVAILABLE_STATES: Record<string, string> = {
  '57P01': 'PostgreSQL ended the session (an administrator or a shutdown terminated it)',
  '57P02': 'PostgreSQL ended the session (the server crashed)',
  '57P03': 'PostgreSQL cannot accept connections now (starting up or shutting down)',
  '57P05': 'PostgreSQL ended the idle session',
  '53300': 'PostgreSQL has too many connections',
};

// Socket errors: the server is not there, or the connection to it broke.
const UNAVAILABLE_SYSTEM = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// pg's messages for a connection that died (they have no code).
const DEAD_CONNECTION =
  /^(Connection terminated unexpectedly|Connection terminated due to connection timeout|Client has encountered a connection error and is not queryable)$/;

/** Why the database is unavailable, when `error` says it is; else `undefined`. */
function unavailable(error: Error & PgError, phase: Phase): string | undefined {
  const code = error.code;
  if (typeof code === 'string') {
    const reason = UNAVAILABLE_STATES[code];
    if (reason) return reason;
    if (code.startsWith('08')) return 'The connection to PostgreSQL failed';
    // object_not_in_prerequisite_state: when connecting, the database does not accept
    // connections (ALTER DATABASE … ALLOW_CONNECTIONS false); later it means something else.
    if (code === '55000' && phase === 'connect') return 'The PostgreSQL database does not accept connections';
    if (UNAVAILABLE_SYSTEM.has(code)) return 'PostgreSQL cannot be reached';
  }
  if (DEAD_CONNECTION.test(error.message)) return 'The connection to PostgreSQL was lost';
  return undefined;
}

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

/**
 * Maps a pg error to a `DatabaseError`; anything else is returned as is. `phase` says whether
 * it came while getting a connection or running a statement.
 */
export function mapPostgresError(error: unknown, sql?: string, phase: Phase = 'statement'): unknown {
  if (!(error instanceof Error)) return error;
  const pg = error as Error & PgError;
  const options =
    sql === undefined ? { cause: error, driverCode: pg.code } : { cause: error, driverCode: pg.code, sql };
  const away = unavailable(pg, phase);
  if (away !== undefined) return new DatabaseUnavailableError(`${away} (${pg.message})`, options);
  if (typeof pg.code !== 'string' || !/^[0-9A-Z]{5}$/.test(pg.code)) return error;
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
      return new DatabaseBusyError('A lock was not available in time (lock_timeout or NOWAIT)', options);
    // Two transactions waited on each other's locks (concurrent writes to the same rows in
    // another order) and PostgreSQL stopped this one; or, under REPEATABLE READ / SERIALIZABLE,
    // a concurrent transaction changed what this one read. Run again, it can succeed.
    case '40P01': // deadlock_detected
      return new DatabaseBusyError(
        'A deadlock with a concurrent transaction: PostgreSQL rolled this one back (run it again)',
        options,
      );
    case '40001': // serialization_failure
      return new DatabaseBusyError(
        'A concurrent transaction changed the rows this one used: PostgreSQL rolled it back (run it again)',
        options,
      );
  }
  return new DatabaseError(pg.message, options);
}
