/**
 * The migration writer: the text it writes, that Biome would not change it, and the round
 * trip — written files imported back describe exactly the models they were made from.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createRegistry, f, model, op, ProjectState, query } from '../../../src/orm/index.ts';
import { migrate } from '../../../src/orm/migrations/executor.ts';
import { orderMigrations } from '../../../src/orm/migrations/graph.ts';
import {
  detectChanges,
  NonInteractiveQuestioner,
  planMigrations,
} from '../../../src/orm/migrations/index.ts';
import { loadMigrations } from '../../../src/orm/migrations/loader.ts';
import { MigrationWriteError, quote, writeMigration } from '../../../src/orm/migrations/writer.ts';
import { forEachDialect } from '../support.ts';

const root = join(import.meta.dirname, '..', '..', '..');

/** A folder where written migrations can import `voltjs/orm` (a node_modules/voltjs link to this repository). */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'volt-writer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'voltjs'), 'dir');
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Text as `biome format` would write it. */
function biomeFormat(text: string): string {
  return execFileSync(
    join(root, 'node_modules', '.bin', 'biome'),
    ['format', '--stdin-file-path=migration.ts'],
    {
      input: text,
      encoding: 'utf8',
      cwd: root,
    },
  );
}

function libraryModels() {
  const registry = createRegistry();
  const Author = model(
    'library.Author',
    { name: f.string({ maxLength: 100 }), email: f.email({ unique: true, nullable: true }) },
    { registry, ordering: ['name'], verboseNamePlural: 'writers' },
  );
  const Tag = model('library.Tag', { name: f.slug({ unique: true }) }, { registry });
  model(
    'library.Book',
    {
      title: f.string({ maxLength: 200 }),
      author: f.foreignKey(() => Author, { onDelete: 'cascade', relatedName: 'books' }),
      tags: f.manyToMany(() => Tag),
      status: f.enum(['draft', 'published'] as const, { default: 'draft' }),
      level: f.enum({ low: 'Low', high: "Reader's choice" }),
      uid: f.uuid({ default: () => crypto.randomUUID() }),
      price: f.decimal({ digits: 8, places: 2, default: '0.00' }),
      extra: f.json({ default: () => ({ pages: [] }) }),
      published: f.datetime({ nullable: true, default: new Date('2026-01-01T00:00:00.000Z') }),
      active: f.boolean({ default: true }),
      rating: f.float({ min: 0, max: 5, nullable: true }),
      sold: f.bigint({ default: 0 }),
      releasedOn: f.date({ nullable: true }),
      at: f.time({ nullable: true, dbColumn: 'at_time' }),
      site: f.url({ nullable: true, helpText: 'Where to buy it' }),
      notes: f.text({ default: '' }),
    },
    {
      registry,
      indexes: [
        { fields: ['title'] },
        { name: 'book_status_title', fields: ['status', '-title'], unique: true },
      ],
      uniqueTogether: [
        ['author', 'title'],
        ['author', 'uid'],
      ],
      checks: [
        { name: 'price_set', where: { price: { ne: '' } } },
        { name: 'title_long', rawSql: "length(title) > 0 and title <> 'x'" },
      ],
    },
  );
  return registry.all();
}

describe('writeMigration', () => {
  test('writes readable TypeScript: imports, dependencies, one operation per group', () => {
    const text = writeMigration({
      dependencies: ['library/0001_initial'],
      operations: [
        op.addField('library.Book', 'isbn', f.string({ maxLength: 13, default: '' })),
        op.renameField('library.Book', 'title', 'name'),
      ],
    });
    assert.equal(
      text,
      [
        "import { f, migration, op } from 'voltjs/orm';",
        '',
        'export default migration({',
        "  dependencies: ['library/0001_initial'],",
        '  operations: [',
        "    op.addField('library.Book', 'isbn', f.string({ maxLength: 13, default: '' })),",
        "    op.renameField('library.Book', 'title', 'name'),",
        '  ],',
        '});',
        '',
      ].join('\n'),
    );
  });

  test('imports only what the file uses', () => {
    const text = writeMigration({ operations: [] });
    assert.match(text, /^import \{ migration \} from 'voltjs\/orm';/);
    assert.match(text, /dependencies: \[\],\n {2}operations: \[\],/);
    assert.equal(biomeFormat(text), text);
    assert.match(
      writeMigration({ operations: [op.deleteModel('library.Tag')] }),
      /^import \{ migration, op \}/,
    );
  });

  test('a long call breaks its last argument over lines, as Biome does; Biome changes nothing', async () => {
    const changes = await detectChanges(
      ProjectState.empty(),
      ProjectState.fromModels(libraryModels()),
      new NonInteractiveQuestioner(),
    );
    const [planned] = planMigrations(changes, []);
    const text = writeMigration(planned!);
    assert.match(
      text,
      /\n {4}op\.createModel\('library\.Tag', \{ name: f\.slug\(\{ unique: true \}\) \}\),\n/,
    );
    assert.match(
      text,
      /\n {4}op\.createModel\(\n {6}'library\.Book',\n {6}\{\n {8}title: f\.string\(\{ maxLength: 200 \}\),\n/,
    );
    assert.match(text, /uid: f\.uuid\(\{ default: \(\) => crypto\.randomUUID\(\) \}\)/);
    assert.match(
      text,
      /published: f\.datetime\(\{ nullable: true, default: new Date\('2026-01-01T00:00:00\.000Z'\) \}\)/,
    );
    assert.match(text, /level: f\.enum\(\{ low: 'Low', high: "Reader's choice" \}\)/);
    assert.equal(biomeFormat(text), text);
  });

  test('data operations are written with their SQL and their code', () => {
    const text = writeMigration({
      dependencies: ['library/0002_x'],
      operations: [
        op.runSql({ forward: "update library_book set status = 'draft'", backward: [] }),
        op.runCode({ forward: async ({ db }) => void (await db.run('select 1')) }),
      ],
    });
    assert.match(
      text,
      /op\.runSql\(\{ forward: "update library_book set status = 'draft'", backward: \[\] \}\)/,
    );
    assert.match(
      text,
      /op\.runCode\(\{ forward: async \(\{ db \}\) => void \(await db\.run\('select 1'\)\) \}\)/,
    );
    assert.equal(biomeFormat(text), text);
  });

  test('a method-style default function is written as a function expression', () => {
    const field = f.integer({
      default() {
        return 7;
      },
    });
    const text = writeMigration({ operations: [op.addField('library.Book', 'n', field)] });
    assert.match(text, /default: function \(\) \{/);
  });

  test('a value that cannot be written is an error naming where it is', () => {
    assert.throws(
      () =>
        writeMigration({
          operations: [op.addField('library.Book', 'n', f.json({ default: new Map() as never }))],
        }),
      (error: Error) =>
        error instanceof MigrationWriteError && /cannot be written into a migration/.test(error.message),
    );
  });

  test('quote picks the quote needing fewer escapes, single on a tie', () => {
    assert.equal(quote('plain'), "'plain'");
    assert.equal(quote("it's"), '"it\'s"');
    assert.equal(quote('say "hi"'), `'say "hi"'`);
    assert.equal(quote('a\nb\\'), "'a\\nb\\\\'");
    assert.equal(quote(`'"'`), `"'\\"'"`);
  });
});

test('round trip: written migrations imported back describe the models (no changes detected)', async () => {
  const dir = project();
  const models = libraryModels();
  const migrations = join(dir, 'migrations');
  const questioner = new NonInteractiveQuestioner();
  // Two steps, so the second migration depends on the first and renames things.
  const first = ProjectState.fromModels(models);
  for (const planned of planMigrations(await detectChanges(ProjectState.empty(), first, questioner), [])) {
    mkdirSync(join(migrations, planned.app), { recursive: true });
    writeFileSync(join(migrations, planned.app, `${planned.name}.ts`), writeMigration(planned));
  }
  const loaded = orderMigrations(await loadMigrations(migrations));
  const state = ProjectState.fromMigrations(loaded);
  assert.equal((await detectChanges(state, first, questioner)).size, 0);
  assert.deepEqual(
    state.model('library.Book').meta.fieldNames,
    models.find((m) => m.label === 'library.Book')!.meta.fieldNames,
  );
  assert.equal(state.model('library.Book').meta.field('uid').hasDefault, true);
  assert.equal(state.model('library.Author').meta.verboseNamePlural, 'writers');
});

forEachDialect((dialect, open) => {
  test(`${dialect}: written migrations apply, and a later change keeps the rows`, async (t) => {
    const dir = project();
    const migrations = join(dir, 'migrations');
    const renames = new NonInteractiveQuestioner([
      { kind: 'field', label: 'library.Book', from: 'title', to: 'name' },
    ]);
    const version = (v: 1 | 2) => {
      const registry = createRegistry();
      model('library.Tag', { name: f.slug() }, { registry });
      const tags = f.manyToMany('library.Tag', { through: 'library.BookTag' });
      if (v === 1) model('library.Book', { title: f.string({ maxLength: 100 }), tags }, { registry });
      else
        model(
          'library.Book',
          { name: f.string({ maxLength: 100 }), pages: f.integer({ default: 0 }), tags },
          { registry, indexes: [{ fields: ['name'] }] },
        );
      model(
        'library.BookTag',
        {
          book: f.foreignKey('library.Book', { onDelete: 'cascade' }),
          tag: f.foreignKey('library.Tag', { onDelete: 'cascade' }),
        },
        { registry, uniqueTogether: [['book', 'tag']] },
      );
      return ProjectState.fromModels(registry.all());
    };
    const db = await open();
    t.after(() => db.close());
    const step = async (to: ProjectState) => {
      const existing = orderMigrations(await loadMigrations(migrations));
      const changes = await detectChanges(ProjectState.fromMigrations(existing), to, renames);
      for (const planned of planMigrations(changes, existing)) {
        mkdirSync(join(migrations, planned.app), { recursive: true });
        writeFileSync(join(migrations, planned.app, `${planned.name}.ts`), writeMigration(planned));
      }
      await migrate(db, orderMigrations(await loadMigrations(migrations)));
      return [...changes.values()].flat().map((operation) => operation.describe());
    };
    assert.deepEqual(await step(version(1)), [
      'Create model library.Tag',
      'Create model library.Book',
      'Create model library.BookTag',
      'Add field tags to library.Book',
    ]);
    await db.run("insert into library_book (title) values ('Dune')");
    assert.deepEqual(await step(version(2)), [
      'Rename field title on library.Book to name',
      'Add field pages to library.Book',
      'Create index library_book_name_idx on library.Book (name)',
    ]);
    const Book = ProjectState.fromMigrations(orderMigrations(await loadMigrations(migrations))).model(
      'library.Book',
    );
    assert.deepEqual(await query(db, Book).values('name', 'pages'), [{ name: 'Dune', pages: 0 }]);
  });
});
