/**
 * The npm package as a user gets it: `npm pack` holds what a project needs and nothing else,
 * and a project written by the packed `volt new` installs the tarball, passes its own
 * `npm test` and typecheck, and serves `npm start` — with npm and the scaffolding on the
 * machine's own Node (older than 24 here), the project's scripts on the Node 24 it installs.
 * With VOLT_TEST_POSTGRES, the PostgreSQL variant too, on a fresh database dropped after.
 *
 * Slow (one real `npm install` from the registry): the rest of the suite runs beside it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { connect } from 'voltjs/orm';
import { testPostgresUrl } from 'voltjs/testing';

const root = join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
const temp = mkdtempSync(join(tmpdir(), 'volt-package-'));
after(() => rmSync(temp, { recursive: true, force: true }));

/**
 * The environment of a user's shell: this repository's `node_modules/.bin` (its Node 24) off the
 * PATH, so `npm` and a `#!/usr/bin/env node` script meet the machine's own Node.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of Object.keys(env))
    if (/^(npm_|NODE_TEST_CONTEXT$|NODE_OPTIONS$|VOLT_|DATABASE_URL$|PORT$|HOST$|INIT_CWD$)/i.test(key))
      delete env[key];
  Object.assign(env, extra);
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .join(delimiter);
  return env;
}

/** This repository's environment (its Node 24 first on the PATH), without the outer npm's settings. */
function repoEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (/^(npm_|NODE_TEST_CONTEXT$)/i.test(key)) delete env[key];
  return env;
}

/** The machine's `node` (the first on the user's PATH), else this one. */
async function systemNode(): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('node', ['-p', 'process.execPath'], { env: userEnv() });
    return stdout.trim();
  } catch {
    return process.execPath;
  }
}

async function sh(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = userEnv(),
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await promisify(execFile)(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`, {
      cause: error,
    });
  }
}

interface PackedFile {
  path: string;
}
let files: string[] = [];
let tarball = '';
/** The tarball unpacked, its dependencies those of this repository (the CLI imports some). */
let unpacked = '';
let node = process.execPath;

before(async () => {
  node = await systemNode();
  const packDir = join(temp, 'pack');
  mkdirSync(packDir);
  // `prepack` builds dist/ first, as `npm publish` does.
  const { stdout } = await sh('npm', ['pack', '--json', '--pack-destination', packDir], root, repoEnv());
  const [result] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [
    { filename: string; files: PackedFile[] },
  ];
  files = result.files.map((file) => file.path).sort();
  tarball = join(packDir, result.filename);
  mkdirSync(join(temp, 'unpacked'));
  await sh('tar', ['-xzf', tarball, '-C', join(temp, 'unpacked')], temp);
  unpacked = join(temp, 'unpacked', 'package');
  symlinkSync(join(root, 'node_modules'), join(unpacked, 'node_modules'), 'dir');
});

test('npm pack holds dist/, bin/, the project template, README, LICENSE and package.json only', () => {
  const allowed = [
    /^package\.json$/,
    /^README\.md$/,
    /^LICENSE$/,
    /^bin\/volt\.js$/,
    /^dist\/.+\.(js|d\.ts)$/,
    /^dist\/auth\/common-passwords\.txt$/,
    /^dist\/admin\/static\/admin\.css$/,
    /^templates\/project\/.+$/,
  ];
  const denied = [
    /^src\//,
    /^test\//,
    /^(?!templates\/).*\.test\.[jt]s$/,
    /\.map$/,
    /\.tsbuildinfo$/,
    /^(examples|docs|bench|scripts|packages|\.ci)\//,
    /node_modules/,
  ];
  for (const file of files) {
    assert.ok(
      allowed.some((pattern) => pattern.test(file)),
      `${file} is in the package but not on the allow-list`,
    );
    for (const pattern of denied) assert.doesNotMatch(file, pattern, `${file} must not be in the package`);
  }
  for (const needed of [
    'bin/volt.js',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/orm/index.js',
    'dist/auth/index.js',
    'dist/testing/index.js',
    'dist/client/index.js',
    'dist/cli/main.js',
    'dist/cli/commands/new.js',
    'dist/auth/common-passwords.txt',
    'dist/auth/migrations/auth/0001_initial.js',
    'dist/admin/index.js',
    'dist/admin/static/admin.css',
    'dist/admin/static/admin.js',
    'dist/admin/migrations/admin/0001_initial.js',
    'templates/project/package.json',
    'templates/project/_gitignore',
    'templates/project/migrations/notes/0001_initial.ts',
  ])
    assert.ok(files.includes(needed), `${needed} is missing from the package`);
});

test("the packed CLI's volt new runs on the machine's Node, and create-voltjs runs it", async () => {
  const work = join(temp, 'work');
  mkdirSync(work);
  const { stdout } = await sh(
    node,
    [join(unpacked, 'bin', 'volt.js'), 'new', 'app-sqlite', '--volt-spec', tarball],
    work,
  );
  assert.match(stdout, /Created app-sqlite \(SQLite\)/);

  // `npm create voltjs app-pg` runs create-voltjs's bin with Volt installed beside it.
  const runner = join(temp, 'runner', 'node_modules');
  mkdirSync(runner, { recursive: true });
  cpSync(join(root, 'packages', 'create-voltjs'), join(runner, 'create-voltjs'), { recursive: true });
  symlinkSync(unpacked, join(runner, manifest.name), 'dir');
  const created = await sh(
    node,
    [join(runner, 'create-voltjs', 'index.js'), 'app-pg', '--database', 'postgres', '--volt-spec', tarball],
    work,
  );
  assert.match(created.stdout, /Created app-pg \(PostgreSQL\)/);
  const dependencies = (name: string) =>
    JSON.parse(readFileSync(join(work, name, 'package.json'), 'utf8')).dependencies as Record<string, string>;
  assert.deepEqual(dependencies('app-sqlite'), { [manifest.name]: `file:${tarball}` });
  assert.deepEqual(dependencies('app-pg'), dependencies('app-sqlite'));
});

/** Runs `npm start` in `dir` on a free port; resolves with the address once it listens. */
async function start(
  dir: string,
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  // Its own process group: npm, the shell of the script and the server are stopped together.
  const child = spawn('npm', ['start'], { cwd: dir, env: userEnv({ PORT: '0', ...env }), detached: true });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start did not listen within 60 s:\n${output}`)),
      60_000,
    );
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Volt listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}) before listening:\n${output}`)));
  });
  return { url, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

/** Checks a project: its tests, its types, its migrations, and `npm start` answering. */
async function checkProject(dir: string, env: Record<string, string>): Promise<void> {
  const tests = await sh('npm', ['test'], dir, userEnv(env));
  assert.match(tests.stdout, /^ℹ pass 2$/m, tests.stdout);
  assert.match(tests.stdout, /^ℹ fail 0$/m, tests.stdout);
  await sh('npm', ['run', 'typecheck'], dir, userEnv(env));
  const check = await sh('npm', ['exec', '--', 'volt', 'makemigrations', '--check'], dir, userEnv(env));
  assert.match(check.stdout, /No changes detected/);

  const { url, child } = await start(dir, env);
  try {
    const res = await fetch(`${url}/notes`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { next: null, previous: null, results: [] });
  } finally {
    await stop(child);
  }
}

test('the SQLite project installs the tarball, passes npm test and serves npm start', {
  timeout: 600_000,
}, async () => {
  const dir = join(temp, 'work', 'app-sqlite');
  await sh('npm', ['install', '--no-audit', '--no-fund'], dir);
  const node24 = join(dir, 'node_modules', '.bin', 'node');
  assert.ok(existsSync(node24), 'the node devDependency installs its binary');
  await checkProject(dir, {});
  assert.ok(existsSync(join(dir, 'data', 'app.db')), 'npm start migrated data/app.db');
});

test('the PostgreSQL project passes npm test and serves npm start on a fresh database', async (t) => {
  const server = testPostgresUrl();
  if (!server) {
    if (process.env.CI === 'true') assert.fail('VOLT_TEST_POSTGRES is not set; CI must run this test');
    t.skip('PostgreSQL: VOLT_TEST_POSTGRES is not set');
    return;
  }
  const sqlite = join(temp, 'work', 'app-sqlite');
  const dir = join(temp, 'work', 'app-pg');
  assert.ok(existsSync(join(sqlite, 'node_modules')), 'runs after the SQLite project installed');
  // The same dependencies as the SQLite project (checked above): its install serves both.
  cpSync(join(sqlite, 'node_modules'), join(dir, 'node_modules'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  cpSync(join(sqlite, 'package-lock.json'), join(dir, 'package-lock.json'));

  const name = `volt_new_${randomBytes(4).toString('hex')}`;
  const admin = await connect(server, { max: 1 });
  t.after(async () => {
    await admin.run(`drop database if exists ${name} with (force)`);
    await admin.close();
  });
  await admin.run(`create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  await checkProject(dir, { DATABASE_URL: url.href, VOLT_TEST_POSTGRES: server });
});
