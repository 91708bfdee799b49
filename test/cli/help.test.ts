/**
 * `volt --help`, `--version` and the usage errors: exit 2, one line naming the bad word.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { closest } from '../../src/http/suggestion.ts';
import { root, STACK_LINE, volt, voltInProcess } from './support.ts';

test('volt --help lists every command and exits 0', async () => {
  const { code, stdout, stderr } = await volt(['--help']);
  assert.equal(code, 0, stderr);
  for (const command of ['start', 'dev', 'routes', 'openapi'])
    assert.match(stdout, new RegExp(`^  ${command} `, 'm'));
  assert.match(stdout, /Usage: volt <command>/);
});

test('volt <command> --help and volt help <command> describe the command and its flags', async () => {
  const viaFlag = await voltInProcess(['openapi', '--help']);
  assert.equal(viaFlag.code, 0, viaFlag.stderr);
  assert.match(viaFlag.stdout, /Usage: volt openapi \[app\] \[options\]/);
  assert.match(viaFlag.stdout, /-o, --output FILE/);
  assert.match(viaFlag.stdout, /--indent N/);
  const viaHelp = await voltInProcess(['help', 'openapi']);
  assert.equal(viaHelp.stdout, viaFlag.stdout);
  const start = await voltInProcess(['start', '-h']);
  assert.match(start.stdout, /--host HOST/);
  assert.match(start.stdout, /-p, --port PORT/);
});

test('volt --version prints the package version', async () => {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const { code, stdout } = await volt(['--version']);
  assert.equal(code, 0);
  assert.equal(stdout, `${version}\n`);
});

test('volt with no command prints the usage to stderr and exits 2', async () => {
  const { code, stdout, stderr } = await voltInProcess([]);
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.match(stderr, /Usage: volt <command>/);
});

test('an unknown command exits 2 with one line naming it', async () => {
  const { code, stdout, stderr } = await volt(['frobnicate']);
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.equal(stderr, "volt: Unknown command 'frobnicate'. Run 'volt --help'.\n");
});

test('a mistyped command gets the closest command suggested', async () => {
  const { code, stderr } = await voltInProcess(['strat']);
  assert.equal(code, 2);
  assert.equal(stderr, "volt: Unknown command 'strat'. Did you mean 'start'? Run 'volt --help'.\n");
});

test("an unknown flag exits 2, names the flag and suggests the command's closest", async () => {
  const typo = await volt(['routes', '--jsn']);
  assert.equal(typo.code, 2);
  assert.equal(
    typo.stderr,
    "volt: Unknown option '--jsn' for 'volt routes'. Did you mean '--json'? Run 'volt routes --help'.\n",
  );
  const unknown = await voltInProcess(['start', '--verbose']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown option '--verbose' for 'volt start'\. Run 'volt start --help'\.\n$/);
  const global = await voltInProcess(['--port', '3000', 'start']);
  assert.equal(global.code, 2);
  assert.match(global.stderr, /Unknown option '--port'.*Run 'volt --help'\./);
});

test('bad flag values and extra arguments exit 2 without a stack trace', async () => {
  for (const [args, message] of [
    [['start', '--port', 'eighty'], /--port must be a whole number from 0 to 65535, got 'eighty'/],
    [['start', '--port'], /--port <value>' argument missing/],
    [['openapi', '--indent', 'wide'], /--indent must be a whole number/],
    [['routes', 'a.ts', 'b.ts'], /Unexpected argument 'b\.ts' for 'volt routes'/],
  ] as const) {
    const { code, stderr } = await voltInProcess([...args]);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, message);
    assert.match(stderr, /Run 'volt \w+ --help'\.\n$/);
    assert.doesNotMatch(stderr, STACK_LINE);
  }
});

test('closest() suggests only likely typos', () => {
  const commands = ['start', 'dev', 'routes', 'openapi'];
  assert.equal(closest('strat', commands), 'start');
  assert.equal(closest('route', commands), 'routes');
  assert.equal(closest('opnapi', commands), 'openapi');
  assert.equal(closest('DEV', commands), 'dev');
  assert.equal(closest('op', commands), 'openapi');
  assert.equal(closest('migrate', commands), undefined);
  assert.equal(closest('x', commands), undefined);
});
