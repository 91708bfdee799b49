/**
 * `bin/volt.js`, the command npm links: in a checkout it runs the source (no build needed), and
 * an old Node gets a message instead of a stack trace.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'volt.js');

function cleanEnv(pathFilter: (dir: string) => boolean = () => true): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, VOLT_ENV: 'test' };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  env.PATH = (env.PATH ?? '').split(delimiter).filter(pathFilter).join(delimiter);
  return env;
}

async function run(node: string, args: string[], env = cleanEnv()) {
  try {
    const { stdout, stderr } = await promisify(execFile)(node, [bin, ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

test('in a checkout, bin/volt.js runs the source: an app importing the package loads src/', async () => {
  // No --conditions flag: the bin adds the volt-source condition itself (a fresh clone has no dist/).
  const routes = await run(process.execPath, ['routes', 'examples/hello', '--json']);
  assert.equal(routes.code, 0, routes.stderr);
  assert.ok((JSON.parse(routes.stdout) as { path: string }[]).some((route) => route.path === '/json'));
  const version = await run(process.execPath, ['--version']);
  const { version: expected } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  assert.equal(version.stdout, `${expected}\n`);
});

test('an old Node gets a one-line reason and what to do, not a stack trace', async (t) => {
  // The machine's own node (this repository's node_modules/.bin off the PATH).
  const env = cleanEnv((dir) => !dir.includes('node_modules'));
  let node: string;
  try {
    node = (await promisify(execFile)('node', ['-p', 'process.execPath'], { env })).stdout.trim();
  } catch {
    t.skip('no node on the PATH besides this repository’s');
    return;
  }
  const { stdout: version } = await promisify(execFile)(node, ['-p', 'process.versions.node'], { env });
  const [major, minor] = version.trim().split('.').map(Number) as [number, number];
  if (major > 22 || (major === 22 && minor >= 18)) {
    t.skip(`the machine's Node is ${version.trim()}, new enough`);
    return;
  }
  const started = await run(node, ['start'], env);
  assert.equal(started.code, 1);
  assert.match(
    started.stderr,
    new RegExp(
      `^volt: 'volt start' needs Node 22\\.18 or newer; this is Node ${version.trim().replaceAll('.', '\\.')}\\.\n`,
    ),
  );
  assert.match(started.stderr, /npx volt/);
  assert.doesNotMatch(started.stderr, /^\s+at /m);
});
