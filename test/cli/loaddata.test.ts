/**
 * `volt loaddata`: fixtures into the library example's database in one transaction, on SQLite
 * and PostgreSQL: a dump round trip, forward references, standard input, a failing fixture that
 * changes nothing, --ignorenonexistent, and one-line mistakes.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Author, Book } from '../../examples/library/models.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { type CliDatabase, forEachCliDatabase, migrated, parsed, stocked } from './fixture-support.ts';
import { STACK_LINE } from './support.ts';

let files = 0;

/** Writes `objects` as a fixture file next to the database of `database`; its path. */
function fixture(database: CliDatabase, objects: unknown, name = `fixture${++files}.json`): string {
  const file = join(database.dir, name);
  writeFileSync(file, typeof objects === 'string' ? objects : JSON.stringify(objects));
  return file;
}

/** Everything `volt dumpdata` prints of `database`. */
async function dump(database: CliDatabase): Promise<string> {
  const { code, stdout, stderr } = await database.run(['dumpdata']);
  assert.equal(code, 0, stderr);
  return stdout;
}

const author = (pk: number, name: string, email = `${name.toLowerCase()}@example.com`) => ({
  model: 'library.Author',
  pk,
  fields: { name, email },
});

forEachCliDatabase((dialect) => {
  test('a dump loads into an empty database, dumps again the same, and later creates get new keys', async () => {
    const source = await stocked(dialect);
    const dumped = await dump(source);
    const target = await migrated(dialect);
    const file = fixture(source, dumped);
    const loaded = await target.run(['loaddata', file]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout, `Installed ${parsed(dumped).length} object(s) from 1 fixture(s)\n`);
    assert.equal(await dump(target), dumped);
    // Loading it again updates the same rows: nothing changes.
    assert.equal((await target.run(['loaddata', file])).code, 0);
    assert.equal(await dump(target), dumped);
    const db = await target.open();
    const next = await query(db, Author).create({ name: 'New', email: 'new@example.com' });
    assert.equal(next.id, 3);
  });

  test('foreign keys may point at objects later in the fixtures, across files and from standard input', async () => {
    const database = await migrated(dialect);
    const books = fixture(database, [
      {
        model: 'library.Book',
        pk: 10,
        fields: { title: 'Dune', isbn: '9780000000010', author: 5, price: '9.99', tags: [3] },
      },
    ]);
    const rest = JSON.stringify([
      author(5, 'Frank'),
      { model: 'library.Tag', pk: 3, fields: { slug: 'sf', name: 'SF' } },
    ]);
    const { code, stdout, stderr } = await database.run(['loaddata', books, '-'], rest);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'Installed 3 object(s) from 2 fixture(s)\n');
    const db = await database.open();
    const dune = await query(db, Book).selectRelated('author').get({ id: 10 });
    assert.equal(dune.author.name, 'Frank');
    assert.equal(dune.status, 'draft');
    assert.deepEqual(
      parsed((await database.run(['dumpdata', 'library.Book'])).stdout).map((o) => o.fields.tags),
      [[3]],
    );
  });

  test('a failing fixture changes nothing: exit 1, the file, index and field named, no stack trace', async () => {
    const database = await stocked(dialect);
    const before = await dump(database);
    const good = fixture(database, [author(1, 'Renamed', 'ada@example.com'), author(7, 'Seven')]);
    const bad = fixture(
      database,
      [
        author(8, 'Eight'),
        {
          model: 'library.Book',
          pk: 9,
          fields: { title: 'X', isbn: '9780000000099', author: 8, price: 'free' },
        },
        { model: 'library.Tag', pk: 9, fields: { slug: 'x', name: 'X', colour: 'red' } },
      ],
      'bad.json',
    );
    const { code, stdout, stderr } = await database.run(['loaddata', good, bad]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(
      stderr.replaceAll(bad, 'bad.json'),
      'volt: Cannot load the fixtures; nothing was changed:\n' +
        '  bad.json [1] (library.Book pk 9), field \'price\': Input should be a decimal number written as a string, such as "19.90"\n' +
        "  bad.json [2] (library.Tag pk 9), field 'colour': library.Tag has no field 'colour'\n",
    );
    assert.doesNotMatch(stderr, STACK_LINE);
    // Valid objects, and one the database refuses: Ursula's email is taken by author 2.
    const taken = fixture(
      database,
      [author(7, 'Seven'), author(8, 'Ursula', 'ursula@example.com')],
      'taken.json',
    );
    const refused = await database.run(['loaddata', taken]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.replaceAll(taken, 'taken.json'),
      'volt: Cannot load the fixtures; nothing was changed:\n' +
        "  taken.json [1] (library.Author pk 8), field 'email': Author with this email already exists\n",
    );
    assert.equal(await dump(database), before);
  });
});

test('--ignorenonexistent skips fields and models the app no longer has', async () => {
  const database = await migrated('sqlite');
  const objects = [
    { model: 'library.Author', pk: 1, fields: { name: 'Ada', email: 'ada@example.com', twitter: '@ada' } },
    { model: 'library.Publisher', pk: 1, fields: { name: 'Gone' } },
  ];
  const file = fixture(database, objects);
  const refused = await database.run(['loaddata', file]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /\[0\] \(library\.Author pk 1\), field 'twitter': library\.Author has no field 'twitter'\n/,
  );
  assert.match(refused.stderr, /\[1\], model: Unknown model 'library\.Publisher'\n/);
  const loaded = await database.run(['loaddata', file, '-i']);
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.equal(loaded.stdout, 'Installed 1 object(s) from 1 fixture(s)\n');
});

test('no file, a missing file or a file that is no fixture is one line', async () => {
  const database = await migrated('sqlite');
  const none = await database.run(['loaddata']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^volt: No fixture given: pass the path of at least one fixture file/);
  const missing = await database.run(['loaddata', 'nowhere.json']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'volt: No fixture file nowhere.json\n');
  const broken = fixture(database, '[{"model": ');
  const notJson = await database.run(['loaddata', broken]);
  assert.equal(notJson.code, 1);
  assert.match(notJson.stderr, /^volt: .*\.json is not valid JSON: /);
  const object = await database.run(['loaddata', fixture(database, { model: 'library.Author' })]);
  assert.equal(object.code, 1);
  assert.match(
    object.stderr,
    /is not a fixture: a fixture is a JSON list of \{"model", "pk", "fields"\} objects\n$/,
  );
  for (const result of [none, missing, notJson, object]) assert.doesNotMatch(result.stderr, STACK_LINE);
});
