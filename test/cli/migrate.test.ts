/**
 * The migration commands' project: loadProject finds the models, the migrations folder and
 * the database; `volt migrate`, `volt showmigrations` and `volt sqlmigrate` end to end.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { absoluteDatabaseUrl, loadProject } from '../../src/cli/project.ts';
import { root } from './support.ts';

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
