import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

const dir = mkdtempSync(join(tmpdir(), 'volt-notes-'));
const url = `sqlite:${join(dir, 'app.db')}`; // by default: the DATABASE_URL setting

// The app opens its database at startup (with its logger), closes it at shutdown, and hands
// it to every handler and dependency as ctx.db. SQLite waits up to 200 ms (default 5 s) for
// another process's lock, without blocking the other requests.
const app = volt({ database: { url, busyTimeoutMs: 200 } });
app.onStartup(async () => {
  await app.db.run('create table if not exists notes (title text not null)');
});

app.post('/notes', { status: 201, body: t.Object({ title: t.String() }) }, async (ctx) => {
  // Work bound to the request: if the client goes away, nothing more starts (and a running
  // PostgreSQL statement is cancelled).
  const scoped = ctx.db.withSignal(ctx.signal);
  await scoped.run('insert into notes (title) values (?)', [ctx.body.title]);
  return { saved: ctx.body.title };
});

const client = testClient(app);
assert.equal((await client.post('/notes', { json: { title: 'first' } })).status, 201);

// Another connection (another process, a cron job…) holds the write lock past busyTimeoutMs:
// here a second app on the same file.
const second = volt({ database: url, logger: false });
await second.ready();
const busy = await second.db.transaction(() => client.post('/notes', { json: { title: 'second' } }));
await second.close();
assert.equal(busy.status, 503);
assert.equal(busy.headers['retry-after'], '1');
assert.deepEqual(busy.json(), {
  type: 'about:blank',
  title: 'Service Unavailable',
  status: 503,
  code: 'VOLT_ORM_DATABASE_BUSY', // stable: match on it, not on the detail
  detail: 'The database is busy. Try again shortly.',
  instance: `urn:volt:request:${busy.headers['x-request-id']}`, // the request id of its log lines
});

await client.close(); // closes the app: its shutdown hooks, then its database
rmSync(dir, { recursive: true, force: true });
