import assert from 'node:assert/strict';
import { t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

const app = volt();

// An HTML form or an OAuth2 token request: the route lists the form type in `bodyTypes`, and
// values are coerced to the body schema like query strings.
app.post(
  '/subscribe',
  {
    bodyTypes: ['application/x-www-form-urlencoded', 'application/json'],
    body: t.Object({
      email: t.String({ format: 'email' }),
      topics: t.Array(t.String()),
      weekly: t.Boolean(),
    }),
  },
  (ctx) => ctx.body,
);

// A JSON route: no bodyTypes, so application/json only.
app.post('/notes', { body: t.Object({ text: t.String() }) }, (ctx) => ctx.body);

const client = testClient(app);
const form = { 'content-type': 'application/x-www-form-urlencoded' };

const ok = await client.post('/subscribe', {
  // `on` is what a checked checkbox sends.
  body: 'email=ada%40example.com&topics=news&topics=offers&weekly=on',
  headers: form,
});
assert.deepEqual(ok.json(), { email: 'ada@example.com', topics: ['news', 'offers'], weekly: true });

// A form (or text/plain, or multipart) sent to a JSON route is a 415 naming what it takes.
const crossSite = await client.post('/notes', { body: 'text=hi', headers: form });
assert.equal(crossSite.status, 415);
assert.equal(crossSite.headers['accept-post'], 'application/json');

// Prototype keys are refused, never merged into anything.
const polluting = await client.post('/subscribe', { body: '__proto__=x&email=a%40b.c', headers: form });
assert.equal(polluting.status, 400);

// Text a database cannot hold: NUL is a 422 on the field, bytes that are not UTF-8 a 400.
const nul = await client.post('/notes', { json: { text: 'a\u0000b' } });
assert.deepEqual(nul.json<{ errors: Array<{ loc: unknown[] }> }>().errors[0]?.loc, ['body', 'text']);
const latin1 = await client.post('/subscribe', { body: 'email=caf%E9%40b.c', headers: form });
assert.equal(latin1.status, 400);

// JSON: arrays past JSON_MAX_ARRAY_LENGTH (10 000) are refused before parsing.
const long = await client.post('/subscribe', {
  json: { email: 'a@b.c', topics: Array.from({ length: 10_001 }, () => 'x'), weekly: false },
});
assert.equal(long.status, 400);
assert.match(long.json<{ detail: string }>().detail, /JSON_MAX_ARRAY_LENGTH/);
await client.close();
