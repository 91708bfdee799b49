/**
 * `volt dumpdata [app_label[.Model] ...]`: the rows of the installed apps' models as a JSON
 * fixture (Django's `dumpdata`), for `volt loaddata`: a backup, a copy to another database,
 * test data.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { closest } from '../../http/suggestion.ts';
import type { Database } from '../../orm/database.ts';
import { autoJoinTable } from '../../orm/ddl.ts';
import type { AnyField } from '../../orm/fields/field.ts';
import { dumpData } from '../../orm/fixtures.ts';
import { tableExists } from '../../orm/migrations/recorder.ts';
import type { AnyModel } from '../../orm/model.ts';
import type { Command, FlagSpec } from '../command.ts';
import { CliError, UsageError } from '../errors.ts';
import { displayPath } from '../load-app.ts';
import { PROJECT_FLAGS, type Project, withProjectDatabase } from '../project.ts';

const FLAGS = {
  app: PROJECT_FLAGS.app,
  database: PROJECT_FLAGS.database,
  output: {
    type: 'string',
    short: 'o',
    valueName: 'FILE',
    description: "Write the fixture to FILE instead of stdout ('-' for stdout)",
  },
  indent: {
    type: 'string',
    valueName: 'N',
    description: 'Spaces to indent with (default: 0, one line)',
  },
  exclude: {
    type: 'string',
    short: 'e',
    valueName: 'LABEL',
    multiple: true,
    description: 'Leave out an app (auth) or a model (auth.Session); repeat it for more',
  },
  pks: {
    type: 'string',
    valueName: 'KEYS',
    description: 'Only the rows with these primary keys, comma-separated (one model only)',
  },
} as const satisfies Record<string, FlagSpec>;

/** The models of the project's installed apps (`App.models`), else every model its module registers. */
export function installedModels(project: Project): AnyModel[] {
  const installed = project.apps.flatMap((app) => app.models);
  return installed.length ? [...new Set(installed)] : project.models;
}

function suggestion(word: string, candidates: readonly string[]): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : ` Did you mean '${match}'?`;
}

/**
 * The models `label` names among `models`: an app label (`library`: its models) or a model
 * label (`library.Book`, the model name in any case, as Django's); a `CliError` naming the
 * closest one when there is none.
 */
export function modelsNamed(label: string, models: readonly AnyModel[], where = ''): AnyModel[] {
  const [app, name, ...rest] = label.split('.');
  const apps = [...new Set(models.map((m) => m.meta.app))];
  if (!apps.includes(app!))
    throw new CliError(`No installed app with label '${app}'${where}.${suggestion(app!, apps)}`);
  const ofApp = models.filter((m) => m.meta.app === app);
  if (name === undefined) return ofApp;
  const found = rest.length ? undefined : ofApp.find((m) => m.meta.name.toLowerCase() === name.toLowerCase());
  if (!found)
    throw new CliError(
      `Unknown model: ${label}${where}.${suggestion(
        label,
        ofApp.map((m) => m.meta.label),
      )}`,
    );
  return [found];
}

/** A `CliError` naming the first table of `models` (or of their join tables) that does not exist. */
export async function checkTables(db: Database, models: readonly AnyModel[]): Promise<void> {
  for (const model of models) {
    const tables = [
      model.meta.table,
      ...model.meta.forwardRelations.flatMap((field) => autoJoinTable(field)?.table ?? []),
    ];
    for (const table of tables)
      if (!(await tableExists(db, table)))
        throw new CliError(
          `The table ${table} of ${model.meta.label} does not exist yet: run volt migrate first`,
        );
  }
}

function parseIndent(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const indent = Number(raw);
  if (!/^\d+$/.test(raw) || indent > 10)
    throw new UsageError(`--indent must be a whole number from 0 to 10, got '${raw}'`);
  return indent;
}

/** `1,2,3` as the primary keys of `model`: each as text, or as a number when the key is one. */
function parsePks(raw: string, model: AnyModel): unknown[] {
  const pk: AnyField = model.meta.pk;
  return raw.split(',').map((text) => {
    const candidates: unknown[] = [text.trim()];
    if (/^-?\d+$/u.test(text.trim())) candidates.push(Number(text.trim()));
    const key = candidates.find((candidate) => pk.check(candidate).length === 0);
    if (key === undefined)
      throw new UsageError(`--pks: '${text}' is not a primary key of ${model.meta.label} (${pk.name})`);
    return key;
  });
}

/** The models to dump: those the labels name (all installed ones without labels), minus `--exclude`. */
function selectModels(
  labels: readonly string[],
  excludes: readonly string[],
  all: readonly AnyModel[],
): AnyModel[] {
  const chosen = labels.length ? new Set(labels.flatMap((label) => modelsNamed(label, all))) : new Set(all);
  for (const label of excludes)
    for (const model of modelsNamed(label, all, ' (in --exclude)')) chosen.delete(model);
  return all.filter((model) => chosen.has(model));
}

/** `volt dumpdata`. */
export const command: Command<typeof FLAGS> = {
  usage: 'volt dumpdata [app_label[.Model] ...] [options]',
  description:
    "Prints the rows of the app's models as a JSON fixture that volt loaddata reads: a list of " +
    '{ "model": "library.Book", "pk": 1, "fields": { ... } }, one object a row, the models in dependency ' +
    "order (a foreign key's target first), each model's rows by primary key. Values are written as the " +
    "models' JSON schemas read them (instants as ISO 8601 text, decimals as strings), a foreign key as its " +
    "target's primary key, a many-to-many as the list of its targets' keys. Without labels, every model of " +
    "the installed apps (auth's too: users with their password hashes; keep dumps private). The app's " +
    'database, or --database.',
  args: [
    {
      name: 'app_label[.Model]',
      description: 'Only this app (library) or model (library.Book); several may be given',
      variadic: true,
    },
  ],
  flags: FLAGS,
  examples: [
    'volt dumpdata > data.json',
    'volt dumpdata library --indent 2 -o fixtures/library.json',
    'volt dumpdata --exclude auth.Session --exclude auth.Token',
    'volt dumpdata library.Book --pks 1,2,3',
  ],
  async run({ args, flags, cwd, stdout }) {
    const indent = parseIndent(flags.indent);
    if (flags.output === '') throw new UsageError('--output needs a file name, e.g. --output data.json');
    if (flags.pks !== undefined && (args.length !== 1 || !args[0]!.includes('.')))
      throw new UsageError('--pks needs exactly one model label, e.g. volt dumpdata library.Book --pks 1,2');
    const json = await withProjectDatabase(
      { cwd, app: flags.app, database: flags.database },
      (project) => selectModels(args, flags.exclude ?? [], installedModels(project)),
      async (models, db) => {
        let pks: unknown[] | undefined;
        if (flags.pks !== undefined) {
          if (models.length !== 1)
            throw new UsageError('--pks needs exactly one model, and --exclude left none');
          pks = parsePks(flags.pks, models[0]!);
        }
        await checkTables(db, models);
        return JSON.stringify(await dumpData(db, models, pks ? { pks } : {}), null, indent);
      },
    ).catch((error: unknown) => {
      // A bad flag value found once the project is loaded is still a usage error (exit 2).
      throw error instanceof CliError && error.cause instanceof UsageError ? error.cause : error;
    });
    if (flags.output === undefined || flags.output === '-') {
      stdout(`${json}\n`);
      return 0;
    }
    const file = resolve(cwd, flags.output);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${json}\n`);
    stdout(`Wrote the fixture to ${displayPath(file, cwd)}\n`);
    return 0;
  },
};
