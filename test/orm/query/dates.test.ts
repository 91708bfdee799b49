/**
 * trunc() and extract(): dates cut down and read in a time zone, the same on SQLite (Volt's
 * functions) and PostgreSQL (date_trunc/extract at time zone), across DST changes and the
 * edges of years and ISO weeks; the database's time zone and a call's own; dates and times;
 * annotations filtered, ordered, picked and grouped; bad input refused before any SQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from '../../../src/orm/database.ts';
import { count } from '../../../src/orm/query/aggregates.ts';
import { cachedShapes } from '../../../src/orm/query/cache.ts';
import { extract, trunc } from '../../../src/orm/query/dates.ts';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import type { OpenTestDatabase } from '../../../src/testing/database.ts';
import { forEachDialect } from '../support.ts';
import { salesDatabase } from './fixtures-sales.ts';

/** Instants around the DST changes of 2024 (Paris: 31 March, 27 October; New York: 10 March, 3 November) and year ends. */
const INSTANTS = [
  '2024-03-31T00:30:00.000Z', // Paris 01:30 CET, just before clocks go forward
  '2024-03-31T01:30:00.000Z', // Paris 03:30 CEST
  '2024-10-27T00:30:00.000Z', // Paris 02:30 CEST, the first of two
  '2024-10-27T01:30:00.000Z', // Paris 02:30 CET, the second
  '2024-11-03T05:30:00.000Z', // New York 01:30 EDT, the first of two
  '2024-11-03T06:30:00.000Z', // New York 01:30 EST, the second
  '2024-12-31T23:30:00.000Z', // Paris: already 2025; New York: still 2024
  '2021-01-03T12:00:00.000Z', // a Sunday in ISO week 53 of 2020
  '2024-12-30T03:00:00.000Z', // Paris: a Monday in ISO week 1 of 2025; New York: still Sunday 29th
];

async function setup(
  open: OpenTestDatabase,
  t: { after: (fn: () => Promise<void>) => void },
  timeZone?: string,
) {
  const db = await open(timeZone ? { timeZone } : {});
  t.after(() => db.close());
  const sales = await salesDatabase(db);
  await query(db, sales.Order).bulkCreate(
    INSTANTS.map((at) => ({ customerId: sales.ana.id, placedAt: new Date(at), total: '1.00' })),
  );
  return { db, ...sales };
}

const iso = (rows: readonly Record<string, unknown>[], key: string) =>
  rows.map((row) => (row[key] instanceof Date ? (row[key] as Date).toISOString() : row[key]));

forEachDialect((_dialect, open) => {
  test('trunc gives the instant each period starts at in the time zone, across DST changes', async (t) => {
    const { db, Order } = await setup(open, t);
    const cut = (timeZone: string) =>
      query(db, Order)
        .annotate({
          year: trunc('placedAt', 'year', { timeZone }),
          quarter: trunc('placedAt', 'quarter', { timeZone }),
          month: trunc('placedAt', 'month', { timeZone }),
          week: trunc('placedAt', 'week', { timeZone }),
          day: trunc('placedAt', 'day', { timeZone }),
          hour: trunc('placedAt', 'hour', { timeZone }),
          minute: trunc('placedAt', 'minute', { timeZone }),
        })
        .orderBy('id')
        .values('year', 'quarter', 'month', 'week', 'day', 'hour', 'minute');
    const paris = await cut('Europe/Paris');
    assert.deepEqual(iso(paris, 'day'), [
      '2024-03-30T23:00:00.000Z', // midnight CET
      '2024-03-30T23:00:00.000Z',
      '2024-10-26T22:00:00.000Z', // midnight CEST
      '2024-10-26T22:00:00.000Z',
      '2024-11-02T23:00:00.000Z',
      '2024-11-02T23:00:00.000Z',
      '2024-12-31T23:00:00.000Z', // 1 January 2025 in Paris
      '2021-01-02T23:00:00.000Z',
      '2024-12-29T23:00:00.000Z',
    ]);
    assert.deepEqual(iso(paris, 'hour'), [
      '2024-03-31T00:00:00.000Z',
      '2024-03-31T01:00:00.000Z', // 03:00 CEST: 02:00 never happened
      // 02:00 happened twice: PostgreSQL's reading of such a wall time is the later one (CET).
      '2024-10-27T01:00:00.000Z',
      '2024-10-27T01:00:00.000Z',
      '2024-11-03T05:00:00.000Z',
      '2024-11-03T06:00:00.000Z',
      '2024-12-31T23:00:00.000Z',
      '2021-01-03T12:00:00.000Z',
      '2024-12-30T03:00:00.000Z',
    ]);
    assert.deepEqual(iso(paris, 'week'), [
      '2024-03-24T23:00:00.000Z', // Monday 25 March
      '2024-03-24T23:00:00.000Z',
      '2024-10-20T22:00:00.000Z',
      '2024-10-20T22:00:00.000Z',
      '2024-10-27T23:00:00.000Z', // Monday 28 October, after clocks went back
      '2024-10-27T23:00:00.000Z',
      '2024-12-29T23:00:00.000Z', // Monday 30 December 2024 holds 1 January 2025
      '2020-12-27T23:00:00.000Z',
      '2024-12-29T23:00:00.000Z',
    ]);
    assert.deepEqual(iso(paris, 'month').slice(0, 7), [
      '2024-02-29T23:00:00.000Z',
      '2024-02-29T23:00:00.000Z',
      '2024-09-30T22:00:00.000Z',
      '2024-09-30T22:00:00.000Z',
      '2024-10-31T23:00:00.000Z',
      '2024-10-31T23:00:00.000Z',
      '2024-12-31T23:00:00.000Z',
    ]);
    assert.deepEqual(iso(paris, 'quarter').slice(0, 3), [
      '2023-12-31T23:00:00.000Z',
      '2023-12-31T23:00:00.000Z',
      '2024-09-30T22:00:00.000Z',
    ]);
    assert.deepEqual(iso(paris, 'year').slice(5, 8), [
      '2023-12-31T23:00:00.000Z',
      '2024-12-31T23:00:00.000Z',
      '2020-12-31T23:00:00.000Z',
    ]);
    // The first 02:30 of 27 October is read back as the second, as PostgreSQL reads that wall time.
    assert.deepEqual(iso(paris, 'minute'), INSTANTS.with(2, '2024-10-27T01:30:00.000Z'));
    const newYork = await cut('America/New_York');
    assert.deepEqual(iso(newYork, 'day'), [
      '2024-03-30T04:00:00.000Z',
      '2024-03-30T04:00:00.000Z',
      '2024-10-26T04:00:00.000Z',
      '2024-10-26T04:00:00.000Z',
      '2024-11-03T04:00:00.000Z', // midnight EDT, the day clocks go back
      '2024-11-03T04:00:00.000Z',
      '2024-12-31T05:00:00.000Z',
      '2021-01-03T05:00:00.000Z',
      '2024-12-29T05:00:00.000Z',
    ]);
    assert.deepEqual(iso(newYork, 'hour').slice(4, 6), [
      '2024-11-03T06:00:00.000Z',
      '2024-11-03T06:00:00.000Z',
    ]);
    assert.deepEqual(iso(newYork, 'year').slice(6, 9), [
      '2024-01-01T05:00:00.000Z',
      '2021-01-01T05:00:00.000Z',
      '2024-01-01T05:00:00.000Z',
    ]);
    assert.deepEqual(iso(newYork, 'week').slice(6, 9), [
      '2024-12-30T05:00:00.000Z',
      '2020-12-28T05:00:00.000Z',
      '2024-12-23T05:00:00.000Z',
    ]);
  });

  test('extract reads parts in the time zone; ISO weeks and years at the edges of years', async (t) => {
    const { db, Order } = await setup(open, t);
    const parts = async (timeZone: string) =>
      (
        await query(db, Order)
          .annotate({
            year: extract('placedAt', 'year', { timeZone }),
            quarter: extract('placedAt', 'quarter', { timeZone }),
            month: extract('placedAt', 'month', { timeZone }),
            day: extract('placedAt', 'day', { timeZone }),
            week: extract('placedAt', 'week', { timeZone }),
            weekDay: extract('placedAt', 'weekDay', { timeZone }),
            isoWeekDay: extract('placedAt', 'isoWeekDay', { timeZone }),
            isoYear: extract('placedAt', 'isoYear', { timeZone }),
            hour: extract('placedAt', 'hour', { timeZone }),
            minute: extract('placedAt', 'minute', { timeZone }),
            second: extract('placedAt', 'second', { timeZone }),
          })
          .orderBy('id')
          .values(
            'year',
            'quarter',
            'month',
            'day',
            'week',
            'weekDay',
            'isoWeekDay',
            'isoYear',
            'hour',
            'minute',
            'second',
          )
      ).map((row) => Object.values(row).join(','));
    assert.deepEqual(await parts('Europe/Paris'), [
      '2024,1,3,31,13,1,7,2024,1,30,0',
      '2024,1,3,31,13,1,7,2024,3,30,0',
      '2024,4,10,27,43,1,7,2024,2,30,0',
      '2024,4,10,27,43,1,7,2024,2,30,0',
      '2024,4,11,3,44,1,7,2024,6,30,0',
      '2024,4,11,3,44,1,7,2024,7,30,0',
      '2025,1,1,1,1,4,3,2025,0,30,0',
      '2021,1,1,3,53,1,7,2020,13,0,0',
      '2024,4,12,30,1,2,1,2025,4,0,0',
    ]);
    assert.deepEqual(await parts('America/New_York'), [
      '2024,1,3,30,13,7,6,2024,20,30,0',
      '2024,1,3,30,13,7,6,2024,21,30,0',
      '2024,4,10,26,43,7,6,2024,20,30,0',
      '2024,4,10,26,43,7,6,2024,21,30,0',
      '2024,4,11,3,44,1,7,2024,1,30,0',
      '2024,4,11,3,44,1,7,2024,1,30,0',
      '2024,4,12,31,1,3,2,2025,18,30,0',
      '2021,1,1,3,53,1,7,2020,7,0,0',
      '2024,4,12,29,52,1,7,2024,22,0,0',
    ]);
  });

  test("the database's time zone is the default; a call's own timeZone wins", async (t) => {
    const { db, Order } = await setup(open, t, 'Europe/Paris');
    assert.equal(db.timeZone, 'Europe/Paris');
    const rows = await query(db, Order)
      .annotate({
        day: trunc('placedAt', 'day'),
        utcDay: trunc('placedAt', 'day', { timeZone: 'UTC' }),
        year: extract('placedAt', 'year'),
      })
      .orderBy('id')
      .values('day', 'utcDay', 'year');
    assert.deepEqual(rows[6], {
      day: new Date('2024-12-31T23:00:00Z'),
      utcDay: new Date('2024-12-31T00:00:00Z'),
      year: 2025,
    });
    const utc = await open();
    t.after(() => utc.close());
    assert.equal(utc.timeZone, 'UTC');
  });

  test('withTimeZone() views the database in another zone, its transactions too; a bad name is refused', async (t) => {
    const { db, Order } = await setup(open, t);
    assert.equal(db.timeZone, 'UTC');
    const paris = db.withTimeZone('Europe/Paris');
    assert.equal(paris.timeZone, 'Europe/Paris');
    const day = async (on: typeof db) =>
      (
        await query(on, Order)
          .annotate({ day: trunc('placedAt', 'day') })
          .orderBy('id')
          .values('day')
      )[6]!.day;
    assert.deepEqual(await day(paris), new Date('2024-12-31T23:00:00Z'));
    assert.deepEqual(await day(db), new Date('2024-12-31T00:00:00Z'), 'the database itself is unchanged');
    await paris.transaction(async (tx) => {
      assert.equal(tx.timeZone, 'Europe/Paris');
      assert.deepEqual(await day(tx), new Date('2024-12-31T23:00:00Z'));
      assert.equal(tx.withTimeZone('America/New_York').timeZone, 'America/New_York');
    });
    assert.equal(paris.withSignal(new AbortController().signal).timeZone, 'Europe/Paris');
    assert.throws(() => db.withTimeZone('Mars/Olympus'), /"Mars\/Olympus" is not a time zone/);
  });

  test('dates truncate to dates; dates and times give their parts, with no time zone', async (t) => {
    const { db, Order, Customer, ana } = await setup(open, t, 'America/New_York');
    const orders = await query(db, Order).orderBy('id').limit(3).values('id');
    const ids = orders.map((o) => o.id);
    await query(db, Order).filter({ id: ids[0]! }).update({ shippedOn: '2024-12-30', pickupAt: '21:45:07' });
    await query(db, Order).filter({ id: ids[1]! }).update({ shippedOn: '2021-01-03', pickupAt: '00:05' });
    const rows = await query(db, Order)
      .filter({ id__in: ids })
      .annotate({
        week: trunc('shippedOn', 'week'),
        month: trunc('shippedOn', 'month'),
        quarter: trunc('shippedOn', 'quarter'),
        isoYear: extract('shippedOn', 'isoYear'),
        weekDay: extract('shippedOn', 'weekDay'),
        hour: extract('pickupAt', 'hour'),
        second: extract('pickupAt', 'second'),
      })
      .orderBy('id')
      .values('week', 'month', 'quarter', 'isoYear', 'weekDay', 'hour', 'second');
    assert.deepEqual(rows, [
      {
        week: '2024-12-30',
        month: '2024-12-01',
        quarter: '2024-10-01',
        isoYear: 2025,
        weekDay: 2,
        hour: 21,
        second: 7,
      },
      {
        week: '2020-12-28',
        month: '2021-01-01',
        quarter: '2021-01-01',
        isoYear: 2020,
        weekDay: 1,
        hour: 0,
        second: 0,
      },
      { week: null, month: null, quarter: null, isoYear: null, weekDay: null, hour: null, second: null },
    ]);
    // Across a foreign key: the customer's date.
    const since = await query(db, Order)
      .filter({ customerId: ana.id })
      .annotate({ since: trunc('customer__since', 'year') })
      .first();
    assert.equal(since?.since, '2020-01-01');
    assert.deepEqual(
      await query(db, Customer)
        .annotate({ y: extract('since', 'year') })
        .orderBy('name')
        .values('name', 'y'),
      [
        { name: 'Ana', y: 2020 },
        { name: 'Bo', y: null },
        { name: 'Cy', y: null },
      ],
    );
  });

  test('trunc and extract annotations are filtered, ordered, picked by values and grouped by', async (t) => {
    const { db, Order } = await setup(open, t, 'Europe/Paris');
    const orders = query(db, Order).annotate({
      month: trunc('placedAt', 'month'),
      year: extract('placedAt', 'isoYear'),
    });
    assert.equal(await orders.filter({ year: 2025 }).count(), 2);
    assert.equal(await orders.filter({ year__in: [2020, 2025] }).count(), 3);
    assert.equal(await orders.filter({ month: new Date('2024-10-31T23:00:00Z') }).count(), 2);
    assert.equal(await orders.filter({ month__gte: new Date('2024-10-01T00:00:00+02:00') }).count(), 6);
    assert.equal(await orders.exclude({ year: 2024 }).count(), 3);
    assert.deepEqual(iso(await orders.orderBy('-month', '-id').limit(2).values('month'), 'month'), [
      '2024-12-31T23:00:00.000Z',
      '2024-11-30T23:00:00.000Z',
    ]);
    const perMonth = await orders.groupBy('month').aggregate({ orders: count() });
    assert.deepEqual(
      perMonth.map((row) => [row.month.toISOString(), row.orders]),
      [
        ['2020-12-31T23:00:00.000Z', 1],
        ['2024-02-29T23:00:00.000Z', 2],
        ['2024-09-30T22:00:00.000Z', 2],
        ['2024-10-31T23:00:00.000Z', 2],
        ['2024-11-30T23:00:00.000Z', 1],
        ['2024-12-31T23:00:00.000Z', 1],
      ],
    );
    assert.deepEqual(
      await orders.groupBy('year').aggregate({ orders: count() }, { having: { orders__gte: 2 } }),
      [
        { year: 2024, orders: 6 },
        { year: 2025, orders: 2 },
      ],
    );
  });

  test('one SQL text serves every time zone: the zone is a parameter', async (t) => {
    const { db, Order } = await setup(open, t);
    const run = (timeZone: string) =>
      query(db, Order)
        .annotate({ day: trunc('placedAt', 'day', { timeZone }) })
        .filter({ day__gte: new Date('2024-01-01T00:00:00Z') })
        .orderBy('day')
        .values('day');
    await run('UTC');
    const shapes = cachedShapes(Order);
    const [paris, tokyo] = [await run('Europe/Paris'), await run('Asia/Tokyo')];
    assert.equal(cachedShapes(Order), shapes);
    assert.notDeepEqual(paris, tokyo);
  });

  test("zones in the selected values, the conditions and the order are bound in the SQL's order", async (t) => {
    const { db, Order } = await setup(open, t);
    const run = (selected: string, filtered: string, ordered: string) =>
      query(db, Order)
        .annotate({
          shown: trunc('placedAt', 'day', { timeZone: selected }),
          kept: trunc('placedAt', 'day', { timeZone: filtered }),
          sorted: extract('placedAt', 'hour', { timeZone: ordered }),
        })
        .filter({ kept__gte: new Date('2024-10-27T00:00:00Z') })
        .orderBy('sorted', 'id')
        .values('shown');
    const before = cachedShapes(Order);
    const first = await run('UTC', 'Europe/Paris', 'America/New_York');
    // Cached at once: the parameters gathered match the compiled statement's, in order.
    assert.equal(cachedShapes(Order), before + 1);
    // Days in UTC of the orders of 27 October (Paris) on, by their hour in New York (1, 1, 18, 22).
    assert.deepEqual(iso(first, 'shown'), [
      '2024-11-03T00:00:00.000Z',
      '2024-11-03T00:00:00.000Z',
      '2024-12-31T00:00:00.000Z',
      '2024-12-30T00:00:00.000Z',
    ]);
    const second = await run('America/New_York', 'UTC', 'Europe/Paris');
    assert.equal(cachedShapes(Order), before + 1);
    // Days in New York of the orders of 27 October (UTC) on, by their hour in Paris (0, 2, 2, 4, 6, 7).
    assert.deepEqual(iso(second, 'shown'), [
      '2024-12-31T05:00:00.000Z',
      '2024-10-26T04:00:00.000Z',
      '2024-10-26T04:00:00.000Z',
      '2024-12-29T05:00:00.000Z',
      '2024-11-03T04:00:00.000Z',
      '2024-11-03T04:00:00.000Z',
    ]);
  });

  test('bad units, parts, fields and time zones are refused before any SQL runs', async (t) => {
    const { db, Order } = await setup(open, t);
    const orders = query(db, Order);
    assert.throws(
      () => trunc('placedAt', 'fortnight' as never),
      /'fortnight' is not a unit; units are: year, quarter/,
    );
    assert.throws(() => extract('placedAt', 'dow' as never), /'dow' is not a part; parts are: year/);
    assert.throws(
      () => trunc('placedAt', 'month', { timeZone: 'Mars/Olympus' }),
      (error: unknown) =>
        error instanceof QueryError &&
        /"Mars\/Olympus" is not a time zone; give an IANA name/.test(error.message),
    );
    assert.throws(() => trunc('placedAt', 'day', { timeZone: '+02:00' }), /is not a time zone/);
    assert.throws(() => trunc('' as never, 'day'), /name a date or datetime field/);
    assert.throws(
      () => orders.annotate({ m: trunc('total' as never, 'month') }),
      /needs a date or datetime field, and 'total' is a decimal field/,
    );
    assert.throws(
      () => orders.annotate({ m: trunc('placedOn' as never, 'month') }),
      /sales\.Order has no field 'placedOn'/,
    );
    assert.throws(
      () => orders.annotate({ m: trunc('shippedOn', 'hour') }),
      /cuts a date, which has no 'hour'/,
    );
    assert.throws(
      () => orders.annotate({ m: trunc('shippedOn', 'day', { timeZone: 'Europe/Paris' }) }),
      /reads a date, which has no time zone; leave timeZone out/,
    );
    assert.throws(
      () => orders.annotate({ m: extract('pickupAt', 'year') }),
      /reads a time, which has no 'year'/,
    );
    assert.throws(
      () => orders.annotate({ m: trunc('lines__order__placedAt' as never, 'day') }),
      /crosses a relation holding several rows/,
    );
    assert.throws(
      () => orders.annotate({ m: trunc('placedAt', 'day') }).filter({ m__contains: '2024' } as never),
      /compares text/,
    );
    assert.throws(
      () => orders.annotate({ y: extract('placedAt', 'year') }).filter({ y: 'x' } as never),
      /needs a whole number|needs a number/,
    );
    await assert.rejects(
      connect('sqlite::memory:', { timeZone: 'Europe/Pariss' }),
      /connect\(\{ timeZone \}\): "Europe\/Pariss" is not a time zone/,
    );
  });
});
