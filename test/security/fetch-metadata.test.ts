/**
 * Fetch Metadata: an unsafe request a browser sent for another site (`Sec-Fetch-Site:
 * cross-site` or `same-site`) is a 403 before the handler, on every route of a volt() app,
 * however it is authenticated; CSRF_TRUSTED_ORIGINS opts an origin in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { t } from '../../src/openapi/t.ts';
import { exactOrigin } from '../../src/security/fetch-metadata.ts';
import { testClient } from '../../src/testing/index.ts';
import { quietApp } from './support.ts';

function countingApp(options: Parameters<typeof quietApp>[0] = {}) {
  const app = quietApp(options);
  const calls = { count: 0 };
  const handler = () => {
    calls.count++;
    return { ok: true };
  };
  app.post('/orders', { body: t.Object({ item: t.String() }) }, handler);
  app.delete('/orders/:id', {}, handler);
  app.get('/orders', {}, handler);
  return { client: testClient(app), calls };
}

test('an unsafe cross-site or same-site request is a 403 before the handler; same-origin, none and no header pass', async () => {
  const { client, calls } = countingApp();
  const send = (site: string | undefined, extra: Record<string, string> = {}) =>
    client.post('/orders', {
      json: { item: 'tea' },
      headers: { ...(site === undefined ? {} : { 'sec-fetch-site': site }), ...extra },
    });
  for (const site of ['cross-site', 'same-site']) {
    const refused = await send(site, { origin: 'https://evil.example', authorization: 'Bearer volt_x' });
    assert.equal(refused.status, 403, site);
    assert.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.match(
      refused.json<{ detail: string }>().detail,
      new RegExp(`Sec-Fetch-Site: ${site}.*CSRF_TRUSTED_ORIGINS`),
    );
    assert.ok(refused.headers['x-content-type-options'], 'with the security headers');
  }
  assert.equal(
    (await client.delete('/orders/1', { headers: { 'sec-fetch-site': 'cross-site' } })).status,
    403,
  );
  assert.equal(calls.count, 0, 'no handler ran');
  for (const site of ['same-origin', 'none', undefined])
    assert.equal((await send(site)).status, 200, String(site));
  // Reading is not refused: a cross-site link or image must still work.
  assert.equal((await client.get('/orders', { headers: { 'sec-fetch-site': 'cross-site' } })).status, 200);
});

test('CSRF_TRUSTED_ORIGINS opts an origin in; only that exact origin', async () => {
  const { client, calls } = countingApp({ csrfTrustedOrigins: ['https://app.example.com'] });
  const send = (origin: string) =>
    client.post('/orders', { json: { item: 'tea' }, headers: { 'sec-fetch-site': 'cross-site', origin } });
  assert.equal((await send('https://app.example.com')).status, 200);
  for (const origin of [
    'https://evil.example',
    'https://app.example.com.evil.example',
    'https://x@app.example.com',
    'null',
  ])
    assert.equal((await send(origin)).status, 403, origin);
  assert.equal(calls.count, 1);
});

test('exactOrigin: only an origin as browsers write it', () => {
  assert.equal(exactOrigin('https://shop.example.com'), 'https://shop.example.com');
  assert.equal(exactOrigin('http://localhost:8000'), 'http://localhost:8000');
  for (const value of [
    'http://evil@localhost',
    'http://localhost/',
    'http://localhost/path',
    'http://localhost?x',
    'HTTP://LOCALHOST',
    'http://localhost:80',
    'ftp://localhost',
    'null',
    '',
    undefined,
  ])
    assert.equal(exactOrigin(value), undefined, String(value));
});
