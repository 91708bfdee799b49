/**
 * How the CLI finds the app module, and the messages when it cannot: exit 1, no stack trace.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { helloApp, STACK_LINE, volt, voltInProcess } from './support.ts';

const empty = mkdtempSync(join(tmpdir(), 'volt-cli-'));
after(() => rmSync(empty, { recursive: true, force: true }));

test('a missing app module exits 1 and names the file', async () => {
  const { code, stdout, stderr } = await voltInProcess(['routes', 'nowhere/app.ts']);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.equal(stderr, 'volt: Cannot find the app module nowhere/app.ts\n');
});

test('without an argument, app.ts in the working directory is used, and its absence explained', async () => {
  const { code, stderr } = await voltInProcess(['routes'], empty);
  assert.equal(code, 1);
  assert.match(stderr, /Cannot find the app module app\.ts; pass the app module's path/);
  assert.match(stderr, /"volt": \{ "app": "src\/app\.ts" \} in package\.json/);
});

test('"volt": { "app" } in package.json names the app module', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'volt-cli-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', volt: { app: helloApp } }));
    const found = await volt(['routes', '--json'], { cwd: dir });
    assert.equal(found.code, 0, found.stderr);
    assert.ok((JSON.parse(found.stdout) as unknown[]).length > 0);

    // Other "volt" settings without an app fall back to app.ts, like no "volt" at all.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ volt: { migrations: 'db/migrations' } }));
    const fallback = await voltInProcess(['routes'], dir);
    assert.equal(fallback.code, 1);
    assert.match(fallback.stderr, /Cannot find the app module app\.ts; pass the app module's path/);

    writeFileSync(join(dir, 'package.json'), JSON.stringify({ volt: { app: 'src/missing.ts' } }));
    const missing = await voltInProcess(['routes'], dir);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      'volt: Cannot find the app module src/missing.ts (from "volt.app" in package.json)\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a directory stands for the app.ts inside it', async () => {
  const { code, stdout, stderr } = await volt(['routes', 'examples/hello']);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /\/users\/:id/);
});

test('a module without a Volt app exits 1 and says what to export', async () => {
  const { code, stderr } = await voltInProcess(['routes', 'test/cli/fixtures/not-an-app.ts']);
  assert.equal(code, 1);
  assert.equal(
    stderr,
    'volt: test/cli/fixtures/not-an-app.ts exports no Volt app (it exports handler, settings); ' +
      'add `export default app` or `export const app = volt()`\n',
  );
});

test('invalid settings exit 1 with the settings message and no stack trace', async () => {
  const { code, stdout, stderr } = await volt(['start', helloApp], { env: { PORT: 'eighty' } });
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.equal(
    stderr,
    'volt: Invalid settings:\n  - PORT must be a whole number from 0 to 65535, got "eighty"\n',
  );
  assert.doesNotMatch(stderr, STACK_LINE);
});

test('a mistake Volt names while the app module loads exits 1 with its message and where the project made it', async () => {
  const { code, stderr } = await voltInProcess(['routes', 'test/cli/fixtures/bad-field/app.ts']);
  assert.equal(code, 1);
  assert.equal(
    stderr,
    "volt: test/cli/fixtures/bad-field/app.ts failed to load: f.decimal() has no option 'maxDigits'; did you mean 'digits'?\n" +
      '  at test/cli/fixtures/bad-field/models.ts:5:13\n',
  );
});
