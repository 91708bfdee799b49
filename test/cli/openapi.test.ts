/**
 * `volt openapi`: the OpenAPI document on stdout or in a file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { helloApp, volt } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'volt-openapi-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Document {
  openapi: string;
  info: { title: string };
  paths: Record<string, unknown>;
}

test('volt openapi prints the OpenAPI 3.1 document as indented JSON', async () => {
  const { code, stdout, stderr } = await volt(['openapi', helloApp]);
  assert.equal(code, 0, stderr);
  const document = JSON.parse(stdout) as Document;
  assert.equal(document.openapi, '3.1.0');
  assert.equal(document.info.title, 'Volt hello');
  assert.ok(Object.keys(document.paths).length > 0);
  assert.match(stdout, /^\{\n {2}"openapi": "3\.1\.0"/);
});

test('volt openapi --output writes the file, creating its folder', async () => {
  const file = join(dir, 'nested', 'openapi.json');
  const { code, stdout, stderr } = await volt(['openapi', helloApp, '--output', file]);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, `Wrote the OpenAPI document to ${file}\n`);
  const printed = await volt(['openapi', helloApp]);
  assert.equal(readFileSync(file, 'utf8'), printed.stdout);
});

test('volt openapi --indent 0 prints one line', async () => {
  const { code, stdout, stderr } = await volt(['openapi', helloApp, '--indent', '0', '-o', '-']);
  assert.equal(code, 0, stderr);
  assert.equal(stdout.split('\n').length, 2);
  assert.equal((JSON.parse(stdout) as Document).openapi, '3.1.0');
});
