/**
 * URLs in messages (errors, `volt check`, the CLI) never show a password: `maskUrls()` finds
 * each URL in free text and shows a URL with a user, a password or a query as its scheme and
 * host only, whatever characters the password holds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskUrl, maskUrls } from '../../src/http/mask-url.ts';

/** `shown` holds none of `secrets`. */
function hides(shown: string, ...secrets: string[]): void {
  for (const secret of secrets) assert.ok(!shown.includes(secret), `"${secret}" is visible in: ${shown}`);
}

test('a password holding a quote, valid unencoded in a URL (pg accepts it), is hidden', () => {
  for (const url of [
    "postgres://app:s3'cret@db.example.com:5432/app",
    'postgres://app:s3"cret@db.example.com:5432/app',
    'postgres://app:s3`cret@db.example.com:5432/app',
    'postgres://app:s3<cr>et@db.example.com:5432/app',
  ]) {
    const shown = maskUrls(`Cannot connect to ${url}: timeout`);
    hides(shown, 's3', 'cret', 'et@');
    assert.equal(shown, 'Cannot connect to postgres://db.example.com:5432 timeout');
  }
});

test('the whole user info goes, up to the last @ of the authority', () => {
  assert.equal(maskUrls('redis://:p@ss@cache:6379/0 is down'), 'redis://cache:6379 is down');
  assert.equal(maskUrls('postgres://a@b:c@d@db/app'), 'postgres://db');
  hides(maskUrls('postgres://app:p%40ss@db/app'), 'p%40ss');
});

test('IPv6 hosts are kept whole', () => {
  assert.equal(maskUrls('postgres://app:pw@[::1]:5432/app failed'), 'postgres://[::1]:5432 failed');
  assert.equal(maskUrls('see http://[2001:db8::1]:8080/docs'), 'see http://[2001:db8::1]:8080/docs');
});

test('every URL of a text is masked, and the text around them is kept', () => {
  const text =
    'primary "postgres://app:one@db1/app", replica (postgres://app:two@db2/app) and cache redis://:three@cache:6379.';
  const shown = maskUrls(text);
  hides(shown, 'one', 'two', 'three');
  assert.equal(shown, 'primary "postgres://db1 replica (postgres://db2 and cache redis://cache:6379.');
});

test('a URL quoted with no path keeps its closing quote', () => {
  assert.equal(
    maskUrls(`DATABASE_URL='postgres://app:pw@db' is wrong`),
    `DATABASE_URL='postgres://db' is wrong`,
  );
});

test('a password holding an unencoded /, ? or # makes the URL unreadable: nothing of it is shown', () => {
  for (const password of ['pa/ss', 'pa?ss', 'pa#ss']) {
    const shown = maskUrls(`failed: postgres://app:${password}@db.example.com/app`);
    hides(shown, 'pa', 'ss');
    assert.match(shown, /^failed: postgres:\/\/(…|db\.example\.com)$/);
  }
});

test('the first half of a password holding whitespace is not shown', () => {
  hides(maskUrls('failed: postgres://app:first half@db/app'), 'first');
});

test('a query (which may hold ?password=) is dropped', () => {
  assert.equal(maskUrls('at postgres://db/app?password=s3cret&x=1 now'), 'at postgres://db now');
  assert.equal(maskUrls(`at postgres://db/app?password=it's"<x>&x=1 now`), 'at postgres://db now');
});

test('URLs without credentials are left alone, with an @ in their path too', () => {
  for (const text of [
    'see https://volt.dev/docs/database#errors',
    'at file:///work/app/node_modules/@scope/pkg/index.js:10:5',
    'posted at https://medium.com/@author/post',
    'sqlite:./data/app.db',
    'listening on http://127.0.0.1:8000',
  ]) {
    assert.equal(maskUrls(text), text);
  }
});

test('maskUrl shows a URL setting as its scheme and host', () => {
  assert.equal(maskUrl("postgres://app:s3'cret@db.example.com:5432/app"), 'postgres://db.example.com:5432');
  assert.equal(maskUrl('postgres://app:pw@[::1]:5432/app'), 'postgres://[::1]:5432');
  assert.equal(maskUrl('postgres://app:pa#ss@db/app'), 'postgres://…');
  assert.equal(maskUrl('sqlite:./data/app.db'), 'sqlite:./data/app.db');
});
