/**
 * `volt sqlmigrate <app>/<name>`: the SQL a migration runs, printed, not run.
 */
import { sqlFor } from '../../orm/migrations/executor.ts';
import type { Command, FlagSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { PROJECT_FLAGS, withMigrations } from '../project.ts';

const FLAGS = {
  ...PROJECT_FLAGS,
  backwards: { type: 'boolean', description: 'The SQL that unapplies the migration' },
} as const satisfies Record<string, FlagSpec>;

/** `volt sqlmigrate`. */
export const command: Command<typeof FLAGS> = {
  usage: 'volt sqlmigrate <app>/<migration> [options]',
  description:
    "Prints the SQL a migration runs on the project's database dialect (DATABASE_URL or --database), " +
    'without running it: the transaction around it, each operation as a comment, then its statements. ' +
    'Nothing is changed (PostgreSQL may read its catalog to name the constraints a change drops).',
  args: [
    { name: 'app', description: 'The app (library), or app/migration (library/0002_add_book_isbn)' },
    { name: 'migration', description: 'The migration name, or a unique prefix of it (0002)' },
  ],
  flags: FLAGS,
  examples: [
    'volt sqlmigrate library/0002_add_book_isbn',
    'volt sqlmigrate library 0002',
    'volt sqlmigrate library 0002 --backwards',
  ],
  async run({ args, flags, cwd, stdout }) {
    const [first, second] = args;
    if (first === undefined)
      throw new UsageError("volt sqlmigrate needs a migration, e.g. 'volt sqlmigrate library/0001_initial'");
    const id = second === undefined ? first : `${first}/${second}`;
    if (!id.includes('/'))
      throw new UsageError(
        `'${first}' names an app; add the migration: 'volt sqlmigrate ${first} 0001_initial'`,
      );
    return withMigrations(
      { cwd, app: flags.app, migrations: flags.migrations, database: flags.database },
      async ({ db, migrations }) => {
        const lines = await sqlFor(db, migrations, id, flags.backwards ? 'backward' : 'forward');
        stdout(`${lines.join('\n')}\n`);
        return 0;
      },
    );
  },
};
