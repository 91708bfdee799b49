import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { volt } from 'voltjs';

// run(…): `volt <args>` in the project folder (app.ts, migrations/library/*.ts), on a fresh SQLite file.
const project = join(import.meta.dirname, 'project');
const data = mkdtempSync(join(tmpdir(), 'volt-migrations-'));
const url = `sqlite:${join(data, 'app.db')}`;
const cli = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
const run = (...args: string[]) =>
  execFileSync(process.execPath, ['--conditions=volt-source', cli, ...args], {
    cwd: project,
    env: { ...process.env, DATABASE_URL: url, CI: 'true' },
    encoding: 'utf8',
  });

try {
  // The migrations describe the models exactly: what CI checks.
  assert.equal(run('makemigrations', '--check'), 'No changes detected\n');

  // Apply up to the rename, add a book, then apply the rest: the data step fills its slug in.
  run('migrate', 'library', '0002_rename_book_title_name');
  const app = volt({ database: url, logger: false }); // an app on the same database
  await app.ready();
  const db = app.db;
  await db.run('insert into library_author (name) values (?)', ['Ursula K. Le Guin']);
  await db.run('insert into library_book (name, author_id) values (?, 1)', ['The Dispossessed']);
  run('migrate');
  assert.deepEqual(await db.all('select name, slug from library_book'), [
    { name: 'The Dispossessed', slug: 'the-dispossessed' },
  ]);
  await app.close();
} finally {
  rmSync(data, { recursive: true, force: true });
}
