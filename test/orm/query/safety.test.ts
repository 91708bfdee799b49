/**
 * Names from a request are checked against the model before any SQL is built; values are
 * parameters only, stored and matched verbatim.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { library } from '../model-fixtures.ts';
import { forEachDialect, testDatabase } from '../support.ts';
import { seeded } from './fixtures.ts';

const PAYLOADS = [
  "'; drop table library_book; --",
  '" or 1=1 --',
  "x' or '1'='1",
  '%',
  '_',
  '\\',
  "Robert'); DELETE FROM library_author;--",
  '$1',
  '?',
];

test('unknown fields, lookups and ordering names are rejected before any SQL runs', async (t) => {
  const db = await testDatabase();
  t.after(() => db.close());
  let ran = 0;
  const counted = new Proxy(db, {
    get(target, key, receiver) {
      if (key === 'all' || key === 'get' || key === 'run') {
        return (...args: unknown[]) => {
          ran++;
          return (target[key] as (...a: unknown[]) => unknown)(...args);
        };
      }
      return Reflect.get(target, key, receiver);
    },
  });
  const { Book } = library();
  const books = query(counted, Book);
  const bad = (name: string) => ({ [name]: 1 }) as never;
  assert.throws(
    () => books.filter(bad('titel')),
    (error: Error) => {
      assert.ok(error instanceof QueryError);
      assert.match(
        error.message,
        /library\.Book has no field 'titel'; valid names are: id, title, isbn, price/,
      );
      return true;
    },
  );
  assert.throws(
    () => books.filter(bad('title__like')),
    /'like' in 'title__like' is not a lookup; lookups are: exact, iexact/,
  );
  assert.throws(() => books.filter(bad('title__')), /is not a lookup/);
  assert.throws(() => books.filter(bad('pages__icontains')), /compares text/);
  assert.throws(
    () => books.filter(bad('tags')),
    /'tags' is a relation of library.Book; name a field of library.Tag after it/,
  );
  assert.throws(() => books.filter(bad('title; drop table x')), QueryError);
  assert.throws(() => books.exclude(bad('1=1 or title')), QueryError);
  assert.throws(() => books.filter({ title: undefined } as never), /undefined/);
  assert.throws(() => books.filter({ title: { $gt: '' } } as never), /an object/);
  assert.throws(() => books.filter({ pages__in: 3 } as never), /needs an array/);
  assert.throws(() => books.filter({ pages__range: [1] } as never), /needs \[low, high\]/);
  assert.throws(() => books.filter({ pages__isNull: 'yes' } as never), /true or false/);
  assert.throws(() => books.orderBy('price desc' as never), /has no field 'price desc'/);
  assert.throws(() => books.orderBy('-' as never), QueryError);
  await assert.rejects(books.values('secret' as never), /has no field 'secret'/);
  assert.throws(() => books.limit('1; drop' as never), /limit should be a whole number/);
  assert.equal(ran, 0);
});

forEachDialect((_dialect, open) => {
  test('injection payloads in values are stored and matched verbatim', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Tag, Book } = await seeded(db);
    const tags = query(db, Tag);
    for (const [i, payload] of PAYLOADS.entries()) await tags.create({ slug: `t${i}`, name: payload });
    for (const [i, payload] of PAYLOADS.entries()) {
      assert.equal((await tags.get({ name: payload })).slug, `t${i}`);
      assert.equal((await tags.filter({ name__iexact: payload }).values('slug'))[0]?.slug, `t${i}`);
      const containing = await tags.filter({ name__contains: payload }).values('name');
      assert.ok(
        containing.every((r) => r.name.includes(payload)),
        payload,
      );
      const starting = await tags.filter({ name__startsWith: payload }).values('name');
      assert.ok(starting.length >= 1 && starting.every((r) => r.name.startsWith(payload)), payload);
    }
    assert.deepEqual(
      (await tags.orderBy('slug').values('name')).map((r) => r.name),
      PAYLOADS,
    );
    assert.equal(await query(db, Book).count(), 3);
    assert.equal(await tags.filter({ name__in: PAYLOADS }).count(), PAYLOADS.length);
    assert.equal(await tags.filter({ name: "' or '1'='1" }).count(), 0);
    assert.equal(await tags.filter({ name: "' or '1'='1" }).delete(), 0);
    assert.equal(await tags.filter({ name: "x' or '1'='1" }).update({ name: "'; --" }), 1);
    assert.equal((await tags.get({ slug: 't2' })).name, "'; --");
  });
});
