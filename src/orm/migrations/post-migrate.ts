/**
 * Post-migrate hooks: functions that run after `migrate()` (the `volt migrate` command runs
 * those of the app's installed apps; a programmatic call those it is given), once the migrations ran — for data that follows the
 * schema, like the permission rows the auth app keeps for every model. A hook must be
 * idempotent: it runs after each migrate, whether or not migrations were applied.
 */
import type { Database } from '../database.ts';
import type { PlanStep } from './executor.ts';

/** What a post-migrate hook is given besides the database. */
export interface PostMigrateContext {
  /** The steps the migrate just ran (empty when there was nothing to do). */
  readonly steps: readonly PlanStep[];
  /** Receives progress text, as `MigrateOptions.log`. */
  readonly log: (text: string) => void;
}

/** A function run after every migrate. */
export type PostMigrateHook = (db: Database, context: PostMigrateContext) => void | Promise<void>;

/** A named post-migrate hook; the name appears in the error when it fails. */
export type NamedPostMigrateHook = readonly [name: string, hook: PostMigrateHook];

/**
 * Runs `hooks` in order (an app's installed apps' `postMigrate`, given to `migrate()`); the
 * first that fails rejects, naming it.
 *
 * @example
 * ```ts
 * await runPostMigrate(db, { steps: [], log: console.log }, [['shop', seedCurrencies]]);
 * ```
 */
export async function runPostMigrate(
  db: Database,
  context: PostMigrateContext,
  hooks: readonly NamedPostMigrateHook[],
): Promise<void> {
  for (const [name, hook] of hooks) {
    try {
      await hook(db, context);
    } catch (error) {
      throw Object.assign(
        new Error(`The post-migrate hook '${name}' failed: ${(error as Error).message ?? String(error)}`, {
          cause: error,
        }),
        { code: 'VOLT_MIGRATION_HOOK' },
      );
    }
  }
}
