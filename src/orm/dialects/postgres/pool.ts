/**
 * The pool of PostgreSQL clients and one statement on a checked-out client: getting a client
 * within `connectionTimeoutMs` (or until a signal aborts), running a statement whose abort sends
 * a cancel request, and giving the client back — or closing it when its connection died or a
 * cancel request may still be on its way. A transaction whose client a cancel request may still
 * reach runs nothing more on it (`cancelMayArrive`): it stops and its client is closed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { DatabaseLogger } from '../../database.ts';
import { DatabaseAbortedError, DatabaseBusyError, DatabaseError } from '../../errors.ts';
import { WriteObservers } from '../../observers.ts';
import { Mutex } from '../mutex.ts';
import { abortedError } from '../signals.ts';
import { sendCancelRequest } from './cancel.ts';
import { mapPostgresError } from './errors.ts';
import {
  afterStatement,
  hasChores,
  type PreparedConfig,
  preparedConfig,
  runChores,
  staleStatement,
} from './statements.ts';

/** What every view of one pool shares. */
export class PoolState {
  readonly pool: pg.Pool;
  /** The transaction whose callback is running, to catch `db` used where `tx` was meant. */
  readonly context = new AsyncLocalStorage<TransactionState>();
  readonly connectionTimeoutMs: number;
  readonly logger: DatabaseLogger;
  /** How statements on a pooled connection (out of a transaction) run. */
  readonly statements: StatementOptions;
  /** How statements in a transaction run. */
  readonly transactionStatements: StatementOptions;
  /** The write observers of this pool (`observeWrites()`), shared by its views and transactions. */
  readonly observers = new WriteObservers();
  closed: Promise<void> | undefined;

  constructor(
    pool: pg.Pool,
    connectionTimeoutMs: number,
    logger: DatabaseLogger,
    statementCacheSize: number,
  ) {
    this.pool = pool;
    this.connectionTimeoutMs = connectionTimeoutMs;
    this.logger = logger;
    this.statements = { cacheSize: statementCacheSize, retryStale: true };
    this.transactionStatements = { cacheSize: statementCacheSize, retryStale: false };
    pool.on('error', this.onIdleError);
    // A checked-out client whose connection dies emits 'error' besides failing its statement
    // (which reports it): without a listener that event would kill the process.
    pool.on('connect', (client) => client.on('error', ignore));
  }

  onIdleError = (error: Error): void => {
    this.logger.error({ err: error }, 'PostgreSQL: an idle client failed (it was removed from the pool)');
  };

  onTransactionError = (error: Error): void => {
    this.logger.error({ err: error }, "PostgreSQL: a transaction's connection failed");
  };
}

function ignore(): void {}

/** What the views of one transaction (or savepoint) share: its client, its end, its savepoint lock. */
export class TransactionState {
  readonly client: pg.PoolClient;
  /** How its statements run (never retried: a failed one aborted the transaction). */
  readonly statements: StatementOptions;
  /** True from the moment COMMIT or ROLLBACK is about to be sent: later statements are refused. */
  finished = false;
  /** The error of the statement that aborted the transaction (see `TransactionEnd.failed`). */
  failed: unknown = undefined;
  /** One client runs one statement at a time; sibling savepoints must not interleave. */
  readonly nested = new Mutex();

  constructor(client: pg.PoolClient, statements: StatementOptions) {
    this.client = client;
    this.statements = statements;
  }
}

/**
 * Clients sent a cancel request that did not (yet) stop a statement, with the reason of the
 * abort it was sent for. The request travels on a connection of its own and may arrive after the
 * statement ended on its own: it would then stop whatever the client runs next.
 */
const cancelPending = new WeakMap<pg.PoolClient, unknown>();

/** Whether a cancel request sent for an earlier statement of `client` may still arrive. */
export function cancelMayArrive(client: pg.PoolClient): boolean {
  return cancelPending.has(client);
}

/**
 * The error of a statement refused because a cancel request may still reach its client (a
 * transaction's: it stops, and its client is closed rather than reused).
 */
export function cancelInFlight(client: pg.PoolClient): DatabaseAbortedError {
  return new DatabaseAbortedError(
    'The transaction was stopped: a cancel request sent for one of its statements may still arrive and would stop the next one (the transaction rolls back)',
    { cause: cancelPending.get(client) },
  );
}

/** Gives a client back to the pool, or closes it (`broken`, or a cancel request may be on its way). */
export function release(client: pg.PoolClient, broken: boolean): void {
  client.release(broken || cancelPending.has(client) ? true : undefined);
}

/** A client from the pool, within `connectionTimeoutMs`; gives up when `signal` aborts. */
export function acquire(state: PoolState, signal: AbortSignal | undefined): Promise<pg.PoolClient> {
  if (state.closed) return Promise.reject(new DatabaseError('The database is closed'));
  const connecting = state.pool.connect();
  return (signal === undefined ? connecting : untilAborted(connecting, signal)).catch((error: unknown) => {
    if (error instanceof DatabaseAbortedError) throw error;
    if (error instanceof Error && error.message === 'timeout exceeded when trying to connect') {
      throw new DatabaseBusyError(
        `No pooled PostgreSQL connection became free within ${state.connectionTimeoutMs} ms (connectionTimeoutMs; the pool has ${state.pool.options.max})`,
        { cause: error },
      );
    }
    throw mapPostgresError(error, undefined, 'connect');
  });
}

/** `connecting`, or a `DatabaseAbortedError` when `signal` aborts first (the client, if it comes, goes back). */
function untilAborted(connecting: Promise<pg.PoolClient>, signal: AbortSignal): Promise<pg.PoolClient> {
  if (signal.aborted) {
    connecting.then((client) => client.release(), ignore);
    return Promise.reject(abortedError(signal));
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      connecting.then((client) => client.release(), ignore);
      reject(abortedError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    connecting.then(
      (client) => {
        signal.removeEventListener('abort', onAbort);
        resolve(client);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** How one statement runs: its prepared-statement cache, and whether it may run twice. */
export interface StatementOptions {
  /** Named statements kept on the connection (0: run it unnamed). */
  readonly cacheSize: number;
  /**
   * Out of a transaction, a statement that failed only because its prepared form was stale
   * (another process changed its tables) runs once more, prepared afresh.
   */
  readonly retryStale: boolean;
}

/** Control statements (BEGIN, COMMIT, SAVEPOINT…): never prepared, never retried. */
export const CONTROL: StatementOptions = { cacheSize: 0, retryStale: false };

/**
 * Sends one statement: named when it is prepared on the client, else unnamed; after an unnamed
 * one, notes what it did to prepared statements (a named one is a plannable statement, never
 * DDL nor `DEALLOCATE`). Few promises on the common path: it runs once per query.
 */
function send(
  client: pg.PoolClient,
  sql: string,
  params: readonly unknown[],
  arrays: boolean,
  cacheSize: number,
): Promise<pg.QueryResult> {
  const prepared = preparedConfig(client, sql, cacheSize, arrays);
  if (hasChores(client)) return runChores(client).then(() => dispatch(client, sql, params, arrays, prepared));
  return dispatch(client, sql, params, arrays, prepared);
}

function dispatch(
  client: pg.PoolClient,
  sql: string,
  params: readonly unknown[],
  arrays: boolean,
  prepared: PreparedConfig | undefined,
): Promise<pg.QueryResult> {
  if (prepared !== undefined) {
    const config = Object.create(prepared) as pg.QueryConfig;
    config.values = params as unknown[];
    return client.query(config);
  }
  const running = arrays
    ? client.query({ text: sql, values: params as unknown[], rowMode: 'array' })
    : client.query(sql, params as unknown[]);
  return running.then((result) => {
    afterStatement(client, result);
    return result;
  });
}

/** `send`, and once more when the statement failed only because its prepared form was stale. */
function sendOrRetry(
  client: pg.PoolClient,
  sql: string,
  params: readonly unknown[],
  arrays: boolean,
  options: StatementOptions,
): Promise<pg.QueryResult> {
  const sent = send(client, sql, params, arrays, options.cacheSize);
  if (options.cacheSize <= 0) return sent;
  return sent.catch((error: unknown) => {
    if (staleStatement(client, error) && options.retryStale)
      return send(client, sql, params, arrays, options.cacheSize);
    throw error;
  });
}

/**
 * Runs one statement on a checked-out client. With a signal, an abort while it runs sends a
 * cancel request; the statement then fails with `DatabaseAbortedError`.
 */
export function query(
  client: pg.PoolClient,
  sql: string,
  params: readonly unknown[],
  arrays: boolean,
  signal: AbortSignal | undefined,
  options: StatementOptions,
): Promise<pg.QueryResult> {
  if (signal === undefined)
    return sendOrRetry(client, sql, params, arrays, options).catch((error: unknown) => {
      throw mapPostgresError(error, sql);
    });
  return cancellable(client, sql, params, arrays, signal, options);
}

async function cancellable(
  client: pg.PoolClient,
  sql: string,
  params: readonly unknown[],
  arrays: boolean,
  signal: AbortSignal,
  options: StatementOptions,
): Promise<pg.QueryResult> {
  if (signal.aborted) throw abortedError(signal);
  let cancelling = false;
  const onAbort = () => {
    cancelling = true;
    sendCancelRequest(client);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await sendOrRetry(client, sql, params, arrays, options);
  } catch (error) {
    if (cancelling && cancelledByRequest(error)) {
      // The cancel request arrived and was spent on this statement.
      cancelling = false;
      throw abortedError(signal);
    }
    throw mapPostgresError(error, sql);
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (cancelling) cancelPending.set(client, signal.reason);
  }
}

/**
 * Whether a statement was stopped by a cancel request (57014 "due to user request"). The same
 * code comes with "due to statement timeout": our request is then still on its way. A server
 * whose messages are translated (`lc_messages`) never matches, and its clients are closed
 * instead of reused, the safe side.
 */
function cancelledByRequest(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '57014' && message === 'canceling statement due to user request';
}
