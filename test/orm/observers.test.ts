/**
 * observeWrites(): every write path of the ORM reports the rows it changed, with their state
 * before and after, inside its transaction; the observers belong to one database (its views and
 * transactions), and an unobserved model's writes cost no extra statement.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../src/orm/database.ts';
import { createTables } from '../../src/orm/ddl.ts';
import { f } from '../../src/orm/fields/index.ts';
import { model } from '../../src/orm/model.ts';
import { observeWrites, type WriteChange } from '../../src/orm/observers.ts';
import { ValidationError } from '../../src/orm/query/errors.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { createRegistry } from '../../src/orm/registry.ts';
import { countQueries } from '../../src/testing/queries.ts';
import { forEachDialect } from './support.ts';

function models() {
  const registry = createRegistry();
  const Author = model('obs.Author', { name: f.string({ maxLength: 50, unique: true }) }, { registry });
  const Book = model(
    'obs.Book',
    {
      title: f.string({ maxLength: 50 }),
      author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
      editor: f.foreignKey(() => Author, { onDelete: 'setNull', nullable: true, relatedName: 'edited' }),
      pages: f.integer({ nullable: true }),
    },
    { registry },
  );
  const Review = model(
    'obs.Review',
    { book: f.foreignKey(() => Book, { onDelete: 'cascade' }), rating: f.integer() },
    { registry },
  );
  const History = model(
    'obs.History',
    {
      label: f.string({ maxLength: 50 }),
      key: f.string({ maxLength: 50 }),
      action: f.string({ maxLength: 10 }),
    },
    { registry },
  );
  return { Author, Book, Review, History };
}

/** What a test compares of a change: its action, model, key and the named fields before and after. */
function shown(changes: readonly WriteChange[], ...fields: string[]) {
  const pick = (row: Record<string, unknown> | undefined) =>
    row && Object.fromEntries(fields.map((name) => [name, row[name]]));
  return changes.map((c) => ({
    action: c.action,
    model: c.model.meta.label,
    key: c.key,
    before: pick(c.before),
    after: pick(c.after),
  }));
}

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    const m = models();
    await createTables(db, [m.Author, m.Book, m.Review, m.History]);
    const calls: WriteChange[][] = [];
    const record = (_tx: Database, changes: readonly WriteChange[]) => {
      calls.push([...changes]);
    };
    return { db, ...m, calls, record };
  }

  test('create, bulkCreate, update, updateOne, bulkUpdate, delete and deleteOne report their rows', async (t) => {
    const { db, Author, Book, calls, record } = await setup(t);
    const ada = await query(db, Author).create({ name: 'Ada' });
    const stop = observeWrites(db, Book, record);
    const dune = await query(db, Book).create({ title: 'Dune', authorId: ada.id });
    assert.deepEqual(shown(calls.pop()!, 'title'), [
      { action: 'create', model: 'obs.Book', key: dune.id, before: undefined, after: { title: 'Dune' } },
    ]);
    const [emma, engine] = await query(db, Book).bulkCreate([
      { title: 'Emma', authorId: ada.id },
      { title: 'Engine', authorId: ada.id },
    ]);
    assert.deepEqual(shown(calls.pop()!, 'title'), [
      { action: 'create', model: 'obs.Book', key: emma!.id, before: undefined, after: { title: 'Emma' } },
      { action: 'create', model: 'obs.Book', key: engine!.id, before: undefined, after: { title: 'Engine' } },
    ]);
    // One call per statement, every row in it; the same value still reports the row.
    assert.equal(
      await query(db, Book)
        .filter({ title__in: ['Dune', 'Emma'] })
        .update({ pages: 10 }),
      2,
    );
    assert.deepEqual(shown(calls.pop()!, 'pages'), [
      { action: 'update', model: 'obs.Book', key: dune.id, before: { pages: null }, after: { pages: 10 } },
      { action: 'update', model: 'obs.Book', key: emma!.id, before: { pages: null }, after: { pages: 10 } },
    ]);
    await query(db, Book).filter({ id: dune.id }).update({ pages: 10 });
    assert.deepEqual(shown(calls.pop()!, 'pages')[0]!.after, { pages: 10 });
    assert.equal(await query(db, Book).filter({ title: 'Nothing' }).update({ pages: 1 }), 0);
    assert.equal(calls.length, 0, 'no row, no call');
    const renamed = await query(db, Book).filter({ id: engine!.id }).updateOne({ title: 'The Engine' });
    assert.equal(renamed.title, 'The Engine');
    assert.deepEqual(shown(calls.pop()!, 'title'), [
      {
        action: 'update',
        model: 'obs.Book',
        key: engine!.id,
        before: { title: 'Engine' },
        after: { title: 'The Engine' },
      },
    ]);
    // bulkUpdate: in the order of the rows given.
    await query(db, Book).bulkUpdate(
      [
        { id: engine!.id, pages: 3 },
        { id: dune.id, pages: 1 },
      ],
      ['pages'],
    );
    assert.deepEqual(shown(calls.pop()!, 'pages'), [
      { action: 'update', model: 'obs.Book', key: engine!.id, before: { pages: null }, after: { pages: 3 } },
      { action: 'update', model: 'obs.Book', key: dune.id, before: { pages: 10 }, after: { pages: 1 } },
    ]);
    const gone = await query(db, Book).filter({ id: engine!.id }).deleteOne();
    assert.equal(gone.title, 'The Engine');
    assert.deepEqual(shown(calls.pop()!, 'title', 'pages'), [
      {
        action: 'delete',
        model: 'obs.Book',
        key: engine!.id,
        before: { title: 'The Engine', pages: 3 },
        after: undefined,
      },
    ]);
    assert.equal(await query(db, Book).delete(), 2);
    assert.deepEqual(shown(calls.pop()!, 'title'), [
      { action: 'delete', model: 'obs.Book', key: dune.id, before: { title: 'Dune' }, after: undefined },
      { action: 'delete', model: 'obs.Book', key: emma!.id, before: { title: 'Emma' }, after: undefined },
    ]);
    // The stop function stops (and again does nothing).
    stop();
    stop();
    await query(db, Book).create({ title: 'Unseen', authorId: ada.id });
    assert.equal(calls.length, 0);
  });

  test('getOrCreate and updateOrCreate report what they write, and nothing when they only find', async (t) => {
    const { db, Author, calls, record } = await setup(t);
    observeWrites(db, Author, record);
    const { row: ada, created } = await query(db, Author).getOrCreate({ name: 'Ada' });
    assert.equal(created, true);
    assert.deepEqual(shown(calls.pop()!, 'name'), [
      { action: 'create', model: 'obs.Author', key: ada.id, before: undefined, after: { name: 'Ada' } },
    ]);
    await query(db, Author).getOrCreate({ name: 'Ada' });
    assert.equal(calls.length, 0);
    await query(db, Author).updateOrCreate({ id: ada.id }, { name: 'Ada L.' });
    assert.deepEqual(shown(calls.pop()!, 'name'), [
      {
        action: 'update',
        model: 'obs.Author',
        key: ada.id,
        before: { name: 'Ada' },
        after: { name: 'Ada L.' },
      },
    ]);
    const { row: bob } = await query(db, Author).updateOrCreate({ name: 'Bob' }, {});
    assert.deepEqual(shown(calls.pop()!, 'name'), [
      { action: 'create', model: 'obs.Author', key: bob.id, before: undefined, after: { name: 'Bob' } },
    ]);
  });

  test('a cascade reports the rows it deletes and the keys it sets to null, with their rows before', async (t) => {
    const { db, Author, Book, Review, calls, record } = await setup(t);
    const ada = await query(db, Author).create({ name: 'Ada' });
    const bob = await query(db, Author).create({ name: 'Bob' });
    const dune = await query(db, Book).create({ title: 'Dune', authorId: ada.id });
    const emma = await query(db, Book).create({ title: 'Emma', authorId: bob.id, editorId: ada.id });
    const review = await query(db, Review).create({ bookId: dune.id, rating: 5 });
    // Only the children are observed: deleting an author still reports them.
    observeWrites(db, Book, record);
    observeWrites(db, Review, record);
    assert.equal(await query(db, Author).filter({ id: ada.id }).delete(), 1);
    assert.equal(calls.length, 1, 'one call, every observed model of the statement');
    assert.deepEqual(shown(calls[0]!, 'title', 'rating', 'editorId'), [
      {
        action: 'delete',
        model: 'obs.Book',
        key: dune.id,
        before: { title: 'Dune', rating: undefined, editorId: null },
        after: undefined,
      },
      {
        action: 'delete',
        model: 'obs.Review',
        key: review.id,
        before: { title: undefined, rating: 5, editorId: undefined },
        after: undefined,
      },
      {
        action: 'update',
        model: 'obs.Book',
        key: emma.id,
        before: { title: 'Emma', rating: undefined, editorId: ada.id },
        after: { title: 'Emma', rating: undefined, editorId: null },
      },
    ]);
    assert.equal(await query(db, Review).count(), 0);
    // deleteOne cascades and reports the same way.
    calls.length = 0;
    await query(db, Author).filter({ id: bob.id }).deleteOne();
    assert.deepEqual(shown(calls.pop()!, 'title'), [
      { action: 'delete', model: 'obs.Book', key: emma.id, before: { title: 'Emma' }, after: undefined },
    ]);
  });

  test("the observer's writes commit with the change; a throwing observer rolls both back", async (t) => {
    const { db, Author, History } = await setup(t);
    const history = async (tx: Database, changes: readonly WriteChange[]) => {
      for (const change of changes)
        await query(tx, History).create({
          label: change.model.meta.label,
          key: String(change.key),
          action: change.action,
        });
    };
    observeWrites(db, Author, history);
    const ada = await query(db, Author).create({ name: 'Ada' });
    assert.deepEqual(await query(db, History).values('action', 'key'), [
      { action: 'create', key: String(ada.id) },
    ]);
    // A change that fails (a unique violation) writes no history.
    await assert.rejects(query(db, Author).create({ name: 'Ada' }), ValidationError);
    await query(db, Author).filter({ id: ada.id }).update({ name: 'Ada' });
    await query(db, Author).create({ name: 'Bob' });
    await assert.rejects(
      query(db, Author).filter({ name: 'Bob' }).updateOne({ name: 'Ada' }),
      ValidationError,
    );
    assert.deepEqual(
      (await query(db, History).values('action')).map((h) => h.action),
      ['create', 'update', 'create'],
    );
    // An observer that throws after another wrote its history: nothing stays.
    const stop = observeWrites(db, Author, () => {
      throw new Error('refused');
    });
    await assert.rejects(query(db, Author).create({ name: 'Cy' }), /refused/);
    await assert.rejects(query(db, Author).filter({ name: 'Bob' }).update({ name: 'Bo' }), /refused/);
    await assert.rejects(query(db, Author).filter({ name: 'Bob' }).delete(), /refused/);
    await assert.rejects(query(db, Author).bulkCreate([{ name: 'Di' }, { name: 'Ed' }]), /refused/);
    stop();
    assert.deepEqual(
      (await query(db, Author).orderBy('name').values('name')).map((a) => a.name),
      ['Ada', 'Bob'],
    );
    assert.equal(await query(db, History).count(), 3);
    // Inside an outer transaction: its rollback removes the change and the history.
    await assert.rejects(
      db.transaction(async (tx) => {
        await query(tx, Author).create({ name: 'Fay' });
        assert.equal(await query(tx, History).count(), 4);
        await query(tx, Author).create({ name: 'Ada' });
      }),
      ValidationError,
    );
    assert.equal(await query(db, Author).count(), 2);
    assert.equal(await query(db, History).count(), 3);
    // A throwing observer in an outer transaction: the savepoint rolls back, and the error
    // spoils the transaction as a failed write does.
    const refuse = observeWrites(db, Author, () => {
      throw new Error('refused');
    });
    await assert.rejects(
      db.transaction(async (tx) => {
        await query(tx, Author)
          .create({ name: 'Gus' })
          .catch(() => undefined);
      }),
      /rolled back/,
    );
    refuse();
    assert.equal(await query(db, Author).count(), 2);
    assert.equal(await query(db, History).count(), 3);
  });

  test('views and transactions share the observers; another database has its own', async (t) => {
    const { db, Author, calls, record } = await setup(t);
    const other = await open();
    t.after(() => other.close());
    await createTables(other, [Author]);
    observeWrites(db, Author, record);
    await query(db.withSignal(new AbortController().signal), Author).create({ name: 'Ada' });
    await query(db.withTimeZone('Europe/Paris'), Author).create({ name: 'Bob' });
    await db.transaction(async (tx) => {
      await query(tx, Author).create({ name: 'Cy' });
      await tx.transaction((sp) =>
        query(sp.withSignal(new AbortController().signal), Author).create({ name: 'Di' }),
      );
    });
    await query(countQueries(db).db, Author).create({ name: 'Ed' });
    assert.deepEqual(
      calls.map((changes) => changes[0]!.after!.name),
      ['Ada', 'Bob', 'Cy', 'Di', 'Ed'],
    );
    await query(other, Author).create({ name: 'Ada' });
    assert.equal(calls.length, 5, "the other database's writes are not seen");
    // The observer gets the transaction the write runs in.
    let seen: Database | undefined;
    observeWrites(db, Author, (tx) => {
      seen = tx;
    });
    await query(db, Author).filter({ name: 'Ada' }).update({ name: 'Ada L.' });
    assert.equal(seen?.inTransaction, true);
  });

  test('an unobserved model pays no statement, while another is observed', async (t) => {
    const { db, Author, Book, Review, History, record } = await setup(t);
    const ada = await query(db, Author).create({ name: 'Ada' });
    const counter = countQueries(db);
    const cost = async () => {
      counter.reset();
      const book = await query(counter.db, Book).create({ title: 'Dune', authorId: ada.id });
      await query(counter.db, Book).filter({ id: book.id }).update({ pages: 1 });
      await query(counter.db, Book).filter({ id: book.id }).updateOne({ pages: 2 });
      await query(counter.db, Book).filter({ id: book.id }).deleteOne();
      await query(counter.db, Book).bulkCreate([{ title: 'A', authorId: ada.id }]);
      await query(counter.db, Book).delete();
      return counter.count;
    };
    const alone = await cost();
    observeWrites(db, History, record);
    observeWrites(db, Author, record);
    assert.equal(await cost(), alone);
    // Observed, a delete reads the rows its cascade reaches first.
    observeWrites(db, Review, record);
    assert.ok((await cost()) > alone);
  });

  test('many-to-many links added, removed, set and cleared report the declaring rows, from either side', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const registry = createRegistry();
    const Tag = model('links.Tag', { name: f.string({ maxLength: 20 }) }, { registry });
    const Post = model(
      'links.Post',
      {
        title: f.string({ maxLength: 20 }),
        tags: f.manyToMany(() => Tag, { relatedName: 'posts' }),
      },
      { registry },
    );
    const Person = model(
      'links.Person',
      { name: f.string({ maxLength: 20 }), friends: f.manyToMany('self') },
      { registry },
    );
    await createTables(db, [Tag, Post, Person]);
    const [a, b, c] = await query(db, Tag).bulkCreate([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const post = await query(db, Post).create({ title: 'One' });
    const other = await query(db, Post).create({ title: 'Two' });
    const calls: WriteChange[][] = [];
    const stop = observeWrites(db, Post, (_tx, changes) => {
      calls.push([...changes]);
    });
    const tags = query(db, Post).related(post, 'tags', Tag);
    const last = () => shown(calls.at(-1) ?? [], 'title', 'tags');

    await tags.add(b!, a!.id);
    assert.deepEqual(last(), [
      {
        action: 'update',
        model: 'links.Post',
        key: post.id,
        before: { title: 'One', tags: [] },
        after: { title: 'One', tags: [a!.id, b!.id] },
      },
    ]);
    const count = calls.length;
    await tags.add(a!); // linked already: nothing changes, nothing is reported
    assert.equal(calls.length, count);
    await tags.set([b!.id, c!.id]);
    assert.deepEqual(last()[0]!.before, { title: 'One', tags: [a!.id, b!.id] });
    assert.deepEqual(last()[0]!.after, { title: 'One', tags: [b!.id, c!.id] });
    await tags.remove(c!);
    assert.deepEqual(last()[0]!.after, { title: 'One', tags: [b!.id] });

    // From the other side: the posts whose tags change are reported, each with its own links.
    await query(db, Tag).related(c!, 'posts', Post).add(post, other);
    assert.deepEqual(
      last().map((change) => [change.key, change.before!.tags, change.after!.tags]),
      [
        [post.id, [b!.id], [b!.id, c!.id]],
        [other.id, [], [c!.id]],
      ],
    );
    await tags.clear();
    assert.deepEqual(last()[0]!.after, { title: 'One', tags: [] });
    assert.equal((await tags.all()).length, 0);

    // A symmetrical relation: both people's friends change.
    const [ann, bob] = await query(db, Person).bulkCreate([{ name: 'Ann' }, { name: 'Bob' }]);
    const seen: WriteChange[][] = [];
    observeWrites(db, Person, (_tx, changes) => {
      seen.push([...changes]);
    });
    await query(db, Person).related(ann!, 'friends', Person).add(bob!);
    assert.deepEqual(
      shown(seen.at(-1)!, 'friends').map((change) => [
        change.key,
        change.before!.friends,
        change.after!.friends,
      ]),
      [
        [ann!.id, [], [bob!.id]],
        [bob!.id, [], [ann!.id]],
      ],
    );

    // An observer that throws undoes the links.
    stop();
    observeWrites(db, Post, () => {
      throw new Error('refused');
    });
    await assert.rejects(tags.add(a!), /refused/);
    assert.equal((await tags.all()).length, 0);
  });
});
