/**
 * getOrCreate and updateOrCreate: found or created, validated like create, race-safe.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MultipleFoundError, ValidationError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { forEachDialect } from '../support.ts';
import { stocked } from './catalog.ts';

forEachDialect((dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await stocked(db)) };
  }

  test('getOrCreate returns the existing row, or creates one from the lookup and defaults', async (t) => {
    const { db, Tag, Author, ada } = await setup(t);
    const found = await query(db, Tag).getOrCreate({ slug: 'sf' }, { name: 'ignored' });
    assert.deepEqual(found, { row: { slug: 'sf', name: 'Science fiction' }, created: false });
    const made = await query(db, Tag).getOrCreate({ slug__exact: 'poetry' }, { name: 'Poetry' });
    assert.deepEqual(made, { row: { slug: 'poetry', name: 'Poetry' }, created: true });
    assert.equal(await query(db, Tag).count(), 4);
    // A lookup with other lookups matches by them but gives no value to a new row.
    const again = await query(db, Author).getOrCreate({ name__iexact: 'ADA' }, { countryId: 'gb' });
    assert.equal(again.row.id, ada.id);
    assert.equal(again.created, false);
    // The query's own filters apply to the lookup.
    await assert.rejects(query(db, Author).getOrCreate({ countryId: 'gb' }), MultipleFoundError);
  });

  test("a row getOrCreate makes through a filtered query has the filter's values: a second call finds it", async (t) => {
    const { db, Book, Author, ada } = await setup(t);
    const books = query(db, Book).filter({ authorId: ada.id });
    const first = await books.getOrCreate({ title: 'Persuasion' });
    assert.equal(first.created, true);
    assert.equal(first.row.authorId, ada.id);
    const second = await books.getOrCreate({ title: 'Persuasion' });
    assert.deepEqual([second.created, second.row.id], [false, first.row.id]);
    assert.equal(await query(db, Book).filter({ title: 'Persuasion' }).count(), 1);
    // Only a plain value: a lookup or an OR of conditions gives nothing.
    const made = await query(db, Author)
      .filter({ name__startsWith: 'M' }, { name: 'X' })
      .getOrCreate({ name: 'Mary' }, { countryId: 'gb' });
    assert.equal(made.row.name, 'Mary');
  });

  test('callables in defaults are called only when their value is used, once', async (t) => {
    const { db, Tag } = await setup(t);
    let calls = 0;
    const name = () => {
      calls++;
      return 'Poetry';
    };
    await query(db, Tag).getOrCreate({ slug: 'sf' }, { name });
    assert.equal(calls, 0, 'a found row calls nothing');
    const made = await query(db, Tag).getOrCreate({ slug: 'poetry' }, { name });
    assert.deepEqual([made.created, made.row.name, calls], [true, 'Poetry', 1]);
    const updated = await query(db, Tag).updateOrCreate({ slug: 'sf' }, { name: () => 'SF' });
    assert.equal(updated.row.name, 'SF');
  });

  test('getOrCreate validates like create', async (t) => {
    const { db, Tag, Book } = await setup(t);
    await assert.rejects(query(db, Tag).getOrCreate({ slug: 'x y' }, { name: 'X' }), (e) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(
        e.errors.map((x) => [x.loc, x.type]),
        [[['slug'], 'string_pattern_mismatch']],
      );
      return true;
    });
    await assert.rejects(query(db, Book).getOrCreate({ title: 'Ghost' }, { authorId: 99 }), (e) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(e.errors, [
        { loc: ['authorId'], msg: 'Author 99 does not exist', type: 'foreign_key' },
      ]);
      return true;
    });
  });

  test('updateOrCreate updates the existing row, or creates one', async (t) => {
    const { db, Tag } = await setup(t);
    const updated = await query(db, Tag).updateOrCreate({ slug: 'sf' }, { name: 'SF' });
    assert.deepEqual(updated, { row: { slug: 'sf', name: 'SF' }, created: false });
    const made = await query(db, Tag).updateOrCreate({ slug: 'poetry' }, { name: 'Poetry' });
    assert.deepEqual(made, { row: { slug: 'poetry', name: 'Poetry' }, created: true });
    await assert.rejects(query(db, Tag).updateOrCreate({ slug: 'sf' }, { name: 'x'.repeat(51) }), (e) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(
        e.errors.map((x) => x.loc),
        [['name']],
      );
      return true;
    });
    assert.equal((await query(db, Tag).get({ slug: 'sf' })).name, 'SF');
  });

  test('concurrent getOrCreate calls create one row and all return it', async (t) => {
    const { db, Author } = await setup(t);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => query(db, Author).getOrCreate({ name: 'Zoe' }, { countryId: 'gb' })),
    );
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal(new Set(results.map((r) => r.row.id)).size, 1);
    assert.equal(await query(db, Author).filter({ name: 'Zoe' }).count(), 1);
    const updates = await Promise.all(
      ['a', 'b', 'c'].map((code) =>
        query(db, Author).updateOrCreate({ name: 'Yan' }, { countryId: code === 'a' ? 'zz' : 'gb' }),
      ),
    );
    assert.equal(updates.filter((r) => r.created).length, 1);
    assert.equal(await query(db, Author).filter({ name: 'Yan' }).count(), 1);
  });

  if (dialect === 'postgres')
    test('a concurrent insert between the read and the insert is fetched again (PostgreSQL)', async (t) => {
      const { db, Author } = await setup(t);
      // The other transaction inserts Zoe and commits while ours has already looked and found nothing.
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let inserted!: () => void;
      const rowIn = new Promise<void>((resolve) => {
        inserted = resolve;
      });
      const winner = db.transaction(async (tx) => {
        const row = await query(tx, Author).create({ name: 'Zoe', countryId: 'gb' });
        inserted();
        await held;
        return row;
      });
      // Only once the other's row is in (uncommitted, so our read cannot see it): a busy machine
      // must not let our insert go first. Its insert waits on that row, then fails as a unique
      // violation.
      await rowIn;
      const loser = query(db, Author).getOrCreate({ name: 'Zoe' }, { countryId: 'zz' });
      setTimeout(release, 100);
      const [won, lost] = await Promise.all([winner, loser]);
      assert.equal(lost.created, false);
      assert.equal(lost.row.id, won.id);
      assert.equal(lost.row.countryId, 'gb');
    });
});
