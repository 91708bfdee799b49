/**
 * Named prepared statements, per connection. An unnamed statement is parsed and planned by
 * PostgreSQL on every call; a named one is parsed once per connection and then only bound and
 * executed (one round trip either way). Each pooled connection keeps up to `size` of them, least
 * recently used dropped first (`DEALLOCATE`, queued ahead of the statement that needed the
 * room). `size` 0 turns naming off (for a pooler that does not keep prepared statements, such as
 * PgBouncer before 1.21 in transaction mode).
 *
 * A prepared statement whose tables changed shape fails with "cached plan must not change
 * result type". So:
 * - DDL run through any Volt pool of this process (a migration, a test's `createTables`) makes
 *   every connection drop its statements (`DEALLOCATE ALL`) before it next uses one;
 * - DDL from another process is seen when a statement fails with that error, or with "prepared
 *   statement … does not exist" (a `DISCARD ALL`): the connection drops its statements and, out
 *   of a transaction, the statement runs once more; in a transaction (which the failure
 *   aborted) the error stands.
 */
import type pg from 'pg';

/** Which statements can be prepared: those PostgreSQL plans (utility statements cannot). */
const PLANNABLE = /^\s*(?:select|insert|update|delete|with|values)\b/i;

/** Commands after which prepared statements may no longer match their tables. */
const SCHEMA_CHANGES = new Set(['CREATE', 'ALTER', 'DROP']);

/** Commands that drop a connection's prepared statements on the server. */
const DROPS_STATEMENTS = new Set(['DEALLOCATE', 'DISCARD']);

/** Bumped by DDL through any pool of this process: connections with an older one start over. */
let schemaEpoch = 0;

/**
 * A prepared statement's query config for pg, without its values: each call's config is made
 * from it (`Object.create`), so pg's copy of the config (it copies every own property, slowly)
 * copies only the values.
 */
export interface PreparedConfig {
  readonly name: string;
  readonly text: string;
  readonly rowMode?: 'array';
}

/** One connection's statement for one SQL text: its name and its configs, rows as objects or arrays. */
interface Prepared {
  readonly name: string;
  objects?: PreparedConfig;
  arrays?: PreparedConfig;
}

/** One connection's statements: SQL → its prepared statement, in least-recently-used order. */
interface ConnectionStatements {
  readonly names: Map<string, Prepared>;
  next: number;
  epoch: number;
  /** `DEALLOCATE …` statements to run on the connection before its next statement. */
  chores: string[];
}

const byClient = new WeakMap<pg.ClientBase, ConnectionStatements>();

/** pg's record of what it has parsed on a connection (it parses a name only once). */
function parsedOf(client: pg.ClientBase): Record<string, string> | undefined {
  return (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection
    ?.parsedStatements;
}

/** Forgets `client`'s statements on this side (ours and pg's record); the server's stay. */
function forget(client: pg.ClientBase, statements: ConnectionStatements): void {
  const parsed = parsedOf(client);
  if (parsed) for (const { name } of statements.names.values()) delete parsed[name];
  statements.names.clear();
}

/** Forgets every statement of `client` on both sides (`DEALLOCATE ALL` before the next statement). */
function startOver(client: pg.ClientBase, statements: ConnectionStatements): void {
  if (statements.names.size > 0) {
    statements.chores = ['DEALLOCATE ALL'];
    forget(client, statements);
  }
  statements.epoch = schemaEpoch;
}

/**
 * The config to run `sql` under on `client` as a named statement (preparing it on first use
 * there), rows as arrays or objects; `undefined` to run it unnamed. At most `size` names per
 * connection.
 */
export function preparedConfig(
  client: pg.ClientBase,
  sql: string,
  size: number,
  arrays: boolean,
): PreparedConfig | undefined {
  if (size <= 0) return undefined;
  let statements = byClient.get(client);
  if (statements === undefined) {
    statements = { names: new Map(), next: 0, epoch: schemaEpoch, chores: [] };
    byClient.set(client, statements);
  } else if (statements.epoch !== schemaEpoch) {
    startOver(client, statements);
  }
  const names = statements.names;
  let prepared = names.get(sql);
  if (prepared !== undefined) {
    // Most recently used last.
    names.delete(sql);
    names.set(sql, prepared);
  } else {
    if (!PLANNABLE.test(sql)) return undefined;
    if (names.size >= size) {
      const [oldest, { name }] = names.entries().next().value as [string, Prepared];
      names.delete(oldest);
      // Run ahead of the statement about to be prepared; names are never reused, so one that
      // could not be dropped yet (an aborted transaction) is only dropped later.
      statements.chores.push(`DEALLOCATE ${name}`);
      const parsed = parsedOf(client);
      if (parsed) delete parsed[name];
    }
    prepared = { name: `volt_${statements.next++}` };
    names.set(sql, prepared);
  }
  if (arrays) {
    prepared.arrays ??= { name: prepared.name, text: sql, rowMode: 'array' };
    return prepared.arrays;
  }
  prepared.objects ??= { name: prepared.name, text: sql };
  return prepared.objects;
}

/**
 * Runs what `preparedConfig()` left to do on `client` before its next statement (dropping
 * statements); one that fails (in an aborted transaction) is tried again next time.
 */
export async function runChores(client: pg.ClientBase): Promise<void> {
  const statements = byClient.get(client);
  if (statements === undefined || statements.chores.length === 0) return;
  const chores = statements.chores;
  statements.chores = [];
  for (const [index, chore] of chores.entries()) {
    try {
      await client.query(chore);
    } catch {
      statements.chores =
        chore === 'DEALLOCATE ALL' ? [chore] : [...chores.slice(index), ...statements.chores];
      return;
    }
  }
}

/** Whether `client` has statements to drop before its next one. */
export function hasChores(client: pg.ClientBase): boolean {
  const statements = byClient.get(client);
  return statements !== undefined && statements.chores.length > 0;
}

/**
 * Notes what a statement that ran did to prepared statements (DDL, `DEALLOCATE`, `DISCARD`).
 * `result` is an array for a string of several statements.
 */
export function afterStatement(client: pg.ClientBase, result: pg.QueryResult | pg.QueryResult[]): void {
  if (Array.isArray(result)) {
    for (const one of result) afterStatement(client, one);
    return;
  }
  const command = result.command;
  if (SCHEMA_CHANGES.has(command)) schemaEpoch++;
  else if (DROPS_STATEMENTS.has(command)) {
    const statements = byClient.get(client);
    if (statements) forget(client, statements);
  }
}

/**
 * Whether `error` says a prepared statement of `client` is stale (its tables changed shape, or
 * the server dropped it); if so the connection's statements are dropped, so the next try
 * prepares afresh.
 */
export function staleStatement(client: pg.ClientBase, error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const stale =
    (code === '0A000' && message === 'cached plan must not change result type') ||
    (code === '26000' && typeof message === 'string' && message.startsWith('prepared statement'));
  if (stale) {
    const statements = byClient.get(client);
    if (statements) startOver(client, statements);
  }
  return stale;
}
