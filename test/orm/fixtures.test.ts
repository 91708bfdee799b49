/**
 * dumpData and loadData: rows to fixture objects and back, in one transaction, foreign keys in
 * any order, keys kept, sequences moved on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../src/orm/ddl.ts';
import { f } from '../../src/orm/fields/index.ts';
import { dumpData, type FixtureObject, loadData } from '../../src/orm/fixtures.ts';
import { model } from '../../src/orm/model.ts';
import { QueryError, ValidationError } from '../../src/orm/query/errors.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { createRegistry } from '../../src/orm/registry.ts';
import { count, forEachDialect, ph } from './support.ts';

function shelf() {
  const registry = createRegistry();
  const Country = model(
    'shelf.Country',
    { code: f.string({ maxLength: 2, primaryKey: true }), name: f.string({ maxLength: 50 }) },
    { registry },
  );
  const Author = model(
    'shelf.Author',
    {
      name: f.string({ maxLength: 100, unique: true }),
      country: f.foreignKey(() => Country, { onDelete: 'cascade' }),
      mentor: f.foreignKey('self', { onDelete: 'setNull', nullable: true, relatedName: 'mentees' }),
    },
    { registry },
  );
  const Tag = model('shelf.Tag', { name: f.string({ maxLength: 50 }) }, { registry });
  const Book = model(
    'shelf.Book',
    {
      title: f.string({ maxLength: 200 }),
      author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
      price: f.decimal({ digits: 8, places: 2 }),
      publishedOn: f.date({ nullable: true }),
      inPrint: f.boolean({ default: true }),
      extra: f.json({ default: () => ({}) }),
      secret: f.string({ maxLength: 20, default: '', editable: false, writeOnly: true }),
      created: f.datetime({ autoNowAdd: true }),
      tags: f.manyToMany(() => Tag),
    },
    { registry },
  );
  const Section = model(
    'shelf.Section',
    {
      name: f.string({ maxLength: 50 }),
      parent: f.foreignKey('self', { onDelete: 'cascade', nullable: true, relatedName: 'children' }),
    },
    { registry },
  );
  const models = [Book, Author, Section, Tag, Country];
  return { Country, Author, Tag, Book, Section, models };
}

forEachDialect((_dialect, open) => {
  async function empty(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    const s = shelf();
    await createTables(db, s.models);
    return { db, ...s };
  }

  async function stocked(t: { after: (fn: () => Promise<void>) => void }) {
    const setup = await empty(t);
    const { db, Country, Author, Tag, Book, Section } = setup;
    await query(db, Country).bulkCreate([
      { code: 'gb', name: 'United Kingdom' },
      { code: 'fr', name: 'France' },
    ]);
    const ada = await query(db, Author).create({ name: 'Ada', countryId: 'gb' });
    const bob = await query(db, Author).create({ name: 'Bob', countryId: 'fr', mentorId: ada.id });
    const [sf, classic] = await query(db, Tag).bulkCreate([{ name: 'sf' }, { name: 'classic' }]);
    const dune = await query(db, Book).create({
      title: 'Dune',
      authorId: bob.id,
      price: '9.5',
      publishedOn: '1965-08-01',
      extra: { pages: 412 },
    });
    await query(db, Book).create({ title: 'Emma', authorId: ada.id, price: '12', inPrint: false });
    await query(db, Book).related(dune, 'tags', Tag).set([classic!.id, sf!.id]);
    const root = await query(db, Section).create({ name: 'Fiction' });
    await query(db, Section).create({ name: 'Novels', parentId: root.id });
    return setup;
  }

  test('dumpData writes the models in dependency order, rows by key, values as JSON reads them', async (t) => {
    const { db, models, Book } = await stocked(t);
    // Fields no input may set: written by hand.
    await db.run(`update shelf_book set secret = 'hush', created = ${ph(db, 1)} where title = 'Dune'`, [
      db.dialect === 'sqlite' ? '2024-01-02T03:04:05.678Z' : new Date('2024-01-02T03:04:05.678Z'),
    ]);
    const objects = await dumpData(db, models);
    assert.deepEqual(
      [...new Set(objects.map((o) => o.model))],
      // Each after the models its foreign keys point at; the others as given.
      ['shelf.Section', 'shelf.Tag', 'shelf.Country', 'shelf.Author', 'shelf.Book'],
    );
    assert.deepEqual(
      objects.filter((o) => o.model === 'shelf.Country').map((o) => o.pk),
      ['fr', 'gb'],
    );
    assert.deepEqual(
      objects.filter((o) => o.model === 'shelf.Author'),
      [
        { model: 'shelf.Author', pk: 1, fields: { name: 'Ada', country: 'gb', mentor: null } },
        { model: 'shelf.Author', pk: 2, fields: { name: 'Bob', country: 'fr', mentor: 1 } },
      ],
    );
    const [dune, emma] = objects.filter((o) => o.model === 'shelf.Book');
    assert.deepEqual(dune, {
      model: 'shelf.Book',
      pk: 1,
      fields: {
        title: 'Dune',
        author: 2,
        price: '9.50',
        publishedOn: '1965-08-01',
        inPrint: true,
        extra: { pages: 412 },
        secret: 'hush',
        created: '2024-01-02T03:04:05.678Z',
        tags: [1, 2],
      },
    });
    assert.deepEqual(emma!.fields.tags, []);
    assert.equal(emma!.fields.inPrint, false);
    // The auto join table is no model of its own.
    assert.equal(objects.length, 2 + 2 + 2 + 2 + 2);
    assert.ok(Book.meta.fieldNames.includes('tags'));
  });

  test('dumpData with pks keeps those rows of one model; with several models it is a QueryError', async (t) => {
    const { db, Author, Book } = await stocked(t);
    const two = await dumpData(db, [Book], { pks: [2] });
    assert.deepEqual(
      two.map((o) => [o.pk, o.fields.title, o.fields.tags]),
      [[2, 'Emma', []]],
    );
    assert.deepEqual(
      (await dumpData(db, [Book], { pks: [1] })).map((o) => o.fields.tags),
      [[1, 2]],
    );
    await assert.rejects(dumpData(db, [Author, Book], { pks: [1] }), QueryError);
    await assert.rejects(dumpData(db, [Book], { pks: ['one'] }), /is not a shelf\.Book primary key/);
  });

  test('a dump loaded into an empty database dumps again the same', async (t) => {
    const source = await stocked(t);
    const dumped = JSON.parse(JSON.stringify(await dumpData(source.db, source.models)));
    const target = await empty(t);
    const result = await loadData(target.db, target.models, dumped);
    assert.deepEqual(result, { loaded: dumped.length, skipped: 0 });
    assert.deepEqual(await dumpData(target.db, target.models), dumped);
  });

  test('foreign keys may point at rows later in the fixture, cycles through nullable keys too', async (t) => {
    const { db, models, Author, Book, Section } = await empty(t);
    const objects: FixtureObject[] = [
      { model: 'shelf.Book', pk: 7, fields: { title: 'Dune', author: 11, price: '1.00' } },
      { model: 'shelf.Section', pk: 3, fields: { name: 'Novels', parent: 2 } },
      { model: 'shelf.Section', pk: 2, fields: { name: 'Fiction', parent: 1 } },
      { model: 'shelf.Section', pk: 1, fields: { name: 'Books', parent: null } },
      // Two authors mentoring each other: a cycle only a nullable key can close.
      { model: 'shelf.Author', pk: 11, fields: { name: 'Ada', country: 'gb', mentor: 12 } },
      { model: 'shelf.Author', pk: 12, fields: { name: 'Bob', country: 'gb', mentor: 11 } },
      { model: 'shelf.Country', pk: 'gb', fields: { name: 'United Kingdom' } },
    ];
    assert.deepEqual(await loadData(db, models, objects), { loaded: 7, skipped: 0 });
    assert.deepEqual(
      (await query(db, Author).orderBy('id').values('id', 'mentorId')).map((r) => [r.id, r.mentorId]),
      [
        [11, 12],
        [12, 11],
      ],
    );
    assert.deepEqual(
      (await query(db, Section).orderBy('id').values('id', 'parentId')).map((r) => [r.id, r.parentId]),
      [
        [1, null],
        [2, 1],
        [3, 2],
      ],
    );
    assert.equal((await query(db, Book).get({ id: 7 })).authorId, 11);
  });

  test('a cycle between models closes through its nullable key, whichever model comes first', async (t) => {
    for (const captainFirst of [true, false]) {
      const db = await open();
      t.after(() => db.close());
      const registry = createRegistry();
      const Team = model(
        'club.Team',
        {
          name: f.string({ maxLength: 20 }),
          captain: f.foreignKey('club.Player', { onDelete: 'setNull', nullable: true }),
        },
        { registry },
      );
      const Player = model(
        'club.Player',
        { name: f.string({ maxLength: 20 }), team: f.foreignKey(() => Team, { onDelete: 'cascade' }) },
        { registry },
      );
      await createTables(db, [Team, Player]);
      const objects: FixtureObject[] = [
        { model: 'club.Team', pk: 1, fields: { name: 'Reds', captain: 10 } },
        { model: 'club.Player', pk: 10, fields: { name: 'Ann', team: 1 } },
        { model: 'club.Player', pk: 11, fields: { name: 'Bo', team: 1 } },
      ];
      await loadData(db, captainFirst ? [Player, Team] : [Team, Player], objects);
      assert.equal((await query(db, Team).get({ id: 1 })).captainId, 10);
      assert.deepEqual(await dumpData(db, [Team, Player]), objects);
    }
  });

  test('rows of a model pointing at each other through a key that cannot be null load parents first', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const registry = createRegistry();
    const Node = model(
      'loop.Node',
      { next: f.foreignKey('self', { onDelete: 'cascade' }), name: f.string({ maxLength: 9 }) },
      { registry },
    );
    await createTables(db, [Node]);
    // Row 1 exists: its update must wait for row 3, which is new, and row 3 for row 2.
    await db.run(`insert into loop_node (id, next_id, name) values (1, 1, 'old')`);
    await loadData(
      db,
      [Node],
      [
        { model: 'loop.Node', pk: 1, fields: { next: 3, name: 'a' } },
        { model: 'loop.Node', pk: 3, fields: { next: 2, name: 'c' } },
        { model: 'loop.Node', pk: 2, fields: { next: 2, name: 'b' } },
      ],
    );
    assert.deepEqual(
      (await query(db, Node).orderBy('id').values('id', 'nextId')).map((r) => [r.id, r.nextId]),
      [
        [1, 3],
        [2, 2],
        [3, 2],
      ],
    );
    // Two rows pointing at each other cannot both go in first.
    await assert.rejects(
      loadData(
        db,
        [Node],
        [
          { model: 'loop.Node', pk: 5, fields: { next: 6, name: 'e' } },
          { model: 'loop.Node', pk: 6, fields: { next: 5, name: 'f' } },
        ],
      ),
      (error) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.errors.length, 1);
        assert.deepEqual(error.errors[0]!.loc.slice(1), ['fields', 'next']);
        assert.match(error.errors[0]!.msg, /cycle of foreign keys that are not nullable/);
        return true;
      },
    );
    assert.equal(await count(db, 'loop_node'), 3);
  });

  test('a row whose key exists is updated (left-out fields get their defaults), the others inserted', async (t) => {
    const { db, models, Book, Tag } = await stocked(t);
    const result = await loadData(db, models, [
      { model: 'shelf.Book', pk: 1, fields: { title: 'Dune (2nd ed.)', author: 1, price: '10', tags: [2] } },
      { model: 'shelf.Book', pk: 40, fields: { title: 'New', author: 2, price: '3.10', inPrint: false } },
    ]);
    assert.equal(result.loaded, 2);
    const dune = await query(db, Book).get({ id: 1 });
    assert.equal(dune.title, 'Dune (2nd ed.)');
    assert.equal(dune.authorId, 1);
    assert.equal(dune.price, '10.00');
    // Not in the object: back to the field's default, as Django's loaddata saves every field.
    assert.equal(dune.publishedOn, null);
    assert.deepEqual(dune.extra, {});
    assert.deepEqual(
      (await query(db, Book).related(1, 'tags', Tag).all()).map((tag) => tag.id),
      [2],
    );
    const fresh = await query(db, Book).get({ id: 40 });
    assert.equal(fresh.inPrint, false);
    assert.equal(await count(db, 'shelf_book'), 3);
  });

  test('after a load with explicit keys, create() picks a key past them', async (t) => {
    const { db, models, Tag, Author } = await empty(t);
    await loadData(db, models, [
      { model: 'shelf.Tag', pk: 50, fields: { name: 'fifty' } },
      { model: 'shelf.Tag', pk: 7, fields: { name: 'seven' } },
      { model: 'shelf.Country', pk: 'gb', fields: { name: 'United Kingdom' } },
      { model: 'shelf.Author', pk: 3, fields: { name: 'Ada', country: 'gb' } },
    ]);
    assert.equal((await query(db, Tag).create({ name: 'next' })).id, 51);
    assert.equal((await query(db, Author).create({ name: 'Bob', countryId: 'gb' })).id, 4);
  });

  test('objects without a key are inserted as new rows, with their links', async (t) => {
    const { db, models, Tag, Book } = await empty(t);
    await loadData(db, models, [
      { model: 'shelf.Tag', pk: 4, fields: { name: 'four' } },
      { model: 'shelf.Tag', fields: { name: 'no key' } },
      { model: 'shelf.Country', pk: 'gb', fields: { name: 'United Kingdom' } },
      { model: 'shelf.Author', pk: 1, fields: { name: 'Ada', country: 'gb' } },
      { model: 'shelf.Book', pk: null, fields: { title: 'Keyless', author: 1, price: '1', tags: [4] } },
    ]);
    assert.deepEqual(
      (await query(db, Tag).orderBy('id').values('id', 'name')).map((r) => [r.id, r.name]),
      [
        [4, 'four'],
        [5, 'no key'],
      ],
    );
    const book = await query(db, Book).get({ title: 'Keyless' });
    assert.deepEqual(
      (await query(db, Book).related(book, 'tags', Tag).all()).map((tag) => tag.id),
      [4],
    );
  });

  test('every bad object is reported at its index and field before anything is written', async (t) => {
    const { db, models } = await empty(t);
    await assert.rejects(
      loadData(db, models, [
        { model: 'shelf.Country', pk: 'gb', fields: { name: 'United Kingdom' } },
        { model: 'shelf.Bok', pk: 1, fields: {} },
        { model: 'shelf.Tag', pk: 1, fields: { name: 'x', colour: 'red' } },
        { model: 'shelf.Book', pk: 1, fields: { title: 'x', author: 1, price: 'free' } },
        { model: 'shelf.Author', pk: 'one', fields: { countryId: 'gb' } },
        'not an object',
      ]),
      (error) => {
        assert.ok(error instanceof ValidationError);
        assert.deepEqual(
          error.errors.map((e) => [e.loc, e.type]),
          [
            [[1, 'model'], 'unknown_model'],
            [[2, 'fields', 'colour'], 'extra_forbidden'],
            [[3, 'fields', 'price'], 'decimal_type'],
            [[4, 'pk'], 'int_type'],
            [[4, 'fields', 'countryId'], 'extra_forbidden'],
            [[4, 'fields', 'name'], 'missing'],
            [[4, 'fields', 'country'], 'missing'],
            [[5], 'model_type'],
          ],
        );
        assert.equal(error.errors[0]!.msg, "Unknown model 'shelf.Bok'");
        assert.equal(error.errors[1]!.msg, "shelf.Tag has no field 'colour'");
        assert.equal(
          error.errors[2]!.msg,
          'Input should be a decimal number written as a string, such as "19.90"',
        );
        assert.equal(error.errors[4]!.msg, "shelf.Author has no field 'countryId' (did you mean 'country'?)");
        return true;
      },
    );
    assert.equal(await count(db, 'shelf_country'), 0);
  });

  test("a field's declared default loads as is, as a create leaves it unchecked", async (t) => {
    const db = await open();
    t.after(() => db.close());
    const registry = createRegistry();
    const Member = model('club.Member', { email: f.email({ default: '' }) }, { registry });
    await createTables(db, [Member]);
    await query(db, Member).create({});
    const dumped = await dumpData(db, [Member]);
    assert.deepEqual(dumped, [{ model: 'club.Member', pk: 1, fields: { email: '' } }]);
    await loadData(db, [Member], [...dumped, { model: 'club.Member', pk: 2, fields: { email: '' } }]);
    assert.equal(await query(db, Member).count(), 2);
    await assert.rejects(
      loadData(db, [Member], [{ model: 'club.Member', pk: 3, fields: { email: 'nope' } }]),
      ValidationError,
    );
  });

  test('ignoreNonexistent skips fields and models the project no longer has', async (t) => {
    const { db, models, Tag } = await empty(t);
    const result = await loadData(
      db,
      models,
      [
        { model: 'shelf.Tag', pk: 1, fields: { name: 'kept', colour: 'red' } },
        { model: 'shelf.Gone', pk: 1, fields: {} },
      ],
      { ignoreNonexistent: true },
    );
    assert.deepEqual(result, { loaded: 1, skipped: 1 });
    assert.equal((await query(db, Tag).get({ id: 1 })).name, 'kept');
  });

  test('a key pointing at a row that is nowhere is refused', async (t) => {
    const { db, models } = await empty(t);
    await assert.rejects(
      loadData(db, models, [
        { model: 'shelf.Country', pk: 'gb', fields: { name: 'United Kingdom' } },
        { model: 'shelf.Author', pk: 1, fields: { name: 'Ada', country: 'xx' } },
        { model: 'shelf.Book', pk: 1, fields: { title: 'x', author: 1, price: '1', tags: [9] } },
      ]),
      (error) => {
        assert.ok(error instanceof ValidationError);
        assert.deepEqual(error.errors, [
          { loc: [1, 'fields', 'country'], msg: 'Country "xx" does not exist', type: 'foreign_key' },
          { loc: [2, 'fields', 'tags'], msg: 'Tag 9 does not exist', type: 'foreign_key' },
        ]);
        return true;
      },
    );
    assert.equal(await count(db, 'shelf_country'), 0);
  });

  test('a constraint the database refuses fails at the object and keeps nothing of the load', async (t) => {
    const { db, models, Author } = await stocked(t);
    const before = await dumpData(db, models);
    await assert.rejects(
      loadData(db, models, [
        { model: 'shelf.Tag', pk: 1, fields: { name: 'renamed' } },
        { model: 'shelf.Tag', pk: 9, fields: { name: 'new' } },
        { model: 'shelf.Author', pk: 30, fields: { name: 'Carl', country: 'gb' } },
        // Ada's name is taken by row 1.
        { model: 'shelf.Author', pk: 31, fields: { name: 'Ada', country: 'gb' } },
      ]),
      (error) => {
        assert.ok(error instanceof ValidationError);
        assert.deepEqual(
          error.errors.map((e) => [e.loc, e.type]),
          [[[3, 'fields', 'name'], 'unique']],
        );
        return true;
      },
    );
    assert.deepEqual(await dumpData(db, models), before);
    assert.equal(await query(db, Author).count(), 2);
  });

  test('loadData refuses what is not a list of objects', async (t) => {
    const { db, models } = await empty(t);
    await assert.rejects(loadData(db, models, { model: 'shelf.Tag' }), /A fixture is a list of objects/);
    assert.deepEqual(await loadData(db, models, []), { loaded: 0, skipped: 0 });
  });
});
