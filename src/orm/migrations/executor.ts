/**
 * The migration executor: works out which migrations to apply or unapply to reach a target,
 * then runs each in its own transaction together with its record in `volt_migrations`. A
 * migration that fails leaves the schema and the data as they were before it; the ones before
 * it stay applied.
 */
import type { Database } from '../database.ts';
import { orderMigrations } from './graph.ts';
import { runPostMigrate } from './post-migrate.ts';
import { appliedMigrations, ensureMigrationsTable, recordApplied, recordUnapplied } from './recorder.ts';
import { printableParameters, type SchemaEditor, schemaEditor, schemaTransaction } from './schema-editor.ts';
import { ProjectState } from './state.ts';
import type { LoadedMigration, MigrationId, Operation } from './types.ts';

/** Which way a migration runs. */
export type Direction = 'forward' | 'backward';

/** One step of a plan: a migration and which way it runs. */
export interface PlanStep {
  readonly migration: LoadedMigration;
  readonly direction: Direction;
}

/** Options of {@link migrate} and {@link plan}. */
export interface MigrateOptions {
  /**
   * Where to go: `'library'` (its latest migration), `'library/0002_add_isbn'` (forward to it,
   * or back to it when it is applied: later ones of the app are unapplied) or `'library/zero'`
   * (unapply every migration of the app). Default: every migration, forward.
   */
  target?: string | undefined;
  /** Record (or forget) the migrations without running them. */
  fake?: boolean | undefined;
  /** Receives the progress text as is: `Applying library/0001_initial... ` then `OK\n`. */
  log?: ((text: string) => void) | undefined;
  /** Run the post-migrate hooks (`onPostMigrate()`) afterwards; default `true`. */
  hooks?: boolean | undefined;
}

/** A migration cannot be applied or unapplied. Stable code: `VOLT_MIGRATION`. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly code = 'VOLT_MIGRATION';
  /** The migration that failed or refused, when one did. */
  readonly migration: MigrationId | undefined;
  /** The 1-based number of the failing operation in its migration, when one failed. */
  readonly operation: number | undefined;

  constructor(
    message: string,
    options: { migration?: MigrationId; operation?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.migration = options.migration;
    this.operation = options.operation;
  }
}

/** Every migration `id` depends on, directly or not, and itself. */
function ancestors(id: MigrationId, byId: ReadonlyMap<string, LoadedMigration>): Set<string> {
  const seen = new Set<string>();
  const stack = [id as string];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    for (const dependency of byId.get(next)?.dependencies ?? []) stack.push(dependency);
  }
  return seen;
}

/** Every migration that depends on one of `ids`, directly or not, and those themselves. */
function descendants(ids: Iterable<string>, ordered: readonly LoadedMigration[]): Set<string> {
  const seen = new Set<string>(ids);
  // `ordered` puts dependencies first: one pass sees every chain.
  for (const migration of ordered)
    if ((migration.dependencies ?? []).some((dependency) => seen.has(dependency))) seen.add(migration.id);
  return seen;
}

interface Target {
  readonly app: string;
  /** `undefined`: the app's latest; `'zero'`: before its first. */
  readonly migration: LoadedMigration | 'zero' | undefined;
}

function parseTarget(target: string, ordered: readonly LoadedMigration[]): Target {
  const slash = target.indexOf('/');
  const app = slash === -1 ? target : target.slice(0, slash);
  const name = slash === -1 ? undefined : target.slice(slash + 1);
  const ofApp = ordered.filter((m) => m.app === app);
  if (ofApp.length === 0) {
    const apps = [...new Set(ordered.map((m) => m.app))];
    throw new MigrationError(
      `No app '${app}' has migrations` +
        (apps.length ? ` (apps with migrations: ${apps.join(', ')})` : ' (there are no migrations)'),
    );
  }
  if (name === undefined) return { app, migration: undefined };
  if (name === 'zero') return { app, migration: 'zero' };
  const exact = ofApp.find((m) => m.name === name);
  if (exact) return { app, migration: exact };
  // A unique prefix is enough: `library/0002`.
  const matches = ofApp.filter((m) => m.name.startsWith(name));
  if (matches.length === 1) return { app, migration: matches[0]! };
  const names = ofApp.map((m) => m.name).join(', ');
  throw new MigrationError(
    matches.length > 1
      ? `'${target}' matches more than one migration of ${app}: ${matches.map((m) => m.name).join(', ')}`
      : `${app} has no migration '${name}' (its migrations: ${names}, or zero)`,
  );
}

/**
 * The steps that take a database which applied `applied` to `target`. Throws a
 * `MigrationError` when the history is inconsistent (a migration applied before its dependency).
 *
 * @example
 * ```ts
 * planSteps(ordered, new Set(['library/0001_initial']), 'library/zero');
 * // [{ migration: library/0001_initial, direction: 'backward' }]
 * ```
 */
export function planSteps(
  ordered: readonly LoadedMigration[],
  applied: ReadonlySet<string>,
  target?: string,
): PlanStep[] {
  const byId = new Map(ordered.map((m) => [m.id as string, m]));
  for (const migration of ordered)
    if (applied.has(migration.id))
      for (const dependency of migration.dependencies ?? [])
        if (!applied.has(dependency))
          throw new MigrationError(
            `Inconsistent migration history: ${migration.id} is applied but its dependency ${dependency} is not`,
            { migration: migration.id },
          );
  const forward = (wanted: ReadonlySet<string>): PlanStep[] =>
    ordered
      .filter((m) => wanted.has(m.id) && !applied.has(m.id))
      .map((migration) => ({ migration, direction: 'forward' as const }));
  const backward = (unwanted: ReadonlySet<string>): PlanStep[] =>
    ordered
      .filter((m) => unwanted.has(m.id) && applied.has(m.id))
      .reverse()
      .map((migration) => ({ migration, direction: 'backward' as const }));

  if (target === undefined) return forward(new Set(byId.keys()));
  const { app, migration } = parseTarget(target, ordered);
  if (migration === 'zero')
    return backward(
      descendants(
        ordered.filter((m) => m.app === app).map((m) => m.id),
        ordered,
      ),
    );
  if (migration === undefined) {
    const wanted = new Set<string>();
    for (const m of ordered) if (m.app === app) for (const id of ancestors(m.id, byId)) wanted.add(id);
    return forward(wanted);
  }
  if (!applied.has(migration.id)) return forward(ancestors(migration.id, byId));
  // Back to `migration`: unapply its successors in the app, and whatever depends on them.
  const next = ordered.filter(
    (m) => m.app === app && m.id !== migration.id && ancestors(m.id, byId).has(migration.id),
  );
  return backward(
    descendants(
      next.map((m) => m.id),
      ordered,
    ),
  );
}

/**
 * The steps {@link migrate} would run now, without running them.
 *
 * @example
 * ```ts
 * for (const step of await plan(db, migrations)) console.log(step.direction, step.migration.id);
 * ```
 */
export async function plan(
  db: Database,
  migrations: readonly LoadedMigration[],
  options: Pick<MigrateOptions, 'target'> = {},
): Promise<PlanStep[]> {
  const ordered = orderMigrations(migrations);
  const applied = new Set<string>((await appliedMigrations(db)).map((m) => m.id));
  return planSteps(ordered, applied, options.target);
}

/** The state of every migration `migration` depends on (what it starts from). */
function stateBefore(migration: LoadedMigration, ordered: readonly LoadedMigration[]): ProjectState {
  const byId = new Map(ordered.map((m) => [m.id as string, m]));
  const needed = ancestors(migration.id, byId);
  needed.delete(migration.id);
  return ProjectState.fromMigrations(ordered.filter((m) => needed.has(m.id)));
}

/** The state before each operation of `migration`, and after the last: `operations.length + 1` states. */
function statesThrough(migration: LoadedMigration, ordered: readonly LoadedMigration[]): ProjectState[] {
  const states = [stateBefore(migration, ordered)];
  for (const operation of migration.operations) {
    const next = states.at(-1)!.clone();
    operation.stateForwards(next);
    states.push(next);
  }
  return states;
}

function describe(operation: Operation): string {
  try {
    return operation.describe();
  } catch {
    return operation.type;
  }
}

/** Refuses, before anything changes, to unapply a migration with an irreversible operation. */
function checkReversible(steps: readonly PlanStep[]): void {
  for (const { migration, direction } of steps) {
    if (direction !== 'backward') continue;
    const index = migration.operations.findIndex((operation) => !operation.reversible);
    if (index !== -1)
      throw new MigrationError(
        `Cannot unapply ${migration.id}: its operation ${index + 1} (${describe(migration.operations[index]!)}) is irreversible. Nothing was changed.`,
        { migration: migration.id, operation: index + 1 },
      );
  }
}

/** Runs the operations of one step on `editor`, naming the operation that fails. */
async function runOperations(
  editor: SchemaEditor,
  step: PlanStep,
  ordered: readonly LoadedMigration[],
): Promise<void> {
  const { migration, direction } = step;
  const states = statesThrough(migration, ordered);
  const operations = migration.operations;
  const indexes = operations.map((_, i) => i);
  if (direction === 'backward') indexes.reverse();
  for (const i of indexes) {
    const operation = operations[i]!;
    try {
      if (direction === 'forward') await operation.databaseForwards(editor, states[i]!, states[i + 1]!);
      else await operation.databaseBackwards(editor, states[i + 1]!, states[i]!);
    } catch (error) {
      const verb = direction === 'forward' ? 'Applying' : 'Unapplying';
      throw new MigrationError(
        `${verb} ${migration.id} failed at operation ${i + 1} (${describe(operation)}): ${(error as Error).message ?? String(error)}`,
        { migration: migration.id, operation: i + 1, cause: error },
      );
    }
  }
}

/**
 * Applies (or unapplies) migrations to reach `options.target` (default: all, forward). Each
 * migration runs in its own transaction with its record; on SQLite foreign keys are off during
 * it (so a table rebuild fires no cascade) and checked before the commit. Unapplying refuses
 * before changing anything when a migration on the way has an irreversible operation. Resolves
 * to the steps it ran; rejects with a `MigrationError` naming the migration and operation that
 * failed (the migrations before it stay applied). Then the post-migrate hooks run
 * (`onPostMigrate()`), unless `hooks: false`.
 *
 * @example
 * ```ts
 * await migrate(db, await loadMigrations('migrations'), { log: (text) => process.stdout.write(text) });
 * await migrate(db, migrations, { target: 'library/zero' });
 * ```
 */
export async function migrate(
  db: Database,
  migrations: readonly LoadedMigration[],
  options: MigrateOptions = {},
): Promise<PlanStep[]> {
  const ordered = orderMigrations(migrations);
  await ensureMigrationsTable(db);
  const applied = new Set<string>((await appliedMigrations(db)).map((m) => m.id));
  const steps = planSteps(ordered, applied, options.target);
  if (!options.fake) checkReversible(steps);
  const log = options.log ?? (() => {});
  for (const step of steps) {
    const { migration, direction } = step;
    log(`${direction === 'forward' ? 'Applying' : 'Unapplying'} ${migration.id}...`);
    const record = (tx: Database) =>
      direction === 'forward' ? recordApplied(tx, migration.id) : recordUnapplied(tx, migration.id);
    try {
      if (options.fake) {
        await db.transaction(record);
      } else if (migration.atomic === false && db.ops.nonAtomicMigrations) {
        await runOperations(await schemaEditor(db), step, ordered);
        await record(db);
      } else {
        await schemaTransaction(db, async (tx) => {
          await runOperations(await schemaEditor(tx), step, ordered);
          await record(tx);
        });
      }
    } catch (error) {
      log(' FAILED\n');
      if (error instanceof MigrationError) throw error;
      throw new MigrationError(
        `${direction === 'forward' ? 'Applying' : 'Unapplying'} ${migration.id} failed: ${(error as Error).message ?? String(error)}`,
        { migration: migration.id, cause: error },
      );
    }
    log(options.fake ? ' FAKED\n' : ' OK\n');
  }
  if (options.hooks !== false) {
    try {
      await runPostMigrate(db, { steps, log });
    } catch (error) {
      throw new MigrationError((error as Error).message, { cause: error });
    }
  }
  return steps;
}

/**
 * The SQL `migration` runs in `direction`, without running it (for `volt sqlmigrate`), as lines
 * to print: the transaction around it (and, on SQLite, the foreign key pragmas), each operation
 * as a `-- comment`, each statement ending in `;` (with its parameters in a comment). Code
 * operations have no SQL and are shown as a comment. PostgreSQL may read its catalog to name
 * the constraints to drop.
 *
 * @example
 * ```ts
 * const lines = await sqlFor(db, migrations, 'library/0002_add_book_isbn', 'forward');
 * console.log(lines.join('\n'));
 * ```
 */
export async function sqlFor(
  db: Database,
  migrations: readonly LoadedMigration[],
  id: string,
  direction: Direction,
): Promise<string[]> {
  const ordered = orderMigrations(migrations);
  const migration = findMigration(ordered, id);
  if (direction === 'backward') checkReversible([{ migration, direction }]);
  const editor = await schemaEditor(db, { collect: true });
  const states = statesThrough(migration, ordered);
  const indexes = migration.operations.map((_, i) => i);
  if (direction === 'backward') indexes.reverse();
  // SQLite has no statement that refuses a transaction: it runs every migration in one.
  const atomic = migration.atomic !== false || !db.ops.nonAtomicMigrations;
  const wrapping = db.ops.scriptWrapping;
  const lines: string[] = [];
  if (atomic) lines.push(...wrapping.before);
  if (atomic) lines.push('BEGIN;');
  for (const i of indexes) {
    const operation = migration.operations[i]!;
    lines.push(`-- ${direction === 'backward' ? 'Undo: ' : ''}${describe(operation)}`);
    if (operation.type === 'runCode') {
      lines.push('-- (code, not SQL: it runs only with volt migrate)');
      continue;
    }
    const seen = editor.executed.length;
    if (direction === 'forward') await operation.databaseForwards(editor, states[i]!, states[i + 1]!);
    else await operation.databaseBackwards(editor, states[i + 1]!, states[i]!);
    for (const { sql, params } of editor.executed.slice(seen))
      lines.push(params.length ? `${sql}; -- parameters: ${printableParameters(params)}` : `${sql};`);
  }
  if (atomic) lines.push(...wrapping.beforeCommit);
  if (atomic) lines.push('COMMIT;');
  if (atomic) lines.push(...wrapping.after);
  return lines;
}

/**
 * The migration `target` names: `library/0002_add_book_isbn`, or a unique prefix of its name
 * (`library/0002`). Throws a `MigrationError` naming the app's migrations when there is none.
 */
export function findMigration(ordered: readonly LoadedMigration[], target: string): LoadedMigration {
  if (!target.includes('/'))
    throw new MigrationError(`'${target}' is not a migration; write <app>/<name>, like library/0001_initial`);
  const { app, migration } = parseTarget(target, ordered);
  if (migration === undefined || migration === 'zero')
    throw new MigrationError(`'${target}' is not a migration of ${app}`);
  return migration;
}
