/**
 * `volt makemigrations [apps]`: compares the models with what the migrations describe and
 * writes the migrations that make up the difference.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkMigrationName,
  detectChanges,
  type PlannedMigration,
  planMigrations,
} from '../../orm/migrations/autodetector.ts';
import { orderMigrations } from '../../orm/migrations/graph.ts';
import { loadMigrations } from '../../orm/migrations/loader.ts';
import {
  InteractiveQuestioner,
  NonInteractiveQuestioner,
  parseRenames,
  type Questioner,
  type Rename,
} from '../../orm/migrations/questioner.ts';
import type { PackagedMigrationSource } from '../../orm/migrations/sources.ts';
import { ProjectState } from '../../orm/migrations/state.ts';
import type { LoadedMigration } from '../../orm/migrations/types.ts';
import { writeMigration } from '../../orm/migrations/writer.ts';
import type { AnyModel } from '../../orm/model.ts';
import type { Command, FlagSpec, Write } from '../command.ts';
import { CliError } from '../errors.ts';
import { displayPath } from '../load-app.ts';
import { loadProject, PROJECT_FLAGS } from '../project.ts';

const FLAGS = {
  app: PROJECT_FLAGS.app,
  migrations: PROJECT_FLAGS.migrations,
  check: {
    type: 'boolean',
    description: 'Write nothing; exit 1 and list the changes when the models and the migrations differ',
  },
  'dry-run': { type: 'boolean', description: 'Show what would be written, write nothing' },
  name: { type: 'string', valueName: 'NAME', description: 'The name after the number (0002_NAME)' },
  empty: {
    type: 'string',
    valueName: 'APP',
    description: 'Write an empty migration for APP (for a data migration)',
  },
  rename: {
    type: 'string',
    valueName: 'RENAMES',
    description:
      'Renames to accept: library.Book.title=name (field), library.Book=Novel (model); comma-separated',
  },
  'no-input': {
    type: 'boolean',
    description: 'Ask nothing (CI=true implies it); renames come from --rename only',
  },
} as const satisfies Record<string, FlagSpec>;

/** What {@link makeMigrations} works on. */
export interface MakeMigrationsOptions {
  /** The models as the code declares them. */
  models: readonly AnyModel[];
  /** The migrations folder (`<root>/<app>/<NNNN>_<name>.ts`). */
  migrationsRoot: string;
  /** The installed apps' packaged migrations (loaded too; never written into). */
  packaged?: readonly PackagedMigrationSource[];
  /** Only these apps (default: every app with models or migrations). */
  apps?: readonly string[];
  check?: boolean;
  dryRun?: boolean;
  name?: string;
  /** Write an empty migration for this app. */
  empty?: string;
  questioner: Questioner;
  /** Paths are printed relative to it. */
  cwd: string;
  stdout: Write;
  /** When a name is made from the date. */
  now?: Date;
}

function describeMigration(migration: PlannedMigration, file: string): string {
  const lines = migration.operations.map((operation) => `  - ${operation.describe()}\n`);
  return `${file}\n${lines.join('') || '  (no operations: add op.runCode or op.runSql)\n'}`;
}

/** Errors of the migration modules that are the user's to fix: their message is enough. */
function userError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('VOLT_MIGRATION') || code === 'VOLT_ORM_DEFINITION');
}

/**
 * The work of `volt makemigrations`, on models and a migrations folder: returns the exit code.
 *
 * @example
 * ```ts
 * const code = await makeMigrations({
 *   models: allModels(),
 *   migrationsRoot: 'migrations',
 *   questioner: new NonInteractiveQuestioner(),
 *   cwd: process.cwd(),
 *   stdout: (text) => process.stdout.write(text),
 * });
 * ```
 */
export async function makeMigrations(options: MakeMigrationsOptions): Promise<number> {
  try {
    return await make(options);
  } catch (error) {
    if (userError(error)) throw new CliError((error as Error).message, { cause: error });
    throw error;
  }
}

async function make(options: MakeMigrationsOptions): Promise<number> {
  const { stdout, migrationsRoot, cwd } = options;
  const packaged = options.packaged ?? [];
  const isPackagedApp = (app: string) => packaged.some((source) => source.app === app);
  const existing = orderMigrations(await loadMigrations(migrationsRoot, { packaged }));
  const known = [
    ...new Set([...options.models.map((m) => m.meta.app), ...existing.map((m) => m.app)]),
  ].sort();
  const apps = options.apps?.length ? [...new Set(options.apps)] : undefined;
  for (const app of [...(apps ?? []), ...(options.empty === undefined ? [] : [options.empty])])
    if (!known.includes(app))
      throw new CliError(
        `There is no app '${app}': no model is labelled '${app}.…' and ${displayPath(join(migrationsRoot, app), cwd)} does not exist` +
          (known.length ? ` (apps: ${known.join(', ')})` : ' (no models are registered)'),
      );

  if (options.empty !== undefined && isPackagedApp(options.empty))
    throw new CliError(
      `The app '${options.empty}' comes with its migrations in its package; makemigrations writes none into it`,
    );

  let planned: PlannedMigration[];
  if (options.empty !== undefined) {
    planned = [planEmpty(options.empty, existing, options.name)];
  } else {
    const from = ProjectState.fromMigrations(existing);
    const to = ProjectState.fromModels(options.models);
    const changes = await detectChanges(from, to, options.questioner, apps ? { apps } : {});
    for (const [app, operations] of changes)
      if (operations.length && isPackagedApp(app))
        throw new CliError(
          `The models of '${app}' differ from the migrations its package ships, and makemigrations never ` +
            `writes into a packaged app:\n${operations.map((o) => `  - ${o.describe()}\n`).join('')}` +
            `Declare the models as the package does (a project's own fields belong on a model of its own ` +
            `app, e.g. a user model made with userModel()), or install the version of the package that matches.`,
        );
    if (changes.size === 0) {
      stdout(apps ? `No changes detected in ${apps.join(', ')}\n` : 'No changes detected\n');
      return 0;
    }
    planned = planMigrations(changes, existing, {
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  const files = planned.map((migration) => join(migrationsRoot, migration.app, `${migration.name}.ts`));
  if (options.check) {
    stdout('The models have changes that are not in migrations:\n');
    planned.forEach((migration, i) => {
      stdout(describeMigration(migration, displayPath(files[i]!, cwd)));
    });
    stdout("Run 'volt makemigrations' to write them.\n");
    return 1;
  }
  planned.forEach((migration, i) => {
    const file = files[i]!;
    const text = writeMigration(migration);
    if (!options.dryRun) {
      mkdirSync(join(migrationsRoot, migration.app), { recursive: true });
      writeFileSync(file, text, { flag: 'wx' });
    }
    stdout(describeMigration(migration, displayPath(file, cwd)));
  });
  if (options.dryRun) stdout('Dry run: nothing was written.\n');
  return 0;
}

/** An empty migration for `app`, after its latest. */
function planEmpty(app: string, existing: readonly LoadedMigration[], name = 'custom'): PlannedMigration {
  const own = existing.filter((m) => m.app === app);
  const number = String(Math.max(0, ...own.map((m) => Number.parseInt(m.name, 10))) + 1).padStart(4, '0');
  checkMigrationName(name);
  return {
    app,
    name: `${number}_${name}`,
    id: `${app}/${number}_${name}`,
    dependencies: own.length ? [own.at(-1)!.id] : [],
    operations: [],
  };
}

/**
 * The questioner of `--check`: renames from `--rename` only, and a placeholder for a new
 * required field's one-off value (nothing is written, so only the difference matters).
 */
export class CheckQuestioner extends NonInteractiveQuestioner {
  override async askAddDefault(): Promise<unknown> {
    return null;
  }
}

function questionerFor(renames: Rename[], interactive: boolean, check: boolean): Questioner {
  if (check) return new CheckQuestioner(renames);
  if (interactive)
    return new InteractiveQuestioner({ input: process.stdin, output: process.stderr }, renames);
  return new NonInteractiveQuestioner(renames);
}

/** `volt makemigrations`. */
export const command: Command<typeof FLAGS> = {
  usage: 'volt makemigrations [apps] [options]',
  description:
    'Compares the models with the state the migrations describe, and writes a migration per app ' +
    'that changed (migrations/<app>/<NNNN>_<name>.ts), then prints each file and its operations. ' +
    'A removed and an added field (or model) declared alike may be a rename: it is asked in a ' +
    'terminal, and taken from --rename otherwise. A new non-nullable field without a default ' +
    'needs a value for the existing rows: typed in a terminal, or the run fails naming the fixes. ' +
    'A one-way many-to-many to its own model that the model now makes symmetrical is confirmed ' +
    'the same way (the migration then gives each existing link its row back). ' +
    'Apply the migrations with volt migrate.',
  args: [{ name: 'apps', description: 'Only these apps, comma-separated (default: every app)' }],
  flags: FLAGS,
  examples: [
    'volt makemigrations',
    'volt makemigrations library --name add_isbn',
    'volt makemigrations --check',
    'volt makemigrations --empty library --name backfill_slugs',
    'volt makemigrations --no-input --rename library.Book.title=name',
  ],
  async run({ args, flags, cwd, stdout }) {
    const renames = parseRenamesOrFail(flags.rename);
    const interactive = !flags['no-input'] && process.env.CI !== 'true' && process.stdin.isTTY === true;
    const project = await loadProject({
      cwd,
      ...(flags.app === undefined ? {} : { app: flags.app }),
      ...(flags.migrations === undefined ? {} : { migrations: flags.migrations }),
    });
    const apps = (args[0] ?? '')
      .split(',')
      .map((app) => app.trim())
      .filter(Boolean);
    return makeMigrations({
      models: project.models,
      migrationsRoot: project.migrationsRoot,
      packaged: project.packaged,
      apps,
      check: flags.check === true,
      dryRun: flags['dry-run'] === true,
      ...(flags.name === undefined ? {} : { name: flags.name }),
      ...(flags.empty === undefined ? {} : { empty: flags.empty }),
      questioner: questionerFor(renames, interactive, flags.check === true),
      cwd,
      stdout,
    });
  },
};

function parseRenamesOrFail(value: string | undefined): Rename[] {
  try {
    return value === undefined ? [] : parseRenames([value]);
  } catch (error) {
    throw new CliError((error as Error).message, { cause: error });
  }
}
