/**
 * Date parts (year … second, quarter, weekDay) of datetimes, dates and times, read in UTC or
 * the database's time zone, with the same results on both dialects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../src/orm/database.ts';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';

function events() {
  const registry = createRegistry();
  const Event = model(
    'cal.Event',
    {
      name: f.string({ maxLength: 20 }),
      at: f.datetime(),
      on: f.date({ nullable: true }),
      starts: f.time({ nullable: true }),
    },
    { registry, ordering: ['name'] },
  );
  return { Event };
}

async function seed(db: Database) {
  const { Event } = events();
  await createTables(db, [Event]);
  await query(db, Event).bulkCreate([
    // A Thursday; 23:59 UTC is already the next day east of Greenwich.
    { name: 'leap', at: new Date('2024-02-29T23:59:58.750Z'), on: '2024-02-29', starts: '23:59:58' },
    // A Sunday.
    { name: 'new year', at: new Date('2023-01-01T00:00:00Z'), on: '2023-01-01', starts: '00:00' },
    // A Saturday in the fourth quarter, given with an offset.
    { name: 'autumn', at: new Date('2020-10-31T12:30:15+02:00'), on: '2020-10-31', starts: '10:30:15' },
  ]);
  return { Event };
}

forEachDialect((_dialect, open) => {
  test('each date part of a datetime, in UTC', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Event } = await seed(db);
    const events = query(db, Event);
    const names = async (where: object) =>
      (await events.filter(where as never).values('name')).map((r) => r.name);
    assert.deepEqual(await names({ at__year: 2024 }), ['leap']);
    assert.deepEqual(await names({ at__year__gte: 2023 }), ['leap', 'new year']);
    assert.deepEqual(await names({ at__month__in: [1, 2] }), ['leap', 'new year']);
    assert.deepEqual(await names({ at__day: 29 }), ['leap']);
    assert.deepEqual(await names({ at__quarter: 4 }), ['autumn']);
    assert.deepEqual(await names({ at__quarter__lt: 2 }), ['leap', 'new year']);
    assert.deepEqual(await names({ at__weekDay: 5 }), ['leap']); // Thursday
    assert.deepEqual(await names({ at__weekDay: 1 }), ['new year']); // Sunday
    assert.deepEqual(await names({ at__weekDay: 7 }), ['autumn']); // Saturday
    assert.deepEqual(await names({ at__hour: 10 }), ['autumn']); // 12:30 at +02:00
    assert.deepEqual(await names({ at__hour__range: [20, 23], at__minute: 59 }), ['leap']);
    assert.deepEqual(await names({ at__second: 58 }), ['leap']); // fractions dropped
    assert.deepEqual(await names({ at__second__gt: 0 }), ['autumn', 'leap']);
  });

  test("datetime parts are read in the database's time zone, as Django reads them in the current one", async (t) => {
    const db = await open({ timeZone: 'Europe/Paris' });
    t.after(() => db.close());
    const { Event } = await seed(db);
    const names = async (on: Database, where: object) =>
      (
        await query(on, Event)
          .filter(where as never)
          .values('name')
      ).map((r) => r.name);
    // 23:59:58 UTC on Thursday 29 February is 00:59:58 on Friday 1 March in Paris.
    assert.deepEqual(await names(db, { at__day: 1, at__month: 3 }), ['leap']);
    assert.deepEqual(await names(db, { at__weekDay: 6 }), ['leap']); // Friday
    assert.deepEqual(await names(db, { at__hour: 0, at__minute__gte: 59 }), ['leap']);
    assert.deepEqual(await names(db, { at__hour: 1 }), ['new year']); // 01:00 CET
    assert.deepEqual(await names(db, { at__hour__range: [11, 11] }), ['autumn']); // 11:30 CET on 31 October (summer time ended on the 25th)
    assert.deepEqual(await names(db, { at__quarter: 1, at__year: 2024 }), ['leap']);
    // Dates have no time zone; another view of the database reads in its own.
    assert.deepEqual(await names(db, { on__day: 29 }), ['leap']);
    assert.deepEqual(await names(db.withTimeZone('UTC'), { at__day: 29 }), ['leap']);
    assert.deepEqual(await names(db.withTimeZone('America/New_York'), { at__hour: 18 }), ['leap']);
  });

  test('date parts of dates and times; a NULL date matches no part', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Event } = await seed(db);
    await query(db, Event).create({ name: 'undated', at: new Date('2024-06-01T00:00:00Z') });
    const events = query(db, Event);
    const names = async (where: object) =>
      (await events.filter(where as never).values('name')).map((r) => r.name);
    assert.deepEqual(await names({ on__year: 2024 }), ['leap']);
    assert.deepEqual(await names({ on__month__gte: 2 }), ['autumn', 'leap']);
    assert.deepEqual(await names({ on__weekDay__in: [1, 7] }), ['autumn', 'new year']);
    assert.deepEqual(await names({ on__quarter: 1 }), ['leap', 'new year']);
    assert.deepEqual(await names({ starts__hour: 23 }), ['leap']);
    assert.deepEqual(await names({ starts__minute__lt: 31, starts__second: 15 }), ['autumn']);
    assert.equal(await events.exclude({ on__year: 2024 } as never).count(), 2);
  });

  test('datetime parts do not move with the session time zone', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Event } = await seed(db);
    const names = await db.transaction(async (tx) => {
      // UTC+14: 23:59 UTC on Feb 29 is already March 1 there.
      if (tx.dialect === 'postgres') await tx.run("set local time zone 'Pacific/Kiritimati'");
      return (await query(tx, Event).filter({ at__month: 2, at__day: 29, at__hour: 23 }).values('name')).map(
        (r) => r.name,
      );
    });
    assert.deepEqual(names, ['leap']);
  });

  test('date parts are checked against the field kind and take whole numbers', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Event } = await seed(db);
    const events = query(db, Event);
    const bad = (where: object) => () => events.filter(where as never);
    assert.throws(
      bad({ name__year: 2020 }),
      /'year' in 'name__year' is a date part, and 'name' is a string field/,
    );
    assert.throws(bad({ on__hour: 1 }), /its parts: year, quarter, month, day, weekDay/);
    assert.throws(bad({ starts__year: 1 }), /its parts: hour, minute, second/);
    assert.throws(bad({ at__year: '2020' }), /'at__year' needs a whole number, got "2020"/);
    assert.throws(bad({ at__year__icontains: '2' }), QueryError);
    assert.throws(bad({ at__year__isNull: true }), /does not apply/);
    assert.throws(bad({ at__century: 20 }), /'century' in 'at__century' is not a lookup/);
  });
});
