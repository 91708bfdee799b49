/**
 * Datetimes in the app's TIME_ZONE, as Django's admin shows and reads them: the wall-clock time
 * in the zone in forms, lists and exports; a typed time read in the zone; a time the zone skips
 * or has twice refused with Django's message (nothing written); date filters by the zone's days.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { f, model, query } from 'voltjs/orm';
import { fromZoned, startOfDay, zonedInput, zonedText } from '../../src/admin/time-zone.ts';
import { createTables } from '../../src/orm/ddl.ts';
import { catalog } from './fixture.ts';

const PARIS = 'Europe/Paris';
const Meeting = model('catalog.Meeting', { title: f.string({ maxLength: 50 }), at: f.datetime() });

describe('admin time zone: conversions', () => {
  test('an instant reads as the wall-clock time of the zone, with its name; UTC as before', () => {
    const summer = new Date('2026-07-01T08:00:00Z');
    assert.equal(zonedInput(summer, PARIS), '2026-07-01T10:00:00');
    assert.equal(zonedText(summer, PARIS), '2026-07-01 10:00:00 GMT+2');
    assert.equal(zonedText(new Date('2026-01-01T08:00:00Z'), PARIS), '2026-01-01 09:00:00 GMT+1');
    assert.equal(zonedText(summer, 'UTC'), '2026-07-01 08:00:00 UTC');
    assert.equal(zonedInput(summer, 'Asia/Kolkata'), '2026-07-01T13:30:00');
  });

  test('a typed time is read in the zone; one with an offset is kept as given', () => {
    assert.deepEqual(fromZoned('2026-07-01T10:00', PARIS), { value: new Date('2026-07-01T08:00:00Z') });
    assert.deepEqual(fromZoned('2026-01-15 10:00:30.250', PARIS), {
      value: new Date('2026-01-15T09:00:30.250Z'),
    });
    assert.deepEqual(fromZoned('2026-07-01T10:00Z', PARIS), { value: new Date('2026-07-01T10:00:00Z') });
    assert.deepEqual(fromZoned('2026-07-01T10:00+05:00', PARIS), { value: new Date('2026-07-01T05:00:00Z') });
    assert.deepEqual(fromZoned('2026-07-01T10:00', 'UTC'), { value: new Date('2026-07-01T10:00:00Z') });
    // Either side of the autumn hour that happens twice.
    assert.deepEqual(fromZoned('2026-10-25T01:59:59', PARIS), { value: new Date('2026-10-24T23:59:59Z') });
    assert.deepEqual(fromZoned('2026-10-25T03:00', PARIS), { value: new Date('2026-10-25T02:00:00Z') });
  });

  test('a time the zone skips or has twice is refused, as Django refuses it; a bad date too', () => {
    for (const text of ['2026-03-29T02:30', '2026-10-25T02:30'])
      assert.deepEqual(fromZoned(text, PARIS), {
        problem: `${text.replace('T', ' ')} couldn’t be interpreted in time zone Europe/Paris; it may be ambiguous or it may not exist.`,
      });
    assert.deepEqual(fromZoned('2026-02-30T10:00', PARIS), { problem: 'Enter a valid date and time.' });
    assert.deepEqual(fromZoned('2026-07-01T25:00', PARIS), { problem: 'Enter a valid date and time.' });
    assert.match((fromZoned('tomorrow', PARIS) as { problem: string }).problem, /such as 2026-03-01T14:30/);
  });

  test("a day starts at the zone's midnight, or where its clocks jump to when midnight is skipped", () => {
    assert.equal(startOfDay('2026-07-01', PARIS).toISOString(), '2026-06-30T22:00:00.000Z');
    assert.equal(startOfDay('2026-07-01', 'UTC').toISOString(), '2026-07-01T00:00:00.000Z');
    // Cuba moves its clocks from 00:00 to 01:00 on the second Sunday of March.
    const havana = startOfDay('2025-03-09', 'America/Havana');
    assert.equal(zonedInput(havana, 'America/Havana'), '2025-03-09T01:00:00');
    assert.equal(zonedInput(new Date(havana.getTime() - 1000), 'America/Havana'), '2025-03-08T23:59:59');
  });
});

describe('admin time zone: pages', () => {
  async function setup(t: import('node:test').TestContext) {
    const cat = await catalog(t, {
      timeZone: PARIS,
      register: (site) => site.register(Meeting, { list: ['title', 'at'], filters: ['at'] }),
    });
    await createTables(cat.db, [Meeting]);
    const meeting = await query(cat.db, Meeting).create({
      title: 'Summer',
      at: new Date('2026-07-01T08:00:00Z'),
    });
    return { ...cat, meeting };
  }

  test("forms, lists and exports show the zone's time; a typed time is stored as the instant it names there", async (t) => {
    const { db, as, meeting } = await setup(t);
    const root = await as('root');
    const form = await root.get(`/admin/catalog/meeting/${meeting.id}/change`);
    assert.equal(form.status, 200);
    assert.match(
      form.text,
      /name="at"[^>]*value="2026-07-01T10:00:00"|value="2026-07-01T10:00:00"[^>]*name="at"/u,
    );
    assert.match(form.text, /\(Europe\/Paris\)/u);
    const list = await root.get('/admin/catalog/meeting');
    assert.match(list.text, /2026-07-01 10:00:00 GMT\+2/u);
    const csv = await root.get('/admin/catalog/meeting/export.csv');
    assert.match(csv.text, /2026-07-01 10:00:00 GMT\+2/u);

    const saved = await root.post(`/admin/catalog/meeting/${meeting.id}/change`, {
      title: 'Winter',
      at: '2026-12-24T18:30',
    });
    assert.equal(saved.status, 303, saved.text.slice(0, 500));
    const row = await query(db, Meeting).get({ id: meeting.id });
    assert.equal(row.at.toISOString(), '2026-12-24T17:30:00.000Z');
  });

  test('a time Paris skips is a field error with the input kept, and nothing is written', async (t) => {
    const { db, as, meeting } = await setup(t);
    const root = await as('root');
    const res = await root.post(`/admin/catalog/meeting/${meeting.id}/change`, {
      title: 'Changed',
      at: '2026-03-29T02:30',
    });
    assert.equal(res.status, 400);
    assert.ok(res.text.includes('2026-03-29 02:30 couldn’t be interpreted in time zone Europe/Paris'));
    assert.match(res.text, /value="2026-03-29T02:30"/u);
    const row = await query(db, Meeting).get({ id: meeting.id });
    assert.equal(row.title, 'Summer');
  });

  test("a date filter takes the zone's days", async (t) => {
    const { db, as } = await setup(t);
    // 00:30 on 1 July in Paris, and 23:30 on 30 June in Paris.
    await query(db, Meeting).create({ title: 'Early', at: new Date('2026-06-30T22:30:00Z') });
    await query(db, Meeting).create({ title: 'Late', at: new Date('2026-06-30T21:30:00Z') });
    const root = await as('root');
    const list = await root.get('/admin/catalog/meeting?at__gte=2026-07-01&at__lte=2026-07-01');
    assert.equal(
      list.status,
      200,
      list.text
        .replace(/<[^>]+>/gu, ' ')
        .replace(/\s+/gu, ' ')
        .slice(0, 1500),
    );
    assert.match(list.text, />Early</u);
    assert.match(list.text, />Summer</u);
    assert.doesNotMatch(list.text, />Late</u);
  });
});
