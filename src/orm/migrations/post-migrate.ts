/**
 * Post-migrate hooks: functions that run after every `migrate()` (the `volt migrate` command
 * and the programmatic call alike), once the migrations ran — for data that follows the
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

const hooks = new Map<string, PostMigrateHook>();

/**
 * Registers `hook` under `name` (registering a name again replaces its hook, so importing a
 * module twice never runs its hook twice). Returns a function that unregisters it.
 *
 * @example
 * ```ts
 * onPostMigrate('shop.defaults', async (db) => {
 *   await query(db, Setting).getOrCreate({ key: 'currency' }, { value: 'EUR' });
 * });
 * ```
 */
export function onPostMigrate(name: string, hook: PostMigrateHook): () => void {
  hooks.set(name, hook);
  return () => {
    if (hooks.get(name) === hook) hooks.delete(name);
  };
}

/** Runs every registered hook in registration order; the first that fails rejects. */
export async function runPostMigrate(db: Database, context: PostMigrateContext): Promise<void> {
  for (const [name, hook] of [...hooks]) {
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
