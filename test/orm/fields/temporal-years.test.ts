/**
 * Dates and datetimes of the years 1 to 9999 are accepted, stored, found and read back as
 * written on both databases (`Date.UTC` reads the years 0–99 as 1900–1999); year 0 and year
 * 10000, which neither database or ISO-8601 text holds as such, are refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { ValidationError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';

const registry = createRegistry();
const Event = model('history.Event', { day: f.date(), at: f.datetime({ nullable: true }) }, { registry });

function utc(year: number, month: number, day: number, hour = 0): Date {
  const date = new Date(Date.UTC(2000, month - 1, day, hour));
  date.setUTCFullYear(year);
  return date;
}

test('f.date() and f.datetime() check the years 1 to 9999, leap days included', () => {
  const day = f.date();
  for (const ok of ['0001-01-01', '0050-03-01', '0099-12-31', '0004-02-29', '0400-02-29', '9999-12-31'])
    assert.deepEqual(day.check(ok), [], ok);
  for (const bad of ['0000-01-01', '0100-02-29', '0001-13-01', '0001-00-10', '10000-01-01'])
    assert.equal(day.check(bad)[0]?.type, 'date_type', bad);
  const when = f.datetime();
  for (const ok of ['0001-01-01T00:00:00Z', '0050-03-01T10:00:00+02:00', '9999-12-31T23:59:59Z'])
    assert.deepEqual(when.check(ok), [], ok);
  assert.deepEqual(when.check(utc(50, 3, 1)), []);
  for (const bad of ['0000-06-01T00:00:00Z', '0001-01-01T00:30:00+01:00', '9999-12-31T23:30:00-01:00'])
    assert.equal(when.check(bad)[0]?.type, 'datetime_type', bad);
  assert.equal(when.check(utc(10000, 1, 1))[0]?.type, 'datetime_type');
  assert.equal(when.check(utc(0, 6, 1))[0]?.type, 'datetime_type');
});

forEachDialect((_dialect, open) => {
  test('the years 1 to 99 are stored, found and read back as written', async (t) => {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Event]);
    const events = query(db, Event);
    const days = ['0001-01-01', '0050-03-01', '0099-12-31', '1999-12-31', '9999-12-31'];
    const created = await events.bulkCreate(
      days.map((day, i) => ({ day, at: utc(Number(day.slice(0, 4)), 3, 1, i) })),
    );
    assert.deepEqual(
      created.map((e) => e.day),
      days,
    );
    const read = await events.orderBy('day').all();
    assert.deepEqual(
      read.map((e) => e.day),
      days,
    );
    assert.deepEqual(
      read.map((e) => e.at?.toISOString()),
      [
        '0001-03-01T00:00:00.000Z',
        '0050-03-01T01:00:00.000Z',
        '0099-03-01T02:00:00.000Z',
        '1999-03-01T03:00:00.000Z',
        '9999-03-01T04:00:00.000Z',
      ],
    );
    assert.equal((await events.get({ day: '0050-03-01' })).at?.getUTCFullYear(), 50);
    assert.equal(await events.filter({ day__lt: '0100-01-01' }).count(), 3);
    assert.equal(await events.filter({ day__year: 50 }).count(), 1);
    assert.equal(await events.filter({ at__lt: utc(100, 1, 1) }).count(), 3);
    const text = await events.create({ day: '0050-03-02', at: '0050-03-02T10:00:00+02:00' as never });
    assert.equal(text.at?.toISOString(), '0050-03-02T08:00:00.000Z');
    await assert.rejects(events.create({ day: '0000-01-01' }), ValidationError);
    await assert.rejects(events.create({ day: '0001-01-01', at: utc(10000, 1, 1) }), ValidationError);
  });
});
