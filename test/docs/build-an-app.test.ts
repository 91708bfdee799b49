/**
 * The shell steps of docs/tutorial/build-an-app.md hold: `volt new tracker` writes the files the
 * tutorial lists; with the tutorial's models, `volt makemigrations` writes the migration it
 * shows, `volt migrate` applies it, the project's test passes and `volt check --deploy` finds
 * what the tutorial says. Run from source, the project's Volt linked to this repository.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { root, volt, voltInProcess } from '../cli/support.ts';

const snippets = join(root, 'docs', 'snippets', 'build-an-app', 'tracker');
const temp = mkdtempSync(join(tmpdir(), 'volt-tutorial-'));
after(() => rmSync(temp, { recursive: true, force: true }));

test('the tutorial tracker: new, makemigrations, migrate, its test, check --deploy', async () => {
  const created = await voltInProcess(['new', 'tracker'], temp);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /Created tracker \(SQLite\) in tracker: 10 files\./);
  const dir = join(temp, 'tracker');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'voltjs'), 'dir');

  // Step 2: the tutorial replaces the notes with its models.
  rmSync(join(dir, 'migrations', 'notes'), { recursive: true });
  rmSync(join(dir, 'test', 'notes.test.ts'));
  copyFileSync(join(snippets, 'models.ts'), join(dir, 'models.ts'));
  copyFileSync(join(snippets, 'app.ts'), join(dir, 'app.ts'));
  const env = { DATABASE_URL: `sqlite:${join(dir, 'data', 'app.db')}` };
  const made = await volt(['makemigrations'], { cwd: dir, env });
  assert.equal(made.code, 0, made.stderr);
  assert.equal(
    made.stdout,
    'migrations/tracker/0001_initial.ts\n  - Create model tracker.Project\n  - Create model tracker.Task\n',
  );
  const migration = join('migrations', 'tracker', '0001_initial.ts');
  assert.equal(readFileSync(join(dir, migration), 'utf8'), readFileSync(join(snippets, migration), 'utf8'));
  const migrated = await volt(['migrate'], { cwd: dir, env });
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.equal(
    migrated.stdout,
    'Applying auth/0001_initial... OK\nApplying tracker/0001_initial... OK\nCreated 28 permissions.\n',
  );

  // Step 5: the tutorial's test passes in the project.
  mkdirSync(join(dir, 'test'), { recursive: true });
  copyFileSync(join(snippets, 'test', 'tracker.test.ts'), join(dir, 'test', 'tracker.test.ts'));
  const testEnv: NodeJS.ProcessEnv = { ...process.env };
  delete testEnv.NODE_TEST_CONTEXT;
  delete testEnv.VOLT_ENV;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=volt-source', '--env-file-if-exists=.env', '--test', 'test/**/*.test.ts'],
    { cwd: dir, env: testEnv },
  );
  assert.match(stdout, /^ℹ pass 1$/m);

  // Step 6: in development, check --deploy lists what production needs, and fails.
  const ids = (text: string) =>
    [...text.matchAll(/^(security\.S\d+) \[(\w+)\]/gm)].map((m) => `${m[1]} ${m[2]}`);
  const dev = await volt(['check', '--deploy'], { cwd: dir, env: { ...env, VOLT_ENV: 'development' } });
  assert.equal(dev.code, 1);
  const output = dev.stdout + dev.stderr;
  assert.deepEqual(ids(output), [
    'security.S002 error',
    'security.S006 error',
    'security.S009 error',
    'security.S004 warning',
    'security.S005 warning',
    'security.S008 warning',
    'security.S010 warning',
    'security.S013 warning',
  ]);
  assert.match(output, /System check identified 3 errors and 5 warnings\./);

  // With the production settings the tutorial lists, it passes.
  const production = await volt(['check', '--deploy'], {
    cwd: dir,
    env: {
      ...env,
      VOLT_ENV: 'production',
      SECRET_KEY: 'k7Qz2pW9xL4mN8vB3cR6tY1uI5oP0aS7dF2gH9jK4lZ8xC3vB6nM1qW5eR0tY7uI',
      ALLOWED_HOSTS: 'tracker.example.com',
      SITE_URL: 'https://tracker.example.com',
      DOCS: 'false',
      EMAIL_BACKEND: 'smtp',
      EMAIL_URL: 'smtps://tracker:secret@mail.example.com:465',
      DEFAULT_FROM_EMAIL: 'no-reply@tracker.example.com',
    },
  });
  assert.equal(production.code, 0, production.stdout + production.stderr);
  assert.match(production.stdout + production.stderr, /System check identified no issues/);
});
