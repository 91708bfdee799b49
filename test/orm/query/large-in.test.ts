/**
 * `in` lists of any length: 70,000 keys in a filter, an exclude, a `not()`, an update, a
 * delete, `iterate()`, `prefetchRelated` (a reverse foreign key and a many-to-many) and the
 * deletion collector — past SQLite's 32,766 parameters and PostgreSQL's 65,535, each in one
 * statement.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../../../src/orm/database.ts';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { ProtectedError } from '../../../src/orm/query/errors.ts';
import { not } from '../../../src/orm/query/expressions.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { countQueries } from '../../../src/testing/queries.ts';
import { forEachDialect } from '../support.ts';

const MANY = 70_000;

function models() {
  const registry = createRegistry();
  const Tag = model('big.Tag', { name: f.string({ maxLength: 20 }) }, { registry });
  const Author = model(
    'big.Author',
    {
      name: f.string({ maxLength: 20 }),
      rank: f.integer({ nullable: true }),
      tags: f.manyToMany(() => Tag),
    },
    { registry },
  );
  const Book = model(
    'big.Book',
    {
      author: f.foreignKey(() => Author, { onDelete: 'cascade', index: true }),
      title: f.string({ maxLength: 20 }),
    },
    { registry },
  );
  // A protecting key keeps deletes of authors on the ORM's collector.
  const Award = model(
    'big.Award',
    { author: f.foreignKey(() => Author, { onDelete: 'protect', index: true }), year: f.integer() },
    { registry },
  );
  return { Tag, Author, Book, Award };
}

forEachDialect((_dialect, open) => {
  let db: Database;
  let m: ReturnType<typeof models>;
  let ids: number[];

  before(async () => {
    db = await open();
    m = models();
    await createTables(db, [m.Tag, m.Author, m.Book, m.Award]);
    const authors = await query(db, m.Author).bulkCreate(
      Array.from({ length: MANY + 3 }, (_, i) => ({ name: `a${i}`, rank: i % 2 ? i : null })),
    );
    ids = authors.slice(0, MANY).map((a) => a.id);
    await query(db, m.Book).bulkCreate(ids.map((id) => ({ authorId: id, title: `b${id}` })));
    const tag = await query(db, m.Tag).create({ name: 'classic' });
    await query(db, m.Author)
      .related(ids[MANY - 1]!, 'tags', m.Tag)
      .add(tag);
  });
  after(() => db.close());

  test('filter, exclude and not() with 70,000 keys each run one statement', async () => {
    const authors = query(db, m.Author);
    assert.equal(await authors.filter({ id__in: ids }).count(), MANY);
    assert.equal(await authors.exclude({ id__in: ids }).count(), 3);
    assert.equal(await authors.filter(not({ id__in: ids })).count(), 3);
    // Repeats, nulls and keys no column holds among them change nothing.
    assert.equal(await authors.filter({ id__in: [...ids, ids[0]!, null, 1e20] as never }).count(), MANY);
    assert.equal(await authors.filter({ name__in: ids.map((id) => `a${id - ids[0]!}`) }).count(), MANY);
    assert.equal(await query(db, m.Book).filter({ author__id__in: ids }).count(), MANY);
    assert.equal(await authors.filter({ id__in: ids }).update({ name: 'x' }), MANY);
    assert.equal(await authors.filter({ name: 'x' }).count(), MANY);
  });

  test('iterate() reads 70,000 rows by key in one chunk', async () => {
    // Ordered by a nullable column: the keys first, then the rows by key.
    let seen = 0;
    for await (const _ of query(db, m.Author)
      .orderBy('rank')
      .iterate({ chunkSize: MANY + 3 }))
      seen++;
    assert.equal(seen, MANY + 3);
  });

  test('prefetchRelated loads a reverse key and a many-to-many of 70,000 rows in one query each', async () => {
    const counter = countQueries(db);
    const authors = await query(counter.db, m.Author)
      .filter({ id__in: ids })
      .prefetchRelated('bookSet', m.Book)
      .prefetchRelated('tags', m.Tag)
      .all();
    assert.equal(counter.count, 3);
    assert.equal(authors.length, MANY);
    assert.ok(authors.every((a) => a.bookSet.length === 1 && a.bookSet[0]!.authorId === a.id));
    assert.deepEqual(
      authors.filter((a) => a.tags.length).map((a) => a.id),
      [ids[MANY - 1]],
    );
  });

  test('the deletion collector reads the rows pointing at 70,000 rows in one query per relation', async () => {
    await query(db, m.Award).create({ authorId: ids[5]!, year: 2020 });
    await assert.rejects(query(db, m.Author).filter({ id__in: ids }).delete(), ProtectedError);
    await query(db, m.Award).delete();
    const counter = countQueries(db);
    assert.equal(await query(counter.db, m.Author).filter({ id__in: ids }).delete(), MANY);
    // The keys, the rows pointing at them (books, awards, the join table's), the deletes.
    assert.ok(counter.count <= 10, `${counter.count} statements`);
    assert.equal(await query(db, m.Author).count(), 3);
    assert.equal(await query(db, m.Book).count(), 0);
  });
});
