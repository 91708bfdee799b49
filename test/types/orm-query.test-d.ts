/**
 * Compile-time checks of the query API's types, run by `tsc` (the tsconfig includes test/).
 * Each `@ts-expect-error` marks a program that must NOT compile.
 */
import type { Database } from '../../src/orm/database.ts';
import { query } from '../../src/orm/query/queryset.ts';
import type { Filter } from '../../src/orm/query/types.ts';
import type { Row } from '../../src/orm/types.ts';
import { library } from '../orm/model-fixtures.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_Check extends true>(): void {}

const { Book, Author } = library();
declare const db: Database;
const books = query(db, Book);

// --- filters: row keys with lookups, values typed by the field -----------------------------------
books.filter({ title: 'Dune', title__icontains: 'dune', authorId: 3, authorId__in: [1, 2] });
books.filter({ pages__gt: 10, pages__range: [1, 100], pages__isNull: true, editorId: null });
books.filter({ status: 'published' }, { price__lt: '10.00' });
books.exclude({ created__gte: new Date() });
const where: Filter<typeof Book> = { status__in: ['draft'] };
void where;

// @ts-expect-error a misspelt field
books.filter({ titel: 'Dune' });
// @ts-expect-error a foreign key is filtered by authorId
books.filter({ author: 3 });
// @ts-expect-error an unknown lookup
books.filter({ title__like: 'Dune' });
// @ts-expect-error pages is a number
books.filter({ pages: 'many' });
// @ts-expect-error text lookups only on text fields
books.filter({ pages__contains: '1' });
// @ts-expect-error in takes an array
books.filter({ authorId__in: 3 });
// @ts-expect-error range takes two values
books.filter({ pages__range: [1] });
// @ts-expect-error isNull takes a boolean
books.filter({ pages__isNull: 'yes' });
// @ts-expect-error status is one of the enum values
books.filter({ status: 'archived' });

// --- ordering and values ---------------------------------------------------------------------------
books.orderBy('-created', 'title', 'authorId');
// @ts-expect-error not a field
books.orderBy('-titel');
// @ts-expect-error SQL is not a name
books.orderBy('title desc');

async function terminals() {
  expectType<Equal<Awaited<ReturnType<typeof books.all>>, Row<typeof Book>[]>>();
  expectType<Equal<Awaited<ReturnType<typeof books.get>>, Row<typeof Book>>>();
  expectType<Equal<Awaited<ReturnType<typeof books.first>>, Row<typeof Book> | undefined>>();
  const picked = await books.values('id', 'title');
  expectType<Equal<typeof picked, Pick<Row<typeof Book>, 'id' | 'title'>[]>>();
  // @ts-expect-error not a field
  await books.values('secret');

  const ada = await query(db, Author).create({
    firstName: 'A',
    lastName: 'L',
    email: 'a@b.c',
    passwordHash: 'x',
  });
  expectType<Equal<typeof ada.id, number>>();
  // @ts-expect-error email is required
  await query(db, Author).create({ firstName: 'A', lastName: 'L', passwordHash: 'x' });
  await books.update({ status: 'published' });
  // @ts-expect-error views is not editable
  await books.update({ views: 3 });
  expectType<Equal<Awaited<ReturnType<typeof books.delete>>, number>>();
}
void terminals;
