/**
 * Compile-time checks of the query API's types, run by `tsc` (the tsconfig includes test/).
 * Each `@ts-expect-error` marks a program that must NOT compile.
 */
import type { Database } from '../../src/orm/database.ts';
import { avg, count, max, sum } from '../../src/orm/query/aggregates.ts';
import { when } from '../../src/orm/query/cases.ts';
import { extract, trunc } from '../../src/orm/query/dates.ts';
import { and, not, or } from '../../src/orm/query/expressions.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { F } from '../../src/orm/query/refs.ts';
import type { Filter } from '../../src/orm/query/types.ts';
import type { Row } from '../../src/orm/types.ts';
import { library } from '../orm/model-fixtures.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_Check extends true>(): void {}

const { Book, Author, Review } = library();
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

  // bulkUpdate: the fields an update sets (and autoNow ones), rows with their key and those values.
  const read = await books.all();
  const matched = await books.bulkUpdate(read, ['title', 'price', 'authorId', 'updated']);
  expectType<Equal<typeof matched, number>>();
  await books.bulkUpdate([{ id: 'a-uuid', title: 'Dune', pages: null }], ['title', 'pages'], {
    batchSize: 100,
  });
  await books.bulkUpdate([{ id: 'a-uuid' }], ['updated']);
  // @ts-expect-error a misspelt field
  await books.bulkUpdate(read, ['titel']);
  // @ts-expect-error the primary key finds the rows; it is not updated by them
  await books.bulkUpdate(read, ['id']);
  // @ts-expect-error a many-to-many has no column
  await books.bulkUpdate(read, ['tags']);
  // @ts-expect-error views is not editable
  await books.bulkUpdate(read, ['views']);
  // @ts-expect-error a foreign key is named by its row key, authorId
  await books.bulkUpdate(read, ['author']);
  // @ts-expect-error a row needs its primary key
  await books.bulkUpdate([{ title: 'Dune' }], ['title']);
  // @ts-expect-error and the value of every field named
  await books.bulkUpdate([{ id: 'a-uuid' }], ['title']);
  // @ts-expect-error a value of the field's type
  await books.bulkUpdate([{ id: 'a-uuid', pages: 'many' }], ['pages']);
  // @ts-expect-error a value set but not named would be lost: named fields only
  await books.bulkUpdate([{ id: 'a-uuid', title: 'Dune', pages: 3 }], ['title']);
}
void terminals;

// --- across relations ------------------------------------------------------------------------------
books.filter({ author__lastName__icontains: 'love', author__born__isNull: true });
books.filter({ author: { lastName__icontains: 'love', email: 'a@b.c' } });
query(db, Review).filter({ book__author__lastName: 'Lovelace', book: { price__gte: '1' } });
// Reverse and many-to-many paths are checked at run time; spell the lookup after a reverse path.
books.filter({ reviews__rating__gte: 4, tags__slug: 'sf', reviews__isNull: false, editor__lastName: 'B' });
query(db, Author).filter({ bookSet__title: 'Dune', edited__title__exact: 'Notes' });
// @ts-expect-error a two-part path through a custom reverse name needs its lookup spelled out
books.filter({ reviews__rating: 4 });
books.filter({ created__year__gte: 2020, created__month__in: [1, 2], updated__weekDay: 1 });

// @ts-expect-error lastName is text
books.filter({ author__lastName__icontains: 3 });
// @ts-expect-error Author has no field lastNam
books.filter({ author: { lastNam: 'x' } });
// @ts-expect-error a nested relation takes an object
books.filter({ author: 'Ada' });
// @ts-expect-error a date part is a number
books.filter({ created__year: '2020' });
// @ts-expect-error an unknown date part
books.filter({ created__decade: 202 });
// Dates have calendar parts only.
query(db, Author).filter({ born__year__lt: 1900, born__weekDay: 1, born__month__range: [1, 3] });
// @ts-expect-error a date has no hour
query(db, Author).filter({ born__hour: 1 });
// @ts-expect-error a string field has no parts
books.filter({ title__year: 2020 });

// --- or / and / not --------------------------------------------------------------------------------
books.filter(or({ status: 'draft' }, and({ price__lt: '5' }, not({ authorId: 3 }))));
books.exclude(not({ author__lastName: 'x' }), or({ pages__gt: 1 }));
// @ts-expect-error status is one of the enum values, inside or() too
books.filter(or({ status: 'archived' }));
// @ts-expect-error a misspelt field inside not()
books.filter(not({ titel: 'x' }));

// --- ordering, values, aggregates, annotations ----------------------------------------------------
books.orderBy('author__lastName', '-author__email', '-editor__lastName');
// @ts-expect-error Author has no field nope
books.orderBy('author__nope');

async function computed() {
  const totals = await books.aggregate({
    n: count(),
    total: sum('price'),
    pages: avg('pages'),
    meanPrice: avg('price'),
    latest: max('created'),
    rating: avg('reviews__rating'),
    best: max('reviews__rating'),
  });
  expectType<
    Equal<
      typeof totals,
      {
        n: number;
        total: string | null;
        pages: number | null;
        meanPrice: string | null;
        latest: Date | null;
        rating: number | null;
        best: unknown;
      }
    >
  >();
  // @ts-expect-error not a field of Book
  await books.aggregate({ total: sum('pricee') });

  const annotated = books.annotate({ reviewCount: count('reviews') });
  const rows = await annotated.filter({ reviewCount__gte: 2 }).orderBy('-reviewCount').all();
  expectType<Equal<(typeof rows)[number]['reviewCount'], number>>();
  // @ts-expect-error reviewCount is a number
  annotated.filter({ reviewCount: 'many' });

  const picked = await annotated.values('title', 'author__lastName', 'reviewCount');
  expectType<Equal<typeof picked, { title: string; author__lastName: string; reviewCount: number }[]>>();
  // @ts-expect-error not a path of Book
  await books.values('author__nope');

  const groups = await books.groupBy('authorId').aggregate({ n: count(), total: sum('price') });
  expectType<Equal<typeof groups, { authorId: number; n: number; total: string | null }[]>>();

  // trunc() and extract(): typed like the field (a Date), a number; names and units checked.
  const dated = books.annotate({ month: trunc('created', 'month'), year: extract('created', 'year') });
  const months = await dated
    .filter({ year__gte: 2024, month__lt: new Date() })
    .orderBy('-month')
    .values('month', 'year');
  expectType<Equal<typeof months, { month: Date; year: number }[]>>();
  // @ts-expect-error not a unit
  trunc('created', 'fortnight');
  // @ts-expect-error not a part
  extract('created', 'dow');
  // @ts-expect-error title is no date
  books.annotate({ month: trunc('title', 'month') });
  // @ts-expect-error a misspelt annotation
  dated.orderBy('-monht');
  // @ts-expect-error a misspelt annotation
  dated.filter({ yeer: 2024 });
  // @ts-expect-error year is a number
  dated.filter({ year: '2024' });

  // groupBy: paths across foreign keys and annotations, typed; aggregates across relations.
  const perMonth = await dated.groupBy('author__lastName', 'month').aggregate({
    n: count(),
    rating: avg('reviews__rating'),
    cheap: count('id', { filter: { price__lt: '5' } }),
  });
  expectType<
    Equal<
      typeof perMonth,
      { author__lastName: string; month: Date; n: number; rating: number | null; cheap: number }[]
    >
  >();
  // @ts-expect-error a misspelt annotation
  dated.groupBy('monht');

  // F(): in filters through a lookup key; annotations typed by what they compute.
  books.filter({ pages__lt: F('pages').plus(1), price__exact: F('price') });
  const computedRows = await books
    .annotate({
      twice: F('pages').times(2),
      net: F('price').minus('1.50'),
      price2: F('price'),
    })
    .values('twice', 'net', 'price2');
  type Computed = (typeof computedRows)[number];
  expectType<Equal<Computed['twice'], number | null>>();
  expectType<Equal<Computed['net'], string>>();
  expectType<Equal<Computed['price2'], string>>();
  // @ts-expect-error a misspelt field in F()
  books.annotate({ x: F('pagez').times(2) });

  // when(): the union of the values; null without otherwise(); F() values typed as annotations.
  const banded = books.annotate({
    band: when({ price__lt: '10' }, 'cheap').when({ price__lt: '50' }, 'mid').otherwise('dear'),
    flag: when({ status: 'draft' }, true),
    cost: when({ status: 'draft' }, F('price')).otherwise('0'),
  });
  const bandRows = await banded.filter({ band: 'cheap' }).orderBy('band').values('band', 'flag', 'cost');
  type Band = (typeof bandRows)[number];
  expectType<Equal<Band['band'], 'cheap' | 'mid' | 'dear'>>();
  expectType<Equal<Band['flag'], true | null>>();
  expectType<Equal<Band['cost'], string>>();
  // @ts-expect-error not one of the values
  banded.filter({ band: 'free' });

  const raw = await books.raw('select * from library_book where id = ?', ['x']);
  expectType<Equal<typeof raw, Row<typeof Book>[]>>();
  // @ts-expect-error parameters are an array
  await books.raw('select * from library_book where id = ?', 'x');

  for await (const book of books.selectRelated('author').iterate({ chunkSize: 100 })) {
    expectType<Equal<typeof book.author, Row<typeof Author>>>();
  }
}
void computed;
