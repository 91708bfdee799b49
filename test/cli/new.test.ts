/**
 * `volt new`: the files it writes, what it refuses, and that the project it writes passes its
 * own test and `makemigrations --check` — run here from source, with the project's Volt
 * dependency linked to this repository (test/package/ checks the same from the packed tarball).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { packageNameProblem } from '../../src/cli/commands/new.ts';
import { testPostgresUrl } from '../../src/testing/database.ts';
import { root, STACK_LINE, volt, voltInProcess } from './support.ts';

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};
const temp = mkdtempSync(join(tmpdir(), 'volt-new-'));
after(() => rmSync(temp, { recursive: true, force: true }));

let count = 0;
/** A fresh working directory. */
function workdir(): string {
  const dir = join(temp, `w${++count}`);
  mkdirSync(dir);
  return dir;
}

/** The files under `dir`, relative and `/`-separated, sorted. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

const EXPECTED_FILES = [
  '.env',
  '.env.example',
  '.gitignore',
  'README.md',
  'app.ts',
  'migrations/notes/0001_initial.ts',
  'models.ts',
  'package.json',
  'test/notes.test.ts',
  'tsconfig.json',
];

test('volt new writes a project that depends on Volt as a package', async () => {
  const cwd = workdir();
  const { code, stdout, stderr } = await voltInProcess(['new', 'my-app'], cwd);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /Created my-app \(SQLite\) in my-app/);
  assert.match(stdout, /cd my-app\n {2}npm install\n {2}npm start/);
  const dir = join(cwd, 'my-app');
  assert.deepEqual(files(dir), EXPECTED_FILES);
  for (const file of EXPECTED_FILES)
    assert.doesNotMatch(
      readFileSync(join(dir, file), 'utf8'),
      /\{\{|\}\}/,
      `${file} has a template key left`,
    );

  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'my-app');
  assert.equal(pkg.type, 'module');
  assert.deepEqual(pkg.dependencies, { [manifest.name]: `^${manifest.version}` });
  assert.equal(pkg.devDependencies.node, manifest.devDependencies.node);
  assert.equal(pkg.devDependencies.typescript, manifest.devDependencies.typescript);
  assert.equal(pkg.devDependencies['@types/node'], manifest.devDependencies['@types/node']);
  // Node's install script runs (it puts the Node 24 binary in place); those Volt denies stay denied.
  const denied = Object.entries(manifest.allowScripts).filter(([, allowed]) => !allowed);
  assert.deepEqual(pkg.allowScripts, { node: true, ...Object.fromEntries(denied) });
  assert.match(pkg.engines.node, /^>=24\./);
  for (const script of ['start', 'dev', 'test', 'migrate', 'makemigrations', 'createsuperuser', 'typecheck'])
    assert.equal(typeof pkg.scripts[script], 'string', `script ${script}`);

  // The package's name is the import specifier everywhere (so a rename of Volt follows).
  const app = readFileSync(join(dir, 'app.ts'), 'utf8');
  assert.match(app, new RegExp(`from '${manifest.name}';`));
  assert.match(app, new RegExp(`from '${manifest.name}/crud';`));
  assert.match(readFileSync(join(dir, 'models.ts'), 'utf8'), new RegExp(`from '${manifest.name}/orm';`));
  assert.match(readFileSync(join(dir, '.env'), 'utf8'), /^DATABASE_URL=sqlite:\.\/data\/app\.db$/m);
  assert.match(
    readFileSync(join(dir, 'test/notes.test.ts'), 'utf8'),
    /testDatabase\(\{ dialect: 'sqlite' \}\)/,
  );
  assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /^\.env$/m);
  assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /npm install\nnpm start\n/);
});

test('volt new --database postgres writes the PostgreSQL variant', async () => {
  const cwd = workdir();
  const { code, stdout, stderr } = await voltInProcess(['new', 'shop.api', '--database', 'postgres'], cwd);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /\(PostgreSQL\)/);
  assert.match(stdout, /createdb shop_api/);
  const dir = join(cwd, 'shop.api');
  const env = readFileSync(join(dir, '.env.example'), 'utf8');
  assert.match(env, /^DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:5432\/shop_api$/m);
  assert.match(env, /^VOLT_TEST_POSTGRES=postgres:\/\//m);
  assert.match(
    readFileSync(join(dir, 'test/notes.test.ts'), 'utf8'),
    /testDatabase\(\{ dialect: 'postgres' \}\)/,
  );
  assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /createdb shop_api/);
});

test('volt new --volt-spec sets the dependency: a path becomes an absolute file: spec', async () => {
  const cwd = workdir();
  writeFileSync(join(cwd, 'volt-9.9.9.tgz'), '');
  const local = await voltInProcess(['new', 'a', '--volt-spec', './volt-9.9.9.tgz'], cwd);
  assert.equal(local.code, 0, local.stderr);
  const a = JSON.parse(readFileSync(join(cwd, 'a', 'package.json'), 'utf8'));
  assert.equal(a.dependencies[manifest.name], `file:${join(cwd, 'volt-9.9.9.tgz')}`);

  const range = await voltInProcess(['new', 'b', '--volt-spec', '~0.1.2'], cwd);
  assert.equal(range.code, 0, range.stderr);
  const b = JSON.parse(readFileSync(join(cwd, 'b', 'package.json'), 'utf8'));
  assert.equal(b.dependencies[manifest.name], '~0.1.2');
});

test('volt new refuses a folder that is not empty, unless --force', async () => {
  const cwd = workdir();
  mkdirSync(join(cwd, 'taken'));
  writeFileSync(join(cwd, 'taken', 'notes.txt'), 'mine');
  writeFileSync(join(cwd, 'taken', '.env'), 'SECRET_KEY=mine\n');
  const refused = await voltInProcess(['new', 'taken'], cwd);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr,
    'volt: The folder taken is not empty. Pick a new folder, or add --force to write the project ' +
      "into it (its files with the template's names are replaced)\n",
  );
  assert.deepEqual(readdirSync(join(cwd, 'taken')).sort(), ['.env', 'notes.txt']);

  const forced = await voltInProcess(['new', 'taken', '--force'], cwd);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(readFileSync(join(cwd, 'taken', 'notes.txt'), 'utf8'), 'mine');
  assert.equal(
    readFileSync(join(cwd, 'taken', '.env'), 'utf8'),
    'SECRET_KEY=mine\n',
    'an existing .env is kept',
  );
  assert.ok(readdirSync(join(cwd, 'taken')).includes('package.json'));

  // A folder with only .git (a fresh clone of an empty repository) counts as empty.
  mkdirSync(join(cwd, 'cloned', '.git'), { recursive: true });
  const cloned = await voltInProcess(['new', '.'], join(cwd, 'cloned'));
  assert.equal(cloned.code, 0, cloned.stderr);
  assert.doesNotMatch(cloned.stdout, /cd /);
  assert.equal(JSON.parse(readFileSync(join(cwd, 'cloned', 'package.json'), 'utf8')).name, 'cloned');
});

test('volt new explains a bad project name, a bad database and a missing folder', async () => {
  const cwd = workdir();
  const upper = await voltInProcess(['new', 'My-App'], cwd);
  assert.equal(upper.code, 1);
  assert.equal(
    upper.stderr,
    "volt: 'My-App' cannot be the project's name (the folder's name, used as the npm package name): " +
      "it has capital letters. Use lower-case letters, digits and -, e.g. 'my-app'\n",
  );
  assert.deepEqual(readdirSync(cwd), []);

  const database = await voltInProcess(['new', 'x', '--database', 'mysql'], cwd);
  assert.equal(database.code, 2);
  assert.equal(
    database.stderr,
    "volt: --database must be one of sqlite, postgres, got 'mysql'. Run 'volt new --help'.\n",
  );

  const missing = await voltInProcess(['new'], cwd);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^volt: Name the project's folder, e.g. 'volt new my-app'/);
  for (const result of [upper, database, missing]) assert.doesNotMatch(result.stderr, STACK_LINE);
  assert.deepEqual(readdirSync(cwd), []);
});

test("project names follow npm's rules for new packages", () => {
  for (const good of ['my-app', 'app2', 'a.b', 'x_y', 'a'.repeat(214)])
    assert.equal(packageNameProblem(good), undefined);
  const problems: [string, RegExp][] = [
    ['', /empty/],
    ['a'.repeat(215), /214/],
    ['.hidden', /starts with '\.'/],
    ['_private', /starts with '_'/],
    ['MyApp', /capital/],
    ['my app', /characters/],
    ['caf\u00e9', /characters/],
    ['wow!', /characters/],
    ['node_modules', /reserved/],
    ['favicon.ico', /reserved/],
    ['http', /built-in/],
  ];
  for (const [name, problem] of problems) assert.match(packageNameProblem(name) ?? '', problem, name);
});

test('volt --help lists new', async () => {
  const { stdout } = await voltInProcess(['--help']);
  assert.match(stdout, /^ {2}new +Write a new project into a folder$/m);
});

/** Writes a project with `args` and links its Volt dependency to this repository. */
async function linkedProject(name: string, args: string[] = []): Promise<string> {
  const cwd = workdir();
  const { code, stderr } = await voltInProcess(['new', name, ...args], cwd);
  assert.equal(code, 0, stderr);
  const dir = join(cwd, name);
  // The project's Volt dependency, resolved to this repository (and with the volt-source
  // condition to its TypeScript source, as an installed package resolves to dist/).
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', manifest.name), 'dir');
  return dir;
}

/** Runs the project's tests as its `npm test` does, from source. */
async function projectTests(dir: string, extra: Record<string, string> = {}): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  delete env.VOLT_ENV;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=volt-source', '--env-file-if-exists=.env', '--test', 'test/**/*.test.ts'],
    { cwd: dir, env },
  );
  return stdout;
}

test('the new project passes its own test and makemigrations --check (from source)', async () => {
  const dir = await linkedProject('checked');
  const check = await volt(['makemigrations', '--check'], { cwd: dir });
  assert.equal(check.code, 0, check.stderr + check.stdout);
  assert.equal(check.stdout, 'No changes detected\n');
  const stdout = await projectTests(dir);
  assert.match(stdout, /^ℹ pass 2$/m);
  assert.match(stdout, /^ℹ fail 0$/m);
});

test('the PostgreSQL project passes its own test on VOLT_TEST_POSTGRES (from source)', async (t) => {
  const server = testPostgresUrl();
  if (!server) {
    if (process.env.CI === 'true') assert.fail('VOLT_TEST_POSTGRES is not set; CI must run this test');
    t.skip('PostgreSQL: VOLT_TEST_POSTGRES is not set');
    return;
  }
  const dir = await linkedProject('checked-pg', ['--database', 'postgres']);
  const stdout = await projectTests(dir, { VOLT_TEST_POSTGRES: server });
  assert.match(stdout, /^ℹ pass 2$/m);
  assert.match(stdout, /^ℹ fail 0$/m);
});
