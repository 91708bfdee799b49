/**
 * Volt finds the files it ships from the package's entry, not from a module's own URL (which,
 * in the bundled build, is its chunk's): from this repository's source, `src/`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ownFile, ownModule } from '../../src/http/own-files.ts';

const root = join(import.meta.dirname, '..', '..');

test("Volt's own files resolve from the folder of its entry module: src/ from source", () => {
  assert.equal(
    fileURLToPath(ownFile('auth/common-passwords.txt')),
    join(root, 'src', 'auth', 'common-passwords.txt'),
  );
  assert.ok(existsSync(ownFile('auth/migrations/auth/')));
  assert.equal(fileURLToPath(ownFile('../package.json')), join(root, 'package.json'));
  assert.ok(existsSync(ownFile('../templates/project/')));
});

test("a module of Volt's by its path without extension: the extension of the running build", () => {
  assert.equal(fileURLToPath(ownModule('cli/main')), join(root, 'src', 'cli', 'main.ts'));
});
