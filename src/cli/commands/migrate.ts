/**
 * `volt migrate [app] [migration]`: applies the migrations the database has not applied, or
 * goes back to a migration (`volt migrate library 0001_initial`, `volt migrate library zero`).
 */
import { type MigrateOptions, migrate, type PlanStep, plan } from '../../orm/migrations/executor.ts';
import type { Command, FlagSpec, Write } from '../command.ts';
import { PROJECT_FLAGS, withMigrations } from '../project.ts';

const FLAGS = {
  ...PROJECT_FLAGS,
  fake: {
    type: 'boolean',
    description: 'Record the migrations as applied (or unapplied) without running them',
  },
  plan: { type: 'boolean', description: 'Print what would run, run nothing' },
} as const satisfies Record<string, FlagSpec>;

/** `library`, `library/0002_x`, or the app and migration given apart; `undefined`: everything. */
export function targetOf(app: string | undefined, migration: string | undefined): string | undefined {
  if (app === undefined) return undefined;
  if (migration === undefined) return app;
  return `${app}/${migration}`;
}

function printPlan(steps: readonly PlanStep[], stdout: Write): void {
  if (steps.length === 0) {
    stdout('No planned migration operations.\n');
    return;
  }
  stdout('Planned operations:\n');
  for (const { migration, direction } of steps) {
    stdout(`${direction === 'forward' ? 'Apply' : 'Unapply'} ${migration.id}\n`);
    const operations = direction === 'forward' ? migration.operations : [...migration.operations].reverse();
    if (operations.length === 0) stdout('    (no operations)\n');
    for (const operation of operations)
      stdout(
        `    ${direction === 'backward' ? 'Undo: ' : ''}${operation.describe()}${operation.reversible ? '' : ' (irreversible)'}\n`,
      );
  }
}

/** `volt migrate`. */
export const command: Command<typeof FLAGS> = {
  usage: 'volt migrate [app] [migration] [options]',
  description:
    'Applies the migrations the database has not applied yet, in dependency order, each in its own ' +
    'transaction together with its record in volt_migrations. With an app, only what that app needs; ' +
    "with a migration, forward to it or back to it (the app's later migrations are unapplied); " +
    "'zero' unapplies every migration of the app. A migration that fails changes nothing and stops the run.",
  args: [
    { name: 'app', description: 'Only this app (its label, e.g. library), or app/migration' },
    { name: 'migration', description: "The migration to go to (a unique prefix will do), or 'zero'" },
  ],
  flags: FLAGS,
  examples: [
    'volt migrate',
    'volt migrate --plan',
    'volt migrate library 0001_initial',
    'volt migrate library zero',
    'volt migrate library 0002 --fake',
    'volt migrate --database postgres://localhost/app',
  ],
  async run({ args, flags, cwd, stdout }) {
    const target = targetOf(args[0], args[1]);
    return withMigrations(
      { cwd, app: flags.app, migrations: flags.migrations, database: flags.database },
      async ({ db, migrations, project }) => {
        const options: MigrateOptions = {
          target,
          fake: flags.fake ?? false,
          log: stdout,
          hooks: project.postMigrate,
        };
        if (flags.plan) {
          printPlan(await plan(db, migrations, options), stdout);
          return 0;
        }
        const steps = await migrate(db, migrations, options);
        if (steps.length === 0) stdout('No migrations to apply.\n');
        return 0;
      },
    );
  },
};
