/**
 * `volt loaddata FILE ...`: JSON fixtures (as `volt dumpdata` writes them) into the app's
 * database, in one transaction (Django's `loaddata`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadData } from '../../orm/fixtures.ts';
import type { AnyModel } from '../../orm/model.ts';
import { ValidationError } from '../../orm/query/errors.ts';
import type { FieldError } from '../../orm/validation.ts';
import type { Command, FlagSpec } from '../command.ts';
import { CliError, UsageError } from '../errors.ts';
import { displayPath } from '../load-app.ts';
import { PROJECT_FLAGS, withProjectDatabase } from '../project.ts';
import { checkTables, installedModels } from './dumpdata.ts';

const FLAGS = {
  app: PROJECT_FLAGS.app,
  database: PROJECT_FLAGS.database,
  ignorenonexistent: {
    type: 'boolean',
    short: 'i',
    description: 'Skip fields and models the app no longer has instead of refusing the fixture',
  },
} as const satisfies Record<string, FlagSpec>;

/** Most problems printed; the count of the others follows. */
const SHOWN_PROBLEMS = 20;

/** One fixture file: its name as shown and its objects. */
interface Fixture {
  name: string;
  objects: unknown[];
}

async function readStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk as string;
  return text;
}

async function readFixture(path: string, cwd: string): Promise<Fixture> {
  let name = '(stdin)';
  let text: string;
  if (path === '-') text = await readStdin();
  else {
    const file = resolve(cwd, path);
    name = displayPath(file, cwd);
    if (!existsSync(file)) throw new CliError(`No fixture file ${name}`);
    text = readFileSync(file, 'utf8');
  }
  let objects: unknown;
  try {
    objects = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${name} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(objects))
    throw new CliError(
      `${name} is not a fixture: a fixture is a JSON list of {"model", "pk", "fields"} objects`,
    );
  return { name, objects };
}

/** `books.json [3] (library.Book pk 7), field 'price': …`: a problem at the file and object it is in. */
function problemLine(problem: FieldError, fixtures: readonly Fixture[]): string {
  let [index, ...where] = problem.loc as [number, ...(string | number)[]];
  let fixture = fixtures[0]!;
  for (fixture of fixtures) {
    if (index < fixture.objects.length) break;
    index -= fixture.objects.length;
  }
  const raw = fixture.objects[index] as { model?: unknown; pk?: unknown } | null;
  const what =
    typeof raw?.model === 'string' && where[0] !== 'model'
      ? ` (${raw.model}${raw.pk === undefined || raw.pk === null ? '' : ` pk ${JSON.stringify(raw.pk)}`})`
      : '';
  const at =
    where[0] === 'fields' && where[1] !== undefined
      ? `, field '${where[1]}'`
      : where.length
        ? `, ${where[0]}`
        : '';
  return `${fixture.name} [${index}]${what}${at}: ${problem.msg}`;
}

/** `volt loaddata`. */
export const command: Command<typeof FLAGS> = {
  usage: 'volt loaddata FILE [FILE ...] [options]',
  description:
    "Loads JSON fixtures (as volt dumpdata writes them; '-' reads standard input) into the app's database, " +
    'in one transaction. Every object is checked first: an unknown model or field, a bad value or a ' +
    'foreign key to a row that is nowhere is reported with its file and index, and nothing is loaded. ' +
    'A row whose primary key exists is updated, the others are inserted with their key; foreign keys may ' +
    'point at rows later in the fixtures (rows go in in dependency order); many-to-many links are set ' +
    "after the rows, and each table's key sequence is moved past the keys loaded. Run volt migrate first.",
  args: [
    {
      name: 'FILE',
      description: "A fixture file, or '-' for standard input; several may be given",
      variadic: true,
    },
  ],
  flags: FLAGS,
  examples: [
    'volt loaddata fixtures/library.json',
    'volt dumpdata library | volt loaddata - --database postgres://localhost/copy',
    'volt loaddata old.json --ignorenonexistent',
  ],
  async run({ args, flags, cwd, stdout }) {
    if (args.length === 0)
      throw new UsageError(
        'No fixture given: pass the path of at least one fixture file, e.g. volt loaddata data.json',
      );
    if (args.filter((arg) => arg === '-').length > 1)
      throw new UsageError("'-' (standard input) can be given once");
    const fixtures: Fixture[] = [];
    for (const path of args) fixtures.push(await readFixture(path, cwd));
    const objects = fixtures.flatMap((fixture) => fixture.objects);
    const result = await withProjectDatabase(
      { cwd, app: flags.app, database: flags.database },
      installedModels,
      async (models, db) => {
        const named = new Set(objects.map((o) => (o as { model?: unknown } | null)?.model));
        await checkTables(
          db,
          models.filter((model: AnyModel) => named.has(model.meta.label)),
        );
        try {
          return await loadData(db, models, objects, { ignoreNonexistent: flags.ignorenonexistent ?? false });
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          const lines = error.errors
            .slice(0, SHOWN_PROBLEMS)
            .map((problem) => `  ${problemLine(problem, fixtures)}`);
          if (error.errors.length > SHOWN_PROBLEMS)
            lines.push(`  … and ${error.errors.length - SHOWN_PROBLEMS} more`);
          throw new CliError(`Cannot load the fixtures; nothing was changed:\n${lines.join('\n')}`, {
            cause: error,
          });
        }
      },
    );
    stdout(`Installed ${result.loaded} object(s) from ${fixtures.length} fixture(s)\n`);
    return 0;
  },
};
