/**
 * Names from a request are checked against the model before any SQL is built; values are
 * parameters only, stored and matched verbatim.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { count, max, sum } from '../../../src/orm/query/aggregates.ts';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { or } from '../../../src/orm/query/expressions.ts';
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

test('relation paths, annotation and aggregate names are checked before any SQL runs', async (t) => {
  const db = await testDatabase();
  t.after(() => db.close());
  let ran = 0;
  const counted = new Proxy(db, {
    get(target, key, receiver) {
      if (key === 'all' || key === 'get' || key === 'run') ran++;
      return Reflect.get(target, key, receiver);
    },
  });
  const { Book } = library();
  const books = query(counted, Book);
  const bad = (name: string) => ({ [name]: 1 }) as never;
  for (const path of [
    'author__lastName; drop table library_author',
    'author__"last_name"',
    'reviews__rating) or (1=1',
    'author__lastName__icontains__x',
    'author____lastName',
    'tags__name__in); delete from library_tag; --',
    "author__lastName' --",
  ])
    assert.throws(() => books.filter(bad(path)), QueryError, path);
  assert.throws(() => books.filter({ author: { 'lastName = lastName or 1': 1 } } as never), QueryError);
  assert.throws(() => books.filter(or(bad('1=1'))), QueryError);
  assert.throws(() => books.orderBy('author__lastName desc; --' as never), QueryError);
  assert.throws(() => books.orderBy('-author__(select 1)' as never), QueryError);
  await assert.rejects(books.values('author__lastName, (select 1)' as never), QueryError);
  for (const name of ['n) from x; --', 'a b', '"n"', 'n--', '1n', '', 'volt_a0; drop table x'])
    assert.throws(() => books.annotate({ [name]: count('reviews') } as never), QueryError, name);
  await assert.rejects(books.aggregate({ 'total; drop table x': sum('price') } as never), QueryError);
  await assert.rejects(books.aggregate({ total: sum('price) from library_book; --' as never) }), QueryError);
  assert.throws(() => books.annotate({ n: max('reviews__rating; drop table x' as never) }), QueryError);
  await assert.rejects(
    books.groupBy('authorId').aggregate({ n: count() }, { having: { 'n) or (1=1': 1 } as never }),
    QueryError,
  );
  assert.throws(() => books.groupBy('authorId; drop table x' as never), QueryError);
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

forEachDialect((dialect, open) => {
  test('injection payloads across relations, in annotations and in raw are only values', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Author, Book, Review, dune } = await seeded(db);
    for (const payload of PAYLOADS) {
      await query(db, Review).create({ bookId: dune.id, rating: 1, body: payload });
      assert.equal(await query(db, Book).filter({ reviews__body__exact: payload }).count(), 1, payload);
      assert.equal(await query(db, Book).filter({ author__lastName: payload }).count(), 0, payload);
      assert.equal(
        await query(db, Author).filter({ bookSet__reviews__body__exact: payload }).count(),
        1,
        payload,
      );
      const p = dialect === 'sqlite' ? '?' : '$1';
      assert.equal(
        (await query(db, Review).raw(`select * from library_review where body = ${p}`, [payload])).length,
        1,
      );
    }
    const annotated = query(db, Book).annotate({ reviewCount: count('reviews') });
    assert.equal(await annotated.filter({ reviewCount__gte: PAYLOADS.length }).count(), 1);
    assert.throws(() => annotated.filter({ reviewCount: '1 or 1=1' } as never), /compares with a number/);
    assert.equal(await query(db, Book).count(), 3);
    assert.equal(await query(db, Review).count(), PAYLOADS.length);
  });
});
