/**
 * `volt showmigrations [app]`: every migration and whether the database has applied it.
 */
import { appliedMigrations } from '../../orm/migrations/recorder.ts';
import type { Command, FlagSpec } from '../command.ts';
import { PROJECT_FLAGS, withMigrations } from '../project.ts';

const FLAGS = {
  ...PROJECT_FLAGS,
  plan: {
    type: 'boolean',
    description: 'List in the order migrate applies them (across apps) instead of app by app',
  },
} as const satisfies Record<string, FlagSpec>;

/** `volt showmigrations`. */
export const command: Command<typeof FLAGS> = {
  usage: 'volt showmigrations [app] [options]',
  description:
    'Lists the migrations, [X] for applied and [ ] for not yet applied: app by app, or in the order ' +
    'migrate would apply them with --plan. A migration recorded as applied whose file is gone is ' +
    'listed too. Nothing is changed.',
  args: [{ name: 'app', description: 'Only this app (its label, e.g. library)' }],
  flags: FLAGS,
  examples: ['volt showmigrations', 'volt showmigrations library', 'volt showmigrations --plan'],
  async run({ args, flags, cwd, stdout }) {
    const only = args[0];
    return withMigrations(
      { cwd, app: flags.app, migrations: flags.migrations, database: flags.database },
      async ({ db, migrations }) => {
        const applied = new Set<string>((await appliedMigrations(db)).map((m) => m.id));
        let lines = migrations.map((m) => ({
          app: m.app,
          text: `[${applied.has(m.id) ? 'X' : ' '}] ${m.id}`,
        }));
        const known = new Set<string>(migrations.map((m) => m.id));
        for (const id of applied)
          if (!known.has(id))
            lines.push({
              app: id.slice(0, id.indexOf('/')),
              text: `[X] ${id} (applied, but its file is missing)`,
            });
        if (only !== undefined) {
          lines = lines.filter((line) => line.app === only);
          if (lines.length === 0) {
            stdout(`${only}: no migrations.\n`);
            return 0;
          }
        }
        // App by app keeps each app's own order (the graph's); --plan keeps the graph's order.
        if (!flags.plan) lines = [...lines].sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
        if (lines.length === 0) stdout('No migrations.\n');
        for (const line of lines) stdout(`${line.text}\n`);
        return 0;
      },
    );
  },
};
