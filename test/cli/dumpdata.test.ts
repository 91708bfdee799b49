/**
 * `volt dumpdata`: the installed apps' rows as a JSON fixture, on the library example, on SQLite
 * and PostgreSQL; labels, --exclude, --pks, --output, --indent, and one-line mistakes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { forEachCliDatabase, libraryApp, migrated, parsed, stocked } from './fixture-support.ts';
import { STACK_LINE, volt } from './support.ts';

const modelsOf = (objects: Array<{ model: string }>) => [...new Set(objects.map((o) => o.model))];

forEachCliDatabase((dialect) => {
  test('volt dumpdata prints every installed model, auth included, each after the models it points at', async () => {
    const database = await stocked(dialect);
    const { code, stdout, stderr } = await database.run(['dumpdata']);
    assert.equal(code, 0, stderr);
    const objects = parsed(stdout);
    assert.deepEqual(
      modelsOf(objects),
      [
        'auth.Permission',
        'auth.Group',
        'auth.User',
        'auth.Session',
        'auth.Token',
        'library.Author',
        'library.Tag',
        'library.Book',
        'library.Review',
      ].filter((label) => objects.some((o) => o.model === label)),
    );
    const books = objects.filter((o) => o.model === 'library.Book');
    assert.deepEqual(
      books.map((b) => b.pk),
      [1, 2],
    );
    const { created, updated, ...fields } = books[0]!.fields;
    assert.deepEqual(fields, {
      title: 'The Engine',
      isbn: '9780000000001',
      author: 1,
      price: '12.50',
      status: 'published',
      publishedOn: '1843-09-01',
      tags: [1, 2],
    });
    assert.match(String(created), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(typeof updated, 'string');
    const [bob] = objects.filter((o) => o.model === 'auth.User');
    assert.deepEqual(
      [bob!.fields.username, bob!.fields.groups, bob!.fields.userPermissions],
      ['bob', [1], []],
    );
    // The password hash is written: a dump is a copy of the data (keep it private).
    assert.ok('password' in bob!.fields);
    const [editors] = objects.filter((o) => o.model === 'auth.Group');
    const [granted] = editors!.fields.permissions as number[];
    assert.equal(
      objects.find((o) => o.model === 'auth.Permission' && o.pk === granted)!.fields.codename,
      'change_book',
    );
    // The auto join tables are no models of their own.
    assert.ok(!objects.some((o) => o.model.includes('_')));
  });
});

test('labels, --exclude and --pks choose the models and rows; --output and --indent shape the file', async () => {
  const database = await stocked('sqlite');
  const labels = await database.run(['dumpdata', 'library.book', 'library.Tag']);
  assert.equal(labels.code, 0, labels.stderr);
  assert.deepEqual(modelsOf(parsed(labels.stdout)), ['library.Tag', 'library.Book']);
  const excluded = await database.run([
    'dumpdata',
    'library',
    '--exclude',
    'library.Review',
    '-e',
    'library.Tag',
  ]);
  assert.deepEqual(modelsOf(parsed(excluded.stdout)), ['library.Author', 'library.Book']);
  const withoutAuth = await database.run(['dumpdata', '-e', 'auth']);
  assert.ok(modelsOf(parsed(withoutAuth.stdout)).every((label) => label.startsWith('library.')));
  const two = await database.run(['dumpdata', 'library.Book', '--pks', '2']);
  assert.deepEqual(
    parsed(two.stdout).map((o) => [o.pk, o.fields.title, o.fields.tags]),
    [[2, 'A Wizard of Earthsea', [1]]],
  );
  const file = join(database.dir, 'out', 'tags.json');
  const written = await database.run(['dumpdata', 'library.Tag', '--indent', '2', '-o', file]);
  assert.equal(written.code, 0, written.stderr);
  assert.match(written.stdout, /^Wrote the fixture to .*tags\.json\n$/);
  const text = readFileSync(file, 'utf8');
  assert.ok(text.startsWith('[\n  {\n    "model": "library.Tag",\n    "pk": 1,\n'), text);
  assert.deepEqual(parsed(text).length, 2);
  // Without --indent, one line.
  assert.equal(labels.stdout.split('\n').length, 2);
});

test('a wrong label, --pks with several models or a bad --indent is one line, never a stack trace', async () => {
  const database = await migrated('sqlite');
  for (const [args, exit, message] of [
    [['dumpdata', 'libary'], 1, "volt: No installed app with label 'libary'. Did you mean 'library'?\n"],
    [['dumpdata', 'library.Bok'], 1, "volt: Unknown model: library.Bok. Did you mean 'library.Book'?\n"],
    [
      ['dumpdata', '-e', 'auth.Sesion'],
      1,
      "volt: Unknown model: auth.Sesion (in --exclude). Did you mean 'auth.Session'?\n",
    ],
    [
      ['dumpdata', 'library', '--pks', '1'],
      2,
      "volt: --pks needs exactly one model label, e.g. volt dumpdata library.Book --pks 1,2. Run 'volt dumpdata --help'.\n",
    ],
    [
      ['dumpdata', 'library.Book', '--pks', '1,one'],
      2,
      "volt: --pks: 'one' is not a primary key of library.Book (id). Run 'volt dumpdata --help'.\n",
    ],
    [
      ['dumpdata', '--indent', 'wide'],
      2,
      "volt: --indent must be a whole number from 0 to 10, got 'wide'. Run 'volt dumpdata --help'.\n",
    ],
  ] as const) {
    const { code, stdout, stderr } = await database.run([...args]);
    assert.equal(code, exit, stderr);
    assert.equal(stderr, message);
    assert.equal(stdout, '');
  }
});

test('a database without the tables says to run volt migrate', async () => {
  const dir = join(libraryApp, '..', '..', '..');
  const { code, stderr } = await volt(
    ['dumpdata', 'library', '--app', libraryApp, '--database', 'sqlite::memory:'],
    { cwd: dir },
  );
  assert.equal(code, 1);
  assert.equal(
    stderr,
    'volt: The table library_author of library.Author does not exist yet: run volt migrate first\n',
  );
  assert.doesNotMatch(stderr, STACK_LINE);
});

test('volt dumpdata --help describes the labels and flags', async () => {
  const { code, stdout } = await volt(['dumpdata', '--help']);
  assert.equal(code, 0);
  assert.match(stdout, /Usage: volt dumpdata \[app_label\[\.Model\] \.\.\.\]/);
  assert.match(stdout, /-e, --exclude LABEL/);
  assert.match(stdout, /--pks KEYS/);
  assert.match(stdout, /volt dumpdata library\.Book --pks 1,2,3/);
});
