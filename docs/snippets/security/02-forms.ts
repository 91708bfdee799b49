import assert from 'node:assert/strict';
import { t, volt } from 'volt';
import { testClient } from 'volt/testing';

const app = volt();

// An HTML form or an OAuth2 token request: values are coerced to the body schema like query strings.
app.post(
  '/subscribe',
  {
    body: t.Object({
      email: t.String({ format: 'email' }),
      topics: t.Array(t.String()),
      weekly: t.Boolean(),
    }),
  },
  (ctx) => ctx.body,
);

const client = testClient(app);
const form = { 'content-type': 'application/x-www-form-urlencoded' };

const ok = await client.post('/subscribe', {
  body: 'email=ada%40example.com&topics=news&topics=offers&weekly=true',
  headers: form,
});
assert.deepEqual(ok.json(), { email: 'ada@example.com', topics: ['news', 'offers'], weekly: true });

// Prototype keys are refused, never merged into anything.
const polluting = await client.post('/subscribe', { body: '__proto__=x&email=a%40b.c', headers: form });
assert.equal(polluting.status, 400);

// JSON: arrays past JSON_MAX_ARRAY_LENGTH (10 000) are refused before parsing.
const long = await client.post('/subscribe', {
  json: { email: 'a@b.c', topics: Array.from({ length: 10_001 }, () => 'x'), weekly: false },
});
assert.equal(long.status, 400);
assert.match(long.json<{ detail: string }>().detail, /JSON_MAX_ARRAY_LENGTH/);
await client.close();
