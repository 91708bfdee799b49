import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { t, volt } from 'volt';
import { connect, type Database } from 'volt/orm';
import { testClient } from 'volt/testing';

const dir = mkdtempSync(join(tmpdir(), 'volt-notes-'));
const url = `sqlite:${join(dir, 'app.db')}`; // in an app: app.settings.databaseUrl

const app = volt();
let db: Database;
app.onStartup(async () => {
  // Idle PostgreSQL connections' errors go to the app's log; SQLite waits up to 200 ms (default
  // 5 s) for another process's lock, without blocking the other requests.
  db = await connect(url, { logger: app.fastify.log, busyTimeout: 200 });
  await db.run('create table if not exists notes (title text not null)');
});
app.onShutdown(() => db.close());

app.post('/notes', { status: 201, body: t.Object({ title: t.String() }) }, async (ctx) => {
  // Work bound to the request: if the client goes away, nothing more starts (and a running
  // PostgreSQL statement is cancelled).
  const scoped = db.withSignal(ctx.signal);
  await scoped.run('insert into notes (title) values (?)', [ctx.body.title]);
  return { saved: ctx.body.title };
});

const client = testClient(app);
assert.equal((await client.post('/notes', { json: { title: 'first' } })).status, 201);

// Another connection (another process, a cron job…) holds the write lock past busyTimeout.
await using other = await connect(url);
const busy = await other.transaction(() => client.post('/notes', { json: { title: 'second' } }));
assert.equal(busy.status, 503);
assert.equal(busy.headers['retry-after'], '1');
assert.deepEqual(busy.json(), {
  type: 'about:blank',
  title: 'Service Unavailable',
  status: 503,
  detail: 'The database is busy. Try again shortly.',
  instance: `urn:volt:request:${busy.headers['x-request-id']}`, // the request id of its log lines
});

await client.close();
rmSync(dir, { recursive: true, force: true });
