/**
 * One catalogue of error codes: every code in the source is in it, the docs page lists it as it
 * is, and every problem Volt answers carries a code of it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { currentPage, ERRORS_PAGE } from '../scripts/error-codes.ts';
import { ERROR_CODES } from '../src/codes.ts';
import { codeOfStatus, HttpError } from '../src/http/errors.ts';
import { t } from '../src/openapi/t.ts';
import { testClient } from '../src/testing/index.ts';
import { quietApp } from './http/support.ts';

const src = join(import.meta.dirname, '..', 'src');

/** Environment variables that share the prefix; they are not error codes. */
const VARIABLES = /^VOLT_(ENV|TEST_[A-Z]+|SUPERUSER_[A-Z]*)$/;

test('every VOLT_ code in src is in the catalogue', () => {
  const missing = new Set<string>();
  for (const name of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!name.endsWith('.ts') || name === 'codes.ts') continue;
    for (const [code] of readFileSync(join(src, name), 'utf8').matchAll(/\bVOLT_[A-Z_]+/g)) {
      // A prefix (`'VOLT_ORM_'`) or a variable is not a code.
      if (code.endsWith('_') || VARIABLES.test(code)) continue;
      if (!Object.hasOwn(ERROR_CODES, code)) missing.add(`${code} (src/${name})`);
    }
  }
  assert.deepEqual([...missing], [], 'add these to src/codes.ts, then run npm run docs:errors');
});

test('the code of every standard status is in the catalogue', () => {
  for (let status = 400; status <= 599; status++)
    assert.ok(Object.hasOwn(ERROR_CODES, codeOfStatus(status)), `${status}: ${codeOfStatus(status)}`);
});

test('codes are VOLT_<AREA>_<NAME>, and each has a meaning', () => {
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    assert.match(code, /^VOLT_[A-Z]+(_[A-Z]+)*$/);
    assert.ok(info.meaning.length > 10, code);
  }
});

test('docs/reference/errors.md lists the catalogue as it is (npm run docs:errors)', () => {
  const page = readFileSync(ERRORS_PAGE, 'utf8');
  assert.equal(page, currentPage(page));
  for (const code of Object.keys(ERROR_CODES)) assert.ok(page.includes(`| \`${code}\` |`), code);
});

test('problems answered by Volt carry a catalogued code', async () => {
  const app = quietApp();
  app.post('/items', { body: t.Object({ name: t.String() }) }, (ctx) => ctx.body);
  app.get('/gone', () => {
    throw new HttpError(410);
  });
  app.get('/custom', () => {
    throw new HttpError(409, { code: 'SHOP_OUT_OF_STOCK' });
  });
  const client = testClient(app);
  const codeOf = async (res: Promise<{ json<T>(): T }>) => (await res).json<{ code: string }>().code;

  assert.equal(await codeOf(client.post('/items', { json: {} })), 'VOLT_HTTP_VALIDATION');
  assert.equal(
    await codeOf(client.post('/items', { body: 'name=x', headers: { 'content-type': 'text/csv' } })),
    'VOLT_HTTP_UNSUPPORTED_MEDIA_TYPE',
  );
  assert.equal(
    await codeOf(client.post('/items', { body: '{', headers: { 'content-type': 'application/json' } })),
    'VOLT_HTTP_INVALID_JSON',
  );
  assert.equal(await codeOf(client.get('/nowhere')), 'VOLT_HTTP_NOT_FOUND');
  assert.equal(await codeOf(client.delete('/items')), 'VOLT_HTTP_METHOD_NOT_ALLOWED');
  assert.equal(await codeOf(client.get('/gone')), 'VOLT_HTTP_GONE');
  // An app's own code is sent as it is.
  assert.equal(await codeOf(client.get('/custom')), 'SHOP_OUT_OF_STOCK');
});
