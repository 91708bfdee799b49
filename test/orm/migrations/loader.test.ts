/**
 * loadMigrations: files under `<root>/<app>/`, their default exports, and the errors for
 * files that cannot be migrations.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadMigrations, MigrationLoadError } from '../../../src/orm/migrations/loader.ts';

const base = mkdtempSync(join(tmpdir(), 'volt-loader-'));
after(() => rmSync(base, { recursive: true, force: true }));
let count = 0;

/** A migrations root holding `files` (path under the root → source). */
function root(files: Record<string, string>): string {
  const dir = join(base, String(++count));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  return dir;
}

const EMPTY = 'export default { dependencies: [], operations: [] };\n';

test('loads every app folder and migration file, with id, app, name and file', async () => {
  const dir = root({
    'library/0001_initial.ts': EMPTY,
    'library/0002_add_isbn.ts':
      "export default { dependencies: ['library/0001_initial'], operations: [] };\n",
    'shop/0001_initial.js': EMPTY,
  });
  const loaded = await loadMigrations(dir);
  assert.deepEqual(
    loaded.map((m) => [m.id, m.app, m.name, m.file]),
    [
      ['library/0001_initial', 'library', '0001_initial', join(dir, 'library/0001_initial.ts')],
      ['library/0002_add_isbn', 'library', '0002_add_isbn', join(dir, 'library/0002_add_isbn.ts')],
      ['shop/0001_initial', 'shop', '0001_initial', join(dir, 'shop/0001_initial.js')],
    ],
  );
  assert.deepEqual(loaded[1]!.dependencies, ['library/0001_initial']);
});

test('a missing root is no migrations; helper files and declarations are skipped', async () => {
  assert.deepEqual(await loadMigrations(join(base, 'nowhere')), []);
  const dir = root({
    'library/0001_initial.ts': EMPTY,
    'library/_helpers.ts': 'export const x = 1;\n',
    'library/types.d.ts': 'export type X = 1;\n',
    'library/README.md': '# notes\n',
  });
  assert.deepEqual(
    (await loadMigrations(dir)).map((m) => m.id),
    ['library/0001_initial'],
  );
});

test('a file named unlike a migration is an error naming the expected pattern', async () => {
  const dir = root({ 'library/add_isbn.ts': EMPTY });
  await assert.rejects(loadMigrations(dir), (error: Error) => {
    assert.ok(error instanceof MigrationLoadError);
    assert.match(error.message, /add_isbn\.ts: a migration file is named '<NNNN>_<name>\.ts'/);
    return true;
  });
});

test('an app folder that is not an app label is an error', async () => {
  const dir = root({ 'Library/0001_initial.ts': EMPTY });
  await assert.rejects(loadMigrations(dir), /'Library' is not an app label/);
});

test('a file without a migration default export is an error saying what to write', async () => {
  const none = root({ 'library/0001_initial.ts': 'export const operations = [];\n' });
  await assert.rejects(
    loadMigrations(none),
    /does not export a migration \(it has no default export\); write `export default migration\(/,
  );
  const wrong = root({ 'library/0001_initial.ts': 'export default 42;\n' });
  await assert.rejects(loadMigrations(wrong), /its default export is not one/);
});

test('a file that fails to import is an error naming the file and the cause', async () => {
  const dir = root({ 'library/0001_initial.ts': "throw new Error('boom');\n" });
  await assert.rejects(loadMigrations(dir), (error: Error) => {
    assert.ok(error instanceof MigrationLoadError);
    assert.match(error.message, /0001_initial\.ts could not be imported: boom/);
    assert.ok(error.cause instanceof Error);
    return true;
  });
});

test('a malformed dependency or operation is an error naming it', async () => {
  const dependency = root({
    'library/0001_initial.ts': "export default { dependencies: ['0001_initial'], operations: [] };\n",
  });
  await assert.rejects(loadMigrations(dependency), /the dependency "0001_initial" is not a migration id/);
  const self = root({
    'library/0001_initial.ts': "export default { dependencies: ['library/0001_initial'], operations: [] };\n",
  });
  await assert.rejects(loadMigrations(self), /library\/0001_initial depends on itself/);
  const operation = root({ 'library/0001_initial.ts': "export default { operations: ['add isbn'] };\n" });
  await assert.rejects(
    loadMigrations(operation),
    /operation 1 is not an operation; build operations with op/,
  );
});

test('two files with one migration name (.ts and .js) are an error', async () => {
  const dir = root({ 'library/0001_initial.ts': EMPTY, 'library/0001_initial.js': EMPTY });
  await assert.rejects(loadMigrations(dir), /are both the migration library\/0001_initial/);
});

test("a packaged app whose folder lacks the app's folder is an error naming the folder", async () => {
  const packagedRoot = root({ 'other/0001_initial.ts': EMPTY });
  await assert.rejects(
    loadMigrations(root({}), { packaged: [{ app: 'extra', folder: packagedRoot }] }),
    (error: Error) => {
      assert.ok(error instanceof MigrationLoadError);
      assert.match(error.message, /The packaged app 'extra' has no migrations folder .*extra/);
      return true;
    },
  );
});
