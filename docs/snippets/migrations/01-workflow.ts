import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'volt/orm';

// `volt <args>` in the project folder (app.ts, migrations/library/*.ts), on a fresh SQLite file.
const project = join(import.meta.dirname, 'project');
const data = mkdtempSync(join(tmpdir(), 'volt-migrations-'));
const url = `sqlite:${join(data, 'app.db')}`;
const cli = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
const volt = (...args: string[]) =>
  execFileSync(process.execPath, ['--conditions=volt-source', cli, ...args], {
    cwd: project,
    env: { ...process.env, DATABASE_URL: url, CI: 'true' },
    encoding: 'utf8',
  });

try {
  // The migrations describe the models exactly: what CI checks.
  assert.equal(volt('makemigrations', '--check'), 'No changes detected\n');

  // Apply up to the rename, add a book, then apply the rest: the data step fills its slug in.
  volt('migrate', 'library', '0002_rename_book_title_name');
  const db = await connect(url);
  await db.run('insert into library_author (name) values (?)', ['Ursula K. Le Guin']);
  await db.run('insert into library_book (name, author_id) values (?, 1)', ['The Dispossessed']);
  volt('migrate');
  assert.deepEqual(await db.all('select name, slug from library_book'), [
    { name: 'The Dispossessed', slug: 'the-dispossessed' },
  ]);
  await db.close();
} finally {
  rmSync(data, { recursive: true, force: true });
}
