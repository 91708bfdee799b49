import assert from 'node:assert/strict';
import { dependency, t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

const events: string[] = [];

// A generator dependency: what it yields is the value; its `finally` runs after the response.
const db = dependency(async function* db() {
  events.push('open');
  try {
    yield { query: (sql: string) => `rows of ${sql}` };
  } finally {
    events.push('close');
  }
});

// A dependency with its own query parameters, validated and documented on every route using it.
const page = dependency(
  { query: t.Object({ limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }) }) },
  (ctx) => ({ limit: ctx.query.limit }),
);

// A dependency that uses another one: `db` is resolved once per request, however many use it.
const repo = dependency({ uses: { db } }, (_ctx, { db }) => ({ all: () => db.query('items') }));

const app = volt();
app.get('/items', { deps: { repo, page } }, (ctx) => ({
  rows: ctx.deps.repo.all(),
  limit: ctx.deps.page.limit,
}));

// --- what a client sees ---
const client = testClient(app);
assert.deepEqual((await client.get('/items')).json(), { rows: 'rows of items', limit: 20 });
assert.equal((await client.get('/items', { query: { limit: 0 } })).status, 422);
await new Promise((resolve) => setImmediate(resolve));
assert.deepEqual(events, ['open', 'close', 'open', 'close'].slice(0, events.length));

// In tests, swap a dependency everywhere it is used.
app.overrideDependency(
  db,
  dependency(() => ({ query: (sql: string) => `fake ${sql}` })),
);
assert.deepEqual((await client.get('/items')).json(), { rows: 'fake items', limit: 20 });
await client.close();
