import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { createTables, f, model, QueryError, query, ValidationError } from 'voltjs/orm';

const Tag = model('blog.Tag', { slug: f.slug({ primaryKey: true }) }, { ordering: ['slug'] });
const Post = model('blog.Post', {
  title: f.string({ maxLength: 200 }),
  tags: f.manyToMany(() => Tag),
  // A join model holds extra columns; Post refers to it by label (it refers to Post).
  readers: f.manyToMany(() => Reader, { through: 'Subscription' }),
});
const Reader = model('blog.Reader', { name: f.string({ maxLength: 100 }) });
const Subscription = model('blog.Subscription', {
  post: f.foreignKey(() => Post, { onDelete: 'cascade' }),
  reader: f.foreignKey(() => Reader, { onDelete: 'cascade' }),
  level: f.enum(['free', 'paid'] as const),
});

// An app opens its database when it starts: app.db (ctx.db in a route) from then on.
const blog = defineApp({ name: 'blog', models: [Tag, Post, Reader, Subscription] });
const app = volt({ database: 'sqlite::memory:', apps: [blog] });
await app.ready();
const db = app.db;
await createTables(db, [Tag, Post, Reader, Subscription]);
await query(db, Tag).bulkCreate([{ slug: 'orm' }, { slug: 'sql' }, { slug: 'ts' }]);
const post = await query(db, Post).create({ title: 'Relations' });

// A manager for one row's links: rows or primary keys in, the target's rows out.
const tags = Post.rel.tags.of(db, post);
assert.equal(await tags.add('orm', 'sql'), 2);
assert.equal(await tags.add('orm'), 0); // already linked: nothing to do, no error
assert.deepEqual(await tags.set(['sql', 'ts']), { added: 1, removed: 1 }); // one transaction
assert.deepEqual(
  (await tags.all()).map((t) => t.slug),
  ['sql', 'ts'],
);
assert.equal(await tags.remove('ts'), 1);
assert.equal(await tags.count(), 1);

// The reverse side manages the same links (Tag.rel.postSet, typed from Post's side).
const tagged = Post.rel.tags.reverse.of(db, 'sql');
assert.deepEqual(
  (await tagged.all()).map((p) => p.title),
  ['Relations'],
);
assert.equal(await tagged.clear(), 1);

// A key with no row links nothing.
await assert.rejects(tags.add('nope'), (error) => {
  assert.ok(error instanceof ValidationError);
  assert.deepEqual(error.errors, [{ loc: ['tags'], msg: 'Tag "nope" does not exist', type: 'foreign_key' }]);
  return true;
});

// Through a model: its required fields come from throughDefaults, or the add is refused.
const ann = await query(db, Reader).create({ name: 'Ann' });
await assert.rejects(Post.rel.readers.of(db, post).add(ann), QueryError);
const paid = Post.rel.readers.of(db, post, { throughDefaults: { level: 'paid' } });
assert.equal(await paid.add(ann), 1);
assert.equal((await query(db, Subscription).get()).level, 'paid');

// The same manager by name, with the model of the linked rows.
assert.equal(await query(db, Post).related(post, 'readers', Reader).count(), 1);

await app.close(); // and its database with it
