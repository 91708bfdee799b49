/**
 * `volt makemigrations`: the files it writes and what it prints, `--check` exit codes,
 * `--name`, `--empty`, `--dry-run`, renames given with `--rename`, unknown apps; and the
 * interactive questions through an injected terminal.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { CheckQuestioner, makeMigrations } from '../../src/cli/commands/makemigrations.ts';
import { CliError } from '../../src/cli/errors.ts';
import { createRegistry, f, model } from '../../src/orm/index.ts';
import {
  InteractiveQuestioner,
  NonInteractiveQuestioner,
  parseRenames,
} from '../../src/orm/migrations/questioner.ts';
import { root, volt } from './support.ts';

const app = join(import.meta.dirname, 'fixtures', 'makemigrations', 'library.ts');

/** A folder whose migrations can import `voltjs/orm` (node_modules/voltjs links to this repository). */
function project(): { dir: string; migrations: string } {
  const dir = mkdtempSync(join(tmpdir(), 'volt-makemigrations-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'voltjs'), 'dir');
  after(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, migrations: join(dir, 'migrations') };
}

/** `volt makemigrations` on the fixture app at library version `version`. */
function make(migrations: string, version: number, ...args: string[]) {
  return volt(['makemigrations', '--app', app, '--migrations', migrations, ...args], {
    env: { LIBRARY_VERSION: String(version), CI: undefined },
  });
}

function files(migrations: string, appName: string): string[] {
  const folder = join(migrations, appName);
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

describe('volt makemigrations', () => {
  test('writes the first migration of each app, depending across apps, and prints them', async () => {
    const { migrations } = project();
    const { code, stdout, stderr } = await make(migrations, 1);
    assert.equal(code, 0, stderr);
    assert.deepEqual(files(migrations, 'library'), ['0001_initial.ts']);
    assert.deepEqual(files(migrations, 'shop'), ['0001_initial.ts']);
    assert.match(
      stdout,
      /library\/0001_initial\.ts\n {2}- Create model library\.Author\n {2}- Create model library\.Book\n/,
    );
    assert.match(stdout, /shop\/0001_initial\.ts\n {2}- Create model shop\.Order\n/);
    assert.match(
      readFileSync(join(migrations, 'shop', '0001_initial.ts'), 'utf8'),
      /dependencies: \['library\/0001_initial'\]/,
    );
  });

  test('--check: exit 1 listing the changes and writing nothing; exit 0 when up to date', async () => {
    const { migrations } = project();
    const missing = await make(migrations, 1, '--check');
    assert.equal(missing.code, 1);
    assert.match(
      missing.stdout,
      /not in migrations:\n.*library\/0001_initial\.ts\n {2}- Create model library\.Author/s,
    );
    assert.equal(existsSync(migrations), false);

    assert.equal((await make(migrations, 1)).code, 0);
    const upToDate = await make(migrations, 1, '--check');
    assert.equal(upToDate.code, 0, upToDate.stderr);
    assert.equal(upToDate.stdout, 'No changes detected\n');

    const changed = await make(migrations, 2, '--check');
    assert.equal(changed.code, 1);
    assert.match(changed.stdout, /library\/0002_add_book_isbn\.ts\n {2}- Add field isbn to library\.Book\n/);
  });

  test('a new field: the next number, named after it; --name overrides; --dry-run writes nothing', async () => {
    const { migrations } = project();
    await make(migrations, 1);
    const dry = await make(migrations, 2, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /library\/0002_add_book_isbn\.ts\n {2}- Add field isbn to library\.Book\nDry run: nothing was written\.\n/,
    );
    assert.deepEqual(files(migrations, 'library'), ['0001_initial.ts']);

    const named = await make(migrations, 2, '--name', 'isbn');
    assert.equal(named.code, 0, named.stderr);
    assert.deepEqual(files(migrations, 'library'), ['0001_initial.ts', '0002_isbn.ts']);
    assert.match(
      readFileSync(join(migrations, 'library', '0002_isbn.ts'), 'utf8'),
      /op\.addField\('library\.Book', 'isbn'/,
    );
  });

  test('a rename is refused without an answer in a non-interactive run, and written with --rename', async () => {
    const { migrations } = project();
    await make(migrations, 2);
    const refused = await make(migrations, 3, '--no-input');
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /Cannot add the non-nullable field 'name' to library\.Book without a default/,
    );
    assert.deepEqual(files(migrations, 'library'), ['0001_initial.ts']);

    const renamed = await make(migrations, 3, '--no-input', '--rename', 'library.Book.title=name');
    assert.equal(renamed.code, 0, renamed.stderr);
    assert.match(
      renamed.stdout,
      /library\/0002_rename_book_title_name\.ts\n {2}- Rename field title on library\.Book to name\n/,
    );
    assert.equal((await make(migrations, 3, '--check')).code, 0);
  });

  test('--empty APP writes a migration without operations after the app latest', async () => {
    const { migrations } = project();
    await make(migrations, 1);
    const { code, stdout, stderr } = await make(migrations, 1, '--empty', 'library', '--name', 'backfill');
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      /library\/0002_backfill\.ts\n {2}\(no operations: add op\.runCode or op\.runSql\)\n/,
    );
    const text = readFileSync(join(migrations, 'library', '0002_backfill.ts'), 'utf8');
    assert.match(text, /dependencies: \['library\/0001_initial'\],\n {2}operations: \[\],/);
  });

  test('an unknown app is an error naming the apps', async () => {
    const { migrations } = project();
    const { code, stderr } = await make(migrations, 1, 'nope');
    assert.equal(code, 1);
    assert.match(stderr, /There is no app 'nope'.*\(apps: library, shop\)/);
  });

  test('app names limit the run', async () => {
    const { migrations } = project();
    await make(migrations, 1);
    const { code, stdout } = await make(migrations, 2, 'shop');
    assert.equal(code, 0);
    assert.equal(stdout, 'No changes detected in shop\n');
  });

  test('--help shows the flags and examples', async () => {
    const { code, stdout } = await volt(['makemigrations', '--help']);
    assert.equal(code, 0);
    for (const flag of ['--check', '--dry-run', '--name', '--empty', '--rename', '--no-input'])
      assert.ok(stdout.includes(flag), `${flag} missing from:\n${stdout}`);
    assert.match(stdout, /volt makemigrations --check/);
  });
});

describe('makeMigrations with an injected questioner', () => {
  function models(version: 1 | 2) {
    const registry = createRegistry();
    model(
      'notes.Note',
      version === 1
        ? { title: f.string({ maxLength: 100 }) }
        : { heading: f.string({ maxLength: 100 }), words: f.integer() },
      { registry },
    );
    return registry.all();
  }

  async function answering(answers: string[], run: (questioner: InteractiveQuestioner) => Promise<number>) {
    const input = new PassThrough();
    const output = new PassThrough();
    let asked = '';
    output.on('data', (chunk: Buffer) => {
      asked += chunk.toString();
      if (!/[?:\]] $/.test(asked)) return;
      const next = answers.shift();
      // Answered on the next turn: readline listens for the line once the prompt is out.
      if (next !== undefined) setImmediate(() => input.write(`${next}\n`));
    });
    const code = await run(new InteractiveQuestioner({ input, output }));
    return { code, asked };
  }

  test('asks about a rename and for a one-off value, and writes what was answered', async () => {
    const { dir, migrations } = project();
    const base = { migrationsRoot: migrations, cwd: dir, stdout: () => {} };
    await makeMigrations({ ...base, models: models(1), questioner: new NonInteractiveQuestioner() });
    const { code, asked } = await answering(['y', 'zero', '0'], (questioner) =>
      makeMigrations({ ...base, models: models(2), questioner }),
    );
    assert.equal(code, 0);
    assert.match(asked, /Was notes\.Note\.title renamed to heading\? \[y\/N\]/);
    assert.match(asked, /The new field notes\.Note\.words is not nullable and has no default/);
    assert.match(asked, /zero is not JSON/);
    const written = readFileSync(
      join(migrations, 'notes', readdirSync(join(migrations, 'notes')).sort()[1]!),
      'utf8',
    );
    assert.match(written, /op\.renameField\('notes\.Note', 'title', 'heading'\)/);
    assert.match(
      written,
      /op\.addField\('notes\.Note', 'words', f\.integer\(\{ default: 0 \}\), \{ preserveDefault: false \}\)/,
    );
  });

  test('--check does not need a value for a new required field; a model rename is taken from --rename', async () => {
    const { dir, migrations } = project();
    let out = '';
    const stdout = (text: string) => {
      out += text;
    };
    const base = { migrationsRoot: migrations, cwd: dir, stdout };
    await makeMigrations({ ...base, models: models(1), questioner: new NonInteractiveQuestioner() });
    out = '';
    assert.equal(
      await makeMigrations({ ...base, models: models(2), check: true, questioner: new CheckQuestioner() }),
      1,
    );
    assert.match(out, /- Add field words to notes\.Note/);

    const registry = createRegistry();
    model('notes.Memo', { title: f.string({ maxLength: 100 }) }, { registry });
    out = '';
    const renames = parseRenames(['notes.Note=Memo']);
    const code = await makeMigrations({
      ...base,
      models: registry.all(),
      questioner: new NonInteractiveQuestioner(renames),
    });
    assert.equal(code, 0);
    assert.match(out, /notes\/0002_rename_note_memo\.ts\n {2}- Rename model notes\.Note to notes\.Memo\n/);
  });

  test('a one-way many-to-many to its own model, migrated before, is never made symmetrical silently', async () => {
    const { dir, migrations } = project();
    // What makemigrations wrote before many-to-manys to their own model were symmetrical.
    mkdirSync(join(migrations, 'club'), { recursive: true });
    writeFileSync(
      join(migrations, 'club', '0001_initial.ts'),
      [
        "import { f, migration, op } from 'voltjs/orm';",
        '',
        'export default migration({',
        '  dependencies: [],',
        "  operations: [op.createModel('club.Person', { friends: f.manyToMany('club.Person') })],",
        '});',
        '',
      ].join('\n'),
    );
    const people = (options: { symmetrical?: boolean }) => {
      const registry = createRegistry();
      model('club.Person', { friends: f.manyToMany('self', options) }, { registry });
      return registry.all();
    };
    const base = { migrationsRoot: migrations, cwd: dir, stdout: () => {} };
    for (const [questioner, check] of [
      [new CheckQuestioner(), true],
      [new NonInteractiveQuestioner(), false],
    ] as const)
      await assert.rejects(
        makeMigrations({ ...base, models: people({}), questioner, check }),
        (error: Error) =>
          error instanceof CliError &&
          /club\.Person\.friends is a many-to-many to its own model/.test(error.message) &&
          /add symmetrical: false to the field/.test(error.message),
      );
    // Kept one-way: nothing to migrate.
    const quiet = new NonInteractiveQuestioner();
    assert.equal(
      await makeMigrations({
        ...base,
        models: people({ symmetrical: false }),
        questioner: quiet,
        check: true,
      }),
      0,
    );
    // Made symmetrical in a terminal: the field, and the links' rows back.
    const { code, asked } = await answering(['y'], (questioner) =>
      makeMigrations({ ...base, models: people({}), questioner }),
    );
    assert.equal(code, 0);
    assert.match(asked, /Make club\.Person\.friends symmetrical\?/);
    const written = readFileSync(
      join(migrations, 'club', readdirSync(join(migrations, 'club')).sort()[1]!),
      'utf8',
    );
    assert.match(
      written,
      /op\.alterField\('club\.Person', 'friends', f\.manyToMany\('club\.Person', \{ symmetrical: true \}\)\)/,
    );
    assert.match(written, /op\.runSql\(\{\n\s+forward:\s+'insert into "club_person_friends"/);
    assert.equal(await makeMigrations({ ...base, models: people({}), questioner: quiet, check: true }), 0);
  });

  test('a user mistake comes out as a CliError', async () => {
    const { dir, migrations } = project();
    await assert.rejects(
      makeMigrations({
        models: models(1),
        migrationsRoot: migrations,
        cwd: dir,
        stdout: () => {},
        name: 'Bad Name',
        questioner: new NonInteractiveQuestioner(),
      }),
      (error: Error) => error instanceof CliError && /cannot be a migration name/.test(error.message),
    );
  });
});
