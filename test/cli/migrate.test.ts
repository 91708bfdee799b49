/**
 * The migration commands' project: loadProject finds the models, the migrations folder and
 * the database; `volt migrate`, `volt showmigrations` and `volt sqlmigrate` end to end.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { absoluteDatabaseUrl, loadProject } from '../../src/cli/project.ts';
import { root, STACK_LINE, volt } from './support.ts';

const base = mkdtempSync(join(tmpdir(), 'volt-migrate-'));
after(() => rmSync(base, { recursive: true, force: true }));
const orm = pathToFileURL(join(root, 'src', 'orm', 'index.ts')).href;
let projects = 0;

/** A project folder with `files` (path → source). */
function project(files: Record<string, string>): string {
  const dir = join(base, `p${++projects}`);
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  return dir;
}

test('loadProject imports the app module and finds migrations next to it and the database', async () => {
  const dir = project({
    'src/app.ts': `import { f, model } from '${orm}';\nmodel('projecta.Thing', { name: f.string({ maxLength: 20 }) });\n`,
    'package.json': JSON.stringify({ volt: { app: 'src/app.ts' } }),
  });
  const found = await loadProject({ cwd: dir, database: 'sqlite:./data/app.db' });
  assert.ok(found.models.some((m) => m.meta.label === 'projecta.Thing'));
  assert.equal(found.appPath, join(dir, 'src', 'app.ts'));
  assert.equal(found.migrationsRoot, join(dir, 'src', 'migrations'));
  assert.equal(found.databaseUrl, `sqlite:${join(dir, 'data', 'app.db')}`);
});

test('loadProject takes the migrations folder from the option, else from package.json', async () => {
  const dir = project({
    'app.ts': `import { f, model } from '${orm}';\nmodel('projectb.Thing', { name: f.string({ maxLength: 20 }) });\n`,
    'package.json': JSON.stringify({ volt: { migrations: 'db/migrations' } }),
    '.env': 'DATABASE_URL=sqlite:./from-env.db\n',
  });
  const configured = await loadProject({ cwd: dir });
  assert.equal(configured.migrationsRoot, join(dir, 'db', 'migrations'));
  assert.equal(configured.databaseUrl, `sqlite:${join(dir, 'from-env.db')}`);
  const flagged = await loadProject({ cwd: dir, migrations: 'other' });
  assert.equal(flagged.migrationsRoot, join(dir, 'other'));
  await assert.rejects(
    loadProject({ cwd: dir, database: 'mysql://x' }),
    /must start with sqlite: or postgres:\/\//,
  );
});

test('loadProject names the missing app module', async () => {
  const dir = project({ 'README.md': '' });
  await assert.rejects(loadProject({ cwd: dir }), /Cannot find the app module app\.ts/);
});

test('absoluteDatabaseUrl anchors relative SQLite paths only', () => {
  assert.equal(absoluteDatabaseUrl('sqlite:./data/app.db', '/srv/app'), 'sqlite:/srv/app/data/app.db');
  assert.equal(absoluteDatabaseUrl('sqlite:/abs/app.db', '/srv/app'), 'sqlite:/abs/app.db');
  assert.equal(absoluteDatabaseUrl('sqlite::memory:', '/srv/app'), 'sqlite::memory:');
  assert.equal(absoluteDatabaseUrl('postgres://u@h/db', '/srv/app'), 'postgres://u@h/db');
});

// ---- the commands, end to end, on the fixture project and a SQLite file --------------------

const fixture = join(import.meta.dirname, 'fixtures', 'migrate');
let databases = 0;

/** A fresh SQLite file, and `volt <args>` run in the fixture project against it. */
function database() {
  const file = join(base, `db${++databases}.sqlite`);
  const run = (...args: string[]) => volt([...args, '--database', `sqlite:${file}`], { cwd: fixture });
  const sql = <T>(text: string) => {
    const db = new DatabaseSync(file);
    try {
      return db.prepare(text).all() as T[];
    } finally {
      db.close();
    }
  };
  return { file, run, sql };
}

const bookColumns = (sql: ReturnType<typeof database>['sql']) =>
  sql<{ name: string }>('pragma table_info(library_book)').map((c) => c.name);

test('volt migrate applies the migrations, printing one line each; a second run has nothing to do', async () => {
  const { run, sql } = database();
  const first = await run('migrate');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(
    first.stdout,
    'Applying library/0001_initial... OK\nApplying library/0002_add_book_isbn... OK\n',
  );
  assert.deepEqual(bookColumns(sql), ['id', 'title', 'author_id', 'isbn']);
  assert.deepEqual(
    sql<{ app: string; name: string }>('select app, name from volt_migrations order by id').map(
      (r) => `${r.app}/${r.name}`,
    ),
    ['library/0001_initial', 'library/0002_add_book_isbn'],
  );
  const second = await run('migrate');
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, 'No migrations to apply.\n');
});

test('volt showmigrations marks applied migrations; --plan shows the order; migrate --plan runs nothing', async () => {
  const { run, sql } = database();
  const planned = await run('migrate', '--plan');
  assert.equal(planned.code, 0, planned.stderr);
  assert.equal(
    planned.stdout,
    'Planned operations:\nApply library/0001_initial\n    Create model library.Author\n    Create model library.Book\n' +
      'Apply library/0002_add_book_isbn\n    Add field isbn to library.Book\n',
  );
  assert.deepEqual(sql("select name from sqlite_master where type = 'table' and name like 'library%'"), []);
  assert.equal((await run('migrate', 'library', '0001_initial')).code, 0);
  const shown = await run('showmigrations');
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(shown.stdout, '[X] library/0001_initial\n[ ] library/0002_add_book_isbn\n');
  assert.equal((await run('showmigrations', '--plan')).stdout, shown.stdout);
  assert.equal((await run('showmigrations', 'shop')).stdout, 'shop: no migrations.\n');
});

test('volt migrate goes back to a migration and to zero, and --fake only records', async () => {
  const { run, sql } = database();
  await run('migrate');
  const back = await run('migrate', 'library', '0001_initial');
  assert.equal(back.code, 0, back.stderr);
  assert.equal(back.stdout, 'Unapplying library/0002_add_book_isbn... OK\n');
  assert.deepEqual(bookColumns(sql), ['id', 'title', 'author_id']);
  const zero = await run('migrate', 'library/zero');
  assert.equal(zero.stdout, 'Unapplying library/0001_initial... OK\n');
  assert.deepEqual(sql("select name from sqlite_master where type = 'table' and name like 'library%'"), []);
  const fake = await run('migrate', 'library', '0001', '--fake');
  assert.equal(fake.stdout, 'Applying library/0001_initial... FAKED\n');
  assert.deepEqual(sql("select name from sqlite_master where type = 'table' and name like 'library%'"), []);
  assert.equal(
    (await run('showmigrations')).stdout,
    '[X] library/0001_initial\n[ ] library/0002_add_book_isbn\n',
  );
});

test('volt sqlmigrate prints the SQL, forward and backwards, and runs nothing', async () => {
  const { run, sql } = database();
  const forward = await run('sqlmigrate', 'library/0002_add_book_isbn');
  assert.equal(forward.code, 0, forward.stderr);
  assert.equal(
    forward.stdout,
    [
      'PRAGMA foreign_keys = OFF;',
      'BEGIN;',
      '-- Add field isbn to library.Book',
      `alter table "library_book" add column "isbn" TEXT not null default '';`,
      'PRAGMA foreign_key_check;',
      'COMMIT;',
      'PRAGMA foreign_keys = ON;',
      '',
    ].join('\n'),
  );
  const backward = await run('sqlmigrate', 'library', '0002', '--backwards');
  assert.match(
    backward.stdout,
    /-- Undo: Add field isbn to library\.Book\nalter table "library_book" drop column "isbn";/,
  );
  assert.deepEqual(sql("select name from sqlite_master where type = 'table' and name like 'library%'"), []);
  const missing = await run('sqlmigrate', 'library', '0009');
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /library has no migration '0009' \(its migrations: 0001_initial, 0002_add_book_isbn, or zero\)/,
  );
  const usage = await run('sqlmigrate', 'library');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /'library' names an app; add the migration/);
});

test('a failing migration exits 1 naming it and its operation, and changes nothing', async () => {
  const { file, run, sql } = database();
  assert.equal((await run('migrate', '--migrations', 'failing', 'library', '0001')).code, 0);
  const db = new DatabaseSync(file);
  db.exec(
    "insert into library_author (name) values ('Ada'); insert into library_book (title, author_id) values ('Dune', 1)",
  );
  db.close();
  const failed = await run('migrate', '--migrations', 'failing');
  assert.equal(failed.code, 1);
  assert.equal(failed.stdout, 'Applying library/0002_broken... FAILED\n');
  assert.match(
    failed.stderr,
    /^volt: Applying library\/0002_broken failed at operation 2 \(Add field pages to library\.Book\): .*NOT NULL/,
  );
  assert.doesNotMatch(failed.stderr, STACK_LINE);
  assert.deepEqual(bookColumns(sql), ['id', 'title', 'author_id']);
  assert.deepEqual(
    sql<{ title: string }>('select title from library_book').map((r) => r.title),
    ['Dune'],
  );
  assert.equal(
    (await run('showmigrations', '--migrations', 'failing')).stdout,
    '[X] library/0001_initial\n[ ] library/0002_broken\n',
  );
});

test('volt migrate refuses to go back past an irreversible operation, changing nothing', async () => {
  const { run } = database();
  assert.equal((await run('migrate', '--migrations', 'irreversible')).code, 0);
  const refused = await run('migrate', 'library', 'zero', '--migrations', 'irreversible');
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr,
    'volt: Cannot unapply library/0002_backfill: its operation 1 (Run SQL: update library_author set name = trim(name)) is irreversible. Nothing was changed.\n',
  );
  assert.equal(refused.stdout, '');
  const shown = await run('showmigrations', '--migrations', 'irreversible');
  assert.equal(shown.stdout, '[X] library/0001_initial\n[X] library/0002_backfill\n');
  const planned = await run('migrate', 'library', 'zero', '--plan', '--migrations', 'irreversible');
  assert.match(
    planned.stdout,
    /Undo: Run SQL: update library_author set name = trim\(name\) \(irreversible\)/,
  );
});

test('a bad target or migrations folder is a one-line error', async () => {
  const { run } = database();
  const target = await run('migrate', 'shop');
  assert.equal(target.code, 1);
  assert.equal(target.stderr, "volt: No app 'shop' has migrations (apps with migrations: library)\n");
  const folder = await run('migrate', '--migrations', 'app.ts');
  assert.equal(folder.code, 1);
  assert.match(folder.stderr, /^volt: The migrations root .*app\.ts is a file; it should be a folder\n$/);
});

test('an unreachable database is a one-line error', async () => {
  const { code, stderr } = await volt(
    ['showmigrations', '--database', 'postgres://nobody@127.0.0.1:1/none'],
    {
      cwd: fixture,
    },
  );
  assert.equal(code, 1);
  assert.equal(
    stderr,
    'volt: Cannot use the database: PostgreSQL cannot be reached (connect ECONNREFUSED 127.0.0.1:1)\n',
  );
});

test('the migration commands have --help with examples', async () => {
  for (const [name, example] of [
    ['migrate', 'volt migrate library zero'],
    ['showmigrations', 'volt showmigrations --plan'],
    ['sqlmigrate', 'volt sqlmigrate library 0002 --backwards'],
  ] as const) {
    const { code, stdout } = await volt([name, '--help']);
    assert.equal(code, 0);
    assert.ok(stdout.includes(example), stdout);
    assert.match(stdout, /--database URL/);
  }
});

test('makemigrations then migrate: a project from its first model to a changed one and back to zero', async () => {
  // A project outside the repository that depends on volt, as an installed one does.
  const dir = project({});
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(root, join(dir, 'node_modules', 'voltjs'), 'dir');
  const db = `sqlite:${join(dir, 'app.db')}`;
  const run = (...args: string[]) => volt([...args], { cwd: dir, env: { DATABASE_URL: db } });
  const write = (book: string) =>
    writeFileSync(
      join(dir, 'app.ts'),
      `import { f, model } from 'voltjs/orm';
export const Author = model('shelf.Author', { name: f.string({ maxLength: 50 }) });
export const Tag = model('shelf.Tag', { name: f.string({ maxLength: 20, unique: true }) });
export const Book = model('shelf.Book', { ${book} });
`,
    );
  write(
    `title: f.string({ maxLength: 100 }), author: f.foreignKey('shelf.Author', { onDelete: 'cascade' }), tags: f.manyToMany('shelf.Tag')`,
  );
  const made = await run('makemigrations', '--no-input');
  assert.equal(made.code, 0, made.stderr + made.stdout);
  const first = await run('migrate');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, 'Applying shelf/0001_initial... OK\n');
  const sqlite = new DatabaseSync(join(dir, 'app.db'));
  sqlite.exec(
    `insert into shelf_author (name) values ('Ada'); insert into shelf_book (title, author_id) values ('Dune', 1)`,
  );
  sqlite.close();

  // Change the model: a wider title, a unique isbn with a default, a nullable pages.
  write(
    `title: f.string({ maxLength: 200 }), author: f.foreignKey('shelf.Author', { onDelete: 'cascade' }), tags: f.manyToMany('shelf.Tag'), isbn: f.string({ maxLength: 13, nullable: true, unique: true }), pages: f.integer({ default: 0 })`,
  );
  const again = await run('makemigrations', '--no-input');
  assert.equal(again.code, 0, again.stderr + again.stdout);
  const files = readdirSync(join(dir, 'migrations', 'shelf')).sort();
  assert.equal(files.length, 2, files.join());
  const second = await run('migrate');
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^Applying shelf\/0002_\w+\.\.\. OK\n$/);
  const check = new DatabaseSync(join(dir, 'app.db'));
  const rows = check
    .prepare('select title, author_id, isbn, pages from shelf_book')
    .all()
    .map((r) => ({ ...r }));
  const columns = check
    .prepare('pragma table_info(shelf_book)')
    .all()
    .map((c) => c.name);
  check.close();
  assert.deepEqual(rows, [{ title: 'Dune', author_id: 1, isbn: null, pages: 0 }]);
  assert.deepEqual(columns, ['id', 'title', 'author_id', 'isbn', 'pages']);
  assert.equal((await run('makemigrations', '--check')).code, 0);

  const zero = await run('migrate', 'shelf', 'zero');
  assert.equal(zero.code, 0, zero.stderr);
  assert.match(
    zero.stdout,
    /^Unapplying shelf\/0002_\w+\.\.\. OK\nUnapplying shelf\/0001_initial\.\.\. OK\n$/,
  );
  assert.equal((await run('showmigrations')).stdout.split('\n').filter((l) => l.startsWith('[ ]')).length, 2);
});

test('a database URL with a password is never printed whole: bad, unreadable or unreachable', async () => {
  const cases: Array<{ args: string[]; env?: Record<string, string>; says: RegExp }> = [
    { args: ['--database', 'mysql://root:hunter2@db.internal/app'], says: /got "mysql:\/\/db\.internal"/ },
    { args: ['--database', 'postgres://app:hunter2@[oops/app'], says: /PostgreSQL URL cannot be read/ },
    { args: ['--database', 'postgres://app:hunter2@127.0.0.1:9/app'], says: /Cannot use the database/ },
    {
      args: [],
      env: { DATABASE_URL: 'mysql://root:hunter2@db.internal/app' },
      says: /DATABASE_URL must start/,
    },
  ];
  for (const { args, env, says } of cases) {
    const result = await volt(['showmigrations', ...args], { cwd: fixture, env: env ?? {} });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, says);
    assert.ok(!`${result.stdout}${result.stderr}`.includes('hunter2'), result.stderr);
  }
});
