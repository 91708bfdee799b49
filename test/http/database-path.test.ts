/**
 * The database path as an app uses it, with the parts together: an async auth guard that reads
 * the database, a handler that reads rows one by one and writes them back with one bulkUpdate
 * in a transaction, on both databases; a refused write changes nothing and answers a problem.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testClient } from 'voltjs/testing';
import { VoltApp } from '../../src/http/app.ts';
import { dependency } from '../../src/http/dependencies.ts';
import { HttpError } from '../../src/http/errors.ts';
import { t } from '../../src/openapi/t.ts';
import type { Database } from '../../src/orm/database.ts';
import { createTables } from '../../src/orm/ddl.ts';
import { f } from '../../src/orm/fields/index.ts';
import { model } from '../../src/orm/model.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { createRegistry } from '../../src/orm/registry.ts';
import { countQueries } from '../../src/testing/queries.ts';
import { forEachDialect } from '../orm/support.ts';

async function values(db: Database, Counter: ReturnType<typeof models>['Counter']): Promise<number[]> {
  return (await query(db, Counter).values('value')).map((row) => row.value);
}

function models() {
  const registry = createRegistry();
  const Key = model('dbpath.Key', { token: f.string({ maxLength: 40, unique: true }) }, { registry });
  const Counter = model(
    'dbpath.Counter',
    { value: f.integer() },
    { registry, ordering: ['id'], checks: [{ name: 'value_not_negative', where: { value: { gte: 0 } } }] },
  );
  return { Key, Counter };
}

forEachDialect((dialect, open) => {
  async function setup(testContext: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    const { Key, Counter } = models();
    await createTables(db, [Key, Counter]);
    await query(db, Key).create({ token: 'good' });
    await query(db, Counter).bulkCreate(Array.from({ length: 5 }, (_, i) => ({ value: i })));
    const app = new VoltApp({ logger: false, envFile: false });
    // An async guard: the key is looked up in the database before the handler runs.
    const caller = dependency({ headers: t.Object({ 'x-key': t.Optional(t.String()) }) }, async (ctx) => {
      const key = await query(ctx.db, Key)
        .filter({ token: ctx.headers['x-key'] ?? '' })
        .first();
      if (key === undefined) throw new HttpError(401, { detail: 'A valid X-Key is needed' });
      return key;
    });
    app.post('/counters/add', { deps: { caller }, query: t.Object({ by: t.Integer() }) }, async (ctx) =>
      ctx.db.transaction(async (tx) => {
        const counters = query(tx, Counter);
        const rows = await Promise.all([1, 2, 3, 4, 5].map((id) => counters.get({ id })));
        for (const row of rows) row.value += ctx.query.by;
        await counters.bulkUpdate(rows, ['value']);
        return rows.map((row) => row.value);
      }),
    );
    const counter = countQueries(db);
    app.overrideDatabase(counter.db);
    const client = testClient(app);
    testContext.after(async () => {
      await app.close();
      await db.close();
    });
    return { db, Counter, client, counter };
  }

  test(`${dialect}: behind an async guard, rows read one by one are written back by one bulkUpdate in a transaction`, async (tc) => {
    const { db, Counter, client, counter } = await setup(tc);
    counter.reset();
    const res = await client.post('/counters/add', { query: { by: 10 }, headers: { 'x-key': 'good' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), [10, 11, 12, 13, 14]);
    const stored = await values(db, Counter);
    assert.deepEqual(stored, [10, 11, 12, 13, 14]);
    // The guard's read, five reads and one write (plus the transaction's own statements).
    assert.equal(counter.count, 7, counter.sql.join('\n'));
    assert.equal(counter.sql.filter((sql) => /^update/i.test(sql)).length, 1);
  });

  test(`${dialect}: a write the database refuses answers a problem and changes no row; a bad key never reaches it`, async (tc) => {
    const { db, Counter, client } = await setup(tc);
    const refused = await client.post('/counters/add', { query: { by: -1 }, headers: { 'x-key': 'good' } });
    assert.ok(refused.status >= 400 && refused.status < 500, `${refused.status} ${refused.text}`);
    assert.match(refused.headers['content-type'] ?? '', /application\/problem\+json/);
    assert.deepEqual(await values(db, Counter), [0, 1, 2, 3, 4]);
    const denied = await client.post('/counters/add', { query: { by: 1 }, headers: { 'x-key': 'bad' } });
    assert.equal(denied.status, 401);
    assert.deepEqual(await values(db, Counter), [0, 1, 2, 3, 4]);
    // The app still serves after the refused write (its connection went back clean).
    const ok = await client.post('/counters/add', { query: { by: 1 }, headers: { 'x-key': 'good' } });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(await values(db, Counter), [1, 2, 3, 4, 5]);
  });
});
