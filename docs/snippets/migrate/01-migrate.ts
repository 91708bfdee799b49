import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `volt <args>` in the project folder (app.ts, migrations/library/*.ts), on a fresh SQLite file.
const project = join(import.meta.dirname, 'project');
const data = mkdtempSync(join(tmpdir(), 'volt-migrate-'));
const env = { ...process.env, DATABASE_URL: `sqlite:${join(data, 'app.db')}` };
const cli = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
const volt = (...args: string[]) =>
  execFileSync(process.execPath, ['--conditions=volt-source', cli, ...args], {
    cwd: project,
    env,
    encoding: 'utf8',
  });

try {
  // What would run, then run it: each migration in one transaction with its record.
  assert.match(
    volt('migrate', '--plan'),
    /Apply library\/0002_add_book_isbn\n {4}Add field isbn to library\.Book/,
  );
  assert.equal(
    volt('migrate'),
    'Applying library/0001_initial... OK\nApplying library/0002_add_book_isbn... OK\n',
  );
  assert.equal(volt('showmigrations'), '[X] library/0001_initial\n[X] library/0002_add_book_isbn\n');

  // The SQL of a migration, printed and not run (here SQLite's; PostgreSQL's with a postgres:// URL).
  assert.match(
    volt('sqlmigrate', 'library', '0002'),
    /^alter table "library_book" add column "isbn" TEXT not null default '';$/m,
  );

  // Back to a migration: the later ones are undone, newest first.
  assert.equal(volt('migrate', 'library', '0001_initial'), 'Unapplying library/0002_add_book_isbn... OK\n');
  assert.equal(volt('showmigrations'), '[X] library/0001_initial\n[ ] library/0002_add_book_isbn\n');

  // Back to before the first migration of the app.
  assert.equal(volt('migrate', 'library', 'zero'), 'Unapplying library/0001_initial... OK\n');
} finally {
  rmSync(data, { recursive: true, force: true });
}
