import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { createTables, f, model, QueryError, query } from 'voltjs/orm';

const Hero = model(
  'myth.Hero',
  {
    name: f.string({ maxLength: 50 }),
    labours: f.integer({ nullable: true }),
    born: f.datetime({ nullable: true }),
  },
  { ordering: ['id'] },
);

const myth = defineApp({ name: 'myth', models: [Hero] });
const app = volt({ database: 'sqlite::memory:', apps: [myth] });
await app.ready();
const db = app.db;
await createTables(db, [Hero]);
const heroes = query(db, Hero);
await heroes.bulkCreate([
  { name: 'Heracles', labours: 12 },
  { name: 'σίσυφος', labours: 1 },
  { name: 'Odysseus' },
]);
const names = async (set: typeof heroes) => (await set.values('name')).map((h) => h.name);

// null in an in list is dropped, as in Django: NULL equals nothing.
assert.deepEqual(await names(heroes.filter({ labours__in: [12, null] as never })), ['Heracles']);
assert.deepEqual(await names(heroes.exclude({ labours__in: [12, null] as never })), ['σίσυφος']);

// Every value is checked before any SQL: a wrong type is a QueryError naming the key.
assert.throws(() => heroes.filter({ labours__gt: 'many' as never }), QueryError);
assert.throws(() => heroes.filter({ born__lt: 'yesterday' as never }), /'born__lt'/);

// An integer past the column's range, or with a fraction, compares as a number.
assert.deepEqual(await names(heroes.filter({ labours__gt: 2 ** 31 })), []);
assert.deepEqual(await names(heroes.filter({ labours__lt: 2 ** 31 })), ['Heracles', 'σίσυφος']);
assert.deepEqual(await names(heroes.filter({ labours__gte: 1.5 })), ['Heracles']);

// An in list of any length is one statement (one parameter past a few dozen values).
const ids = Array.from({ length: 50_000 }, (_, i) => i + 1);
assert.equal(await heroes.filter({ id__in: ids }).count(), 3);

// iexact and icontains compare capitals by Unicode's rules: a final ς matches Σ.
assert.deepEqual(await names(heroes.filter({ name__iexact: 'ΣΊΣΥΦΟΣ' })), ['σίσυφος']);
assert.deepEqual(await names(heroes.filter({ name__icontains: 'HERA' })), ['Heracles']);

await app.close();
