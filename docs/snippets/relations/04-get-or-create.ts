import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { createTables, f, model, query } from 'voltjs/orm';

const Tag = model('site.Tag', {
  slug: f.slug({ unique: true }),
  name: f.string({ maxLength: 50 }),
});

// An app opens its database when it starts: app.db (ctx.db in a route) from then on.
const site = defineApp({ name: 'site', models: [Tag] });
const app = volt({ database: 'sqlite::memory:', apps: [site] });
await app.ready();
const db = app.db;
await createTables(db, [Tag]);
const tags = query(db, Tag);

// Found by the lookup, or created from the lookup's plain values and the defaults.
const first = await tags.getOrCreate({ slug: 'sf' }, { name: 'Science fiction' });
assert.equal(first.created, true);
const again = await tags.getOrCreate({ slug: 'sf' }, { name: 'ignored when found' });
assert.deepEqual(again, { row: first.row, created: false });

// updateOrCreate sets the defaults on the row it finds.
const renamed = await tags.updateOrCreate({ slug: 'sf' }, { name: 'SF' });
assert.deepEqual([renamed.row.name, renamed.created], ['SF', false]);

// Race-safe: concurrent calls create one row, and every call returns it.
const all = await Promise.all([1, 2, 3].map(() => tags.getOrCreate({ slug: 'space' }, { name: 'Space' })));
assert.equal(all.filter((r) => r.created).length, 1);
assert.equal(await tags.filter({ slug: 'space' }).count(), 1);

await app.close(); // and its database with it
