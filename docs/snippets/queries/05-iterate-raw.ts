import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { createTables, f, model, QueryError, query } from 'voltjs/orm';

const Entry = model('audit.Entry', {
  level: f.integer(),
  message: f.string({ maxLength: 100 }),
  at: f.datetime({ autoNowAdd: true }),
});

// An app opens its database when it starts: app.db (ctx.db in a route) from then on.
const audit = defineApp({ name: 'audit', models: [Entry] });
const app = volt({ database: 'sqlite::memory:', apps: [audit] });
await app.ready();
const db = app.db;
await createTables(db, [Entry]);
await query(db, Entry).bulkCreate(
  Array.from({ length: 2500 }, (_, i) => ({ level: i % 5, message: `event ${i}` })),
);

// iterate(): every matching row, a chunk of chunkSize rows per query; memory holds one chunk.
let seen = 0;
for await (const entry of query(db, Entry)
  .filter({ level__gte: 3 })
  .orderBy('-level')
  .iterate({ chunkSize: 500 })) {
  assert.ok(entry.level >= 3);
  seen++;
}
assert.equal(seen, 1000);

// raw(): hand-written SQL, values as parameters only; columns become typed row keys.
const rows = await query(db, Entry).raw('select * from audit_entry where level = ? and message like ?', [
  4,
  'event 1%',
]);
assert.ok(rows.every((row) => row.level === 4 && row.at instanceof Date));
assert.equal(rows.length, 222);

// Interpolating values is refused: a tagged template is not SQL text plus parameters.
const level = '4 or 1=1';
const entries = query(db, Entry);
const misuse = entries.raw.bind(entries) as unknown as (
  sql: TemplateStringsArray,
  ...values: unknown[]
) => Promise<unknown>;
await assert.rejects(misuse`select * from audit_entry where level = ${level}`, QueryError);

await app.close(); // and its database with it
