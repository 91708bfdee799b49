/**
 * Lookups across relations: forward foreign keys (nested objects too), reverse foreign keys,
 * many-to-many in both directions (auto join table and `through` model), several hops; one row
 * per match; names checked before any SQL runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../src/orm/database.ts';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';
import { seeded } from './fixtures.ts';

/** Countries, writers, novels with tags (auto join table) and ratings. */
function world() {
  const registry = createRegistry();
  const Country = model('world.Country', { name: f.string({ maxLength: 50 }) }, { registry });
  const Writer = model(
    'world.Writer',
    {
      name: f.string({ maxLength: 50 }),
      country: f.foreignKey(() => Country, { onDelete: 'cascade', relatedName: 'writers' }),
      mentor: f.foreignKey('self', { onDelete: 'setNull', nullable: true, relatedName: 'students' }),
    },
    { registry },
  );
  const Label = model('world.Label', { name: f.string({ maxLength: 20 }) }, { registry });
  const Novel = model(
    'world.Novel',
    {
      title: f.string({ maxLength: 100 }),
      writer: f.foreignKey(() => Writer, { onDelete: 'cascade', relatedName: 'novels' }),
      labels: f.manyToMany(() => Label, { relatedName: 'novels' }),
    },
    { registry, ordering: ['title'] },
  );
  const Rating = model(
    'world.Rating',
    {
      novel: f.foreignKey(() => Novel, { onDelete: 'cascade', relatedName: 'ratings' }),
      stars: f.integer(),
      reviewer: f.string({ maxLength: 50 }),
    },
    { registry },
  );
  return { Country, Writer, Label, Novel, Rating };
}

async function worldSeeded(db: Database) {
  const models = world();
  const { Country, Writer, Label, Novel, Rating } = models;
  await createTables(db, [Country, Writer, Label, Novel, Rating]);
  const [uk, fr] = await query(db, Country).bulkCreate([{ name: 'UK' }, { name: 'France' }]);
  const ada = await query(db, Writer).create({ name: 'Ada', countryId: uk!.id });
  const jules = await query(db, Writer).create({ name: 'Jules', countryId: fr!.id, mentorId: ada.id });
  const [sf, classic] = await query(db, Label).bulkCreate([{ name: 'sf' }, { name: 'classic' }]);
  const novels = await query(db, Novel).bulkCreate([
    { title: 'Engines', writerId: ada.id },
    { title: 'Moon', writerId: jules.id },
    { title: 'Sea', writerId: jules.id },
  ]);
  const [engines, moon, sea] = novels;
  const join = Novel.meta.relation('labels').throughTable!;
  const q = (name: string) => db.quoteIdentifier(name);
  const ph = (n: number) => (db.dialect === 'sqlite' ? '?' : `$${n}`);
  for (const [novel, label] of [
    [moon!, sf!],
    [moon!, classic!],
    [sea!, classic!],
  ] as const)
    await db.run(`insert into ${q(join)} (${q('novel_id')}, ${q('label_id')}) values (${ph(1)}, ${ph(2)})`, [
      novel.id,
      label.id,
    ]);
  await query(db, Rating).bulkCreate([
    { novelId: moon!.id, stars: 5, reviewer: 'ann' },
    { novelId: moon!.id, stars: 4, reviewer: 'bea' },
    { novelId: sea!.id, stars: 2, reviewer: 'ann' },
    { novelId: sea!.id, stars: 5, reviewer: 'cid' },
  ]);
  return { ...models, uk, fr, ada, jules, engines, moon, sea };
}

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await worldSeeded(db)) };
  }
  const titles = async (rows: Promise<{ title: string }[]>) => (await rows).map((r) => r.title);

  test('a forward foreign key: path keys and nested objects select the same rows', async (t) => {
    const { db, Novel } = await setup(t);
    const novels = query(db, Novel);
    assert.deepEqual(await titles(novels.filter({ writer__name__icontains: 'JUL' }).all()), ['Moon', 'Sea']);
    assert.deepEqual(await titles(novels.filter({ writer: { name__icontains: 'JUL' } }).all()), [
      'Moon',
      'Sea',
    ]);
    assert.deepEqual(await titles(novels.filter({ writer__name: 'Ada' }).all()), ['Engines']);
    // Two hops, path and nested.
    assert.deepEqual(await titles(novels.filter({ writer__country__name: 'France' }).all()), ['Moon', 'Sea']);
    assert.deepEqual(await titles(novels.filter({ writer: { country: { name: 'UK' } } }).all()), ['Engines']);
    // A foreign key's own column still works as before.
    assert.equal(await novels.filter({ writer__in: [1, 2] } as never).count(), 3);
  });

  test('a reverse foreign key: rows having at least one match, each once', async (t) => {
    const { db, Novel, Writer } = await setup(t);
    const novels = query(db, Novel);
    // Moon has two ratings of 4 or more: still one row.
    assert.deepEqual(await titles(novels.filter({ ratings__stars__gte: 4 }).all()), ['Moon', 'Sea']);
    assert.equal(await novels.filter({ ratings__stars__gte: 4 }).count(), 2);
    // Within one conditions object, the same rating must match every condition (as in Django)…
    assert.deepEqual(
      await titles(novels.filter({ ratings__stars__exact: 5, ratings__reviewer__exact: 'cid' }).all()),
      ['Sea'],
    );
    // (Nested objects under a reverse relation are not typed: M's type cannot know who points at it.)
    assert.deepEqual(
      await titles(novels.filter({ ratings: { stars: 2, reviewer: 'cid' } } as never).all()),
      [],
    );
    // …while chained filters may each match another rating.
    assert.deepEqual(
      await titles(
        novels.filter({ ratings__stars__exact: 2 }).filter({ ratings__reviewer__exact: 'cid' }).all(),
      ),
      ['Sea'],
    );
    // exclude keeps the rows with no such related row (Engines has no rating at all).
    assert.deepEqual(await titles(novels.exclude({ ratings__stars__lt: 3 }).all()), ['Engines', 'Moon']);
    assert.deepEqual(await titles(novels.filter({ ratings__isNull: true }).all()), ['Engines']);
    assert.deepEqual(await titles(novels.filter({ ratings__isNull: false }).all()), ['Moon', 'Sea']);
    // Several hops backwards: writers with a novel rated by ann.
    const writers = await query(db, Writer).filter({ novels__ratings__reviewer: 'ann' }).values('name');
    assert.deepEqual(writers, [{ name: 'Jules' }]);
    // A self-referencing key, both ways.
    assert.deepEqual(await query(db, Writer).filter({ mentor__name: 'Ada' }).values('name'), [
      { name: 'Jules' },
    ]);
    assert.deepEqual(await query(db, Writer).filter({ students__name__exact: 'Jules' }).values('name'), [
      { name: 'Ada' },
    ]);
  });

  test('many-to-many through the auto join table, both directions', async (t) => {
    const { db, Novel, Label, Country } = await setup(t);
    const novels = query(db, Novel);
    assert.deepEqual(await titles(novels.filter({ labels__name: 'classic' }).all()), ['Moon', 'Sea']);
    assert.deepEqual(await titles(novels.filter({ labels__name__in: ['sf', 'classic'] }).all()), [
      'Moon',
      'Sea',
    ]);
    assert.deepEqual(await titles(novels.filter({ labels__isNull: true }).all()), ['Engines']);
    const labels = await query(db, Label).filter({ novels__title__exact: 'Sea' }).values('name');
    assert.deepEqual(labels, [{ name: 'classic' }]);
    const countries = await query(db, Country)
      .filter({ writers__novels__labels__name__exact: 'sf' })
      .values('name');
    assert.deepEqual(countries, [{ name: 'France' }]);
  });

  test('relation paths work in update, delete, count and exists', async (t) => {
    const { db, Novel, Rating } = await setup(t);
    assert.equal(
      await query(db, Novel).filter({ writer__country__name: 'UK' }).update({ title: 'Engines 2' }),
      1,
    );
    assert.equal(await query(db, Novel).filter({ title: 'Engines 2' }).exists(), true);
    assert.equal(await query(db, Rating).filter({ novel__writer__name: 'Jules', stars__lt: 3 }).delete(), 1);
    assert.equal(await query(db, Rating).count(), 3);
  });

  test('names along a path are checked against each model, listing the valid ones', async (t) => {
    const { db, Novel } = await setup(t);
    const novels = query(db, Novel);
    const bad =
      (key: string, value: unknown = 1) =>
      () =>
        novels.filter({ [key]: value } as never);
    assert.throws(
      bad('writer__nam'),
      /world\.Writer has no field 'nam'; valid names are: id, name, countryId, mentorId; relations: country, mentor, students, novels/,
    );
    assert.throws(
      bad('ratingz__stars'),
      /world\.Novel has no field 'ratingz'.*relations: writer, labels, ratings/,
    );
    assert.throws(
      bad('ratings'),
      /'ratings' is a relation of world\.Novel; name a field of world\.Rating after it/,
    );
    assert.throws(bad('writer__name__like', 'x'), /'like' in 'writer__name__like' is not a lookup/);
    assert.throws(bad('ratings__stars__icontains', 'x'), /compares text/);
    assert.throws(bad('ratings__isNull', 'yes'), /true or false/);
    assert.throws(bad('writer', { nam: 'x' }), /world\.Writer has no field 'nam'/);
    assert.throws(() => novels.filter({ title: { gt: 'x' } } as never), /an object/);
    assert.throws(() => novels.filter({ writer__name: undefined } as never), /undefined/);
  });
});

forEachDialect((_dialect, open) => {
  test('a many-to-many with a through model, both directions', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book, Tag, BookTag, dune, engine } = await seeded(db);
    await query(db, Tag).bulkCreate([
      { slug: 'sf', name: 'Science fiction' },
      { slug: 'tech', name: 'Technology' },
    ]);
    await query(db, BookTag).bulkCreate([
      { bookId: dune.id, tagId: 'sf' },
      { bookId: engine.id, tagId: 'tech' },
      { bookId: engine.id, tagId: 'sf' },
    ]);
    const books = query(db, Book).orderBy('title');
    assert.deepEqual(await books.filter({ tags__slug: 'sf' }).values('title'), [
      { title: 'Dune' },
      { title: 'The Engine' },
    ]);
    assert.deepEqual(await books.filter({ tags: { name__startsWith: 'Tech' } }).values('title'), [
      { title: 'The Engine' },
    ]);
    assert.deepEqual(await books.filter({ tags__isNull: true }).values('title'), [
      { title: 'Notes 100%_done' },
    ]);
    const tags = query(db, Tag).orderBy('slug');
    assert.deepEqual(await tags.filter({ bookSet__title__exact: 'Dune' }).values('slug'), [{ slug: 'sf' }]);
    assert.deepEqual(await tags.filter({ bookLinks__book__pages__gt: 100 }).values('slug'), [{ slug: 'sf' }]);
    assert.deepEqual(await tags.filter({ bookSet__author__lastName: 'Babbage' }).values('slug'), [
      { slug: 'sf' },
      { slug: 'tech' },
    ]);
  });
});

forEachDialect((_dialect, open) => {
  test('a many-to-many to the model itself, both directions', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const registry = createRegistry();
    const Person = model(
      'club.Person',
      {
        name: f.string({ maxLength: 20 }),
        follows: f.manyToMany('self', { symmetrical: false, relatedName: 'followers' }),
      },
      { registry, ordering: ['name'] },
    );
    await createTables(db, [Person]);
    const [ann, bea, cid] = await query(db, Person).bulkCreate([
      { name: 'ann' },
      { name: 'bea' },
      { name: 'cid' },
    ]);
    const join = Person.meta.relation('follows').throughTable!;
    const ph = (n: number) => (db.dialect === 'sqlite' ? '?' : `$${n}`);
    // ann follows bea and cid; bea follows cid.
    for (const [from, to] of [
      [ann!, bea!],
      [ann!, cid!],
      [bea!, cid!],
    ] as const)
      await db.run(
        `insert into ${db.quoteIdentifier(join)} (from_person_id, to_person_id) values (${ph(1)}, ${ph(2)})`,
        [from.id, to.id],
      );
    const people = query(db, Person);
    const names = async (where: object) =>
      (await people.filter(where as never).values('name')).map((r) => r.name);
    assert.deepEqual(await names({ follows__name: 'cid' }), ['ann', 'bea']);
    assert.deepEqual(await names({ followers__name__exact: 'ann' }), ['bea', 'cid']);
    assert.deepEqual(await names({ followers__isNull: true }), ['ann']);
    assert.deepEqual(await names({ follows__follows__name: 'cid' }), ['ann']);
  });
});
