import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { f } from '../../../src/orm/fields/index.ts';

describe('f.date', () => {
  const day = f.date();

  test('schema, checks, columns', () => {
    assert.deepEqual(day.valueSchema(), { type: 'string', format: 'date' });
    assert.deepEqual(day.check('2024-02-29'), []);
    assert.deepEqual(day.check('2026-02-29'), [
      { msg: 'Input should be a valid date (YYYY-MM-DD)', type: 'date_type' },
    ]);
    assert.equal(day.check('2026-1-5')[0]?.type, 'date_type');
    assert.equal(day.check(new Date())[0]?.type, 'date_type');
    assert.equal(day.columnType('postgres'), 'date');
    assert.equal(day.columnType('sqlite'), 'TEXT');
  });

  test('conversions: text stays text; a Date from pg becomes its calendar day', () => {
    assert.equal(day.toDb('2026-11-25', 'sqlite'), '2026-11-25');
    assert.equal(day.fromDb('2026-11-25', 'sqlite'), '2026-11-25');
    assert.equal(day.fromDb(new Date(2026, 10, 25), 'postgres'), '2026-11-25');
  });
});

describe('f.time', () => {
  test('schema, checks, columns', () => {
    const at = f.time();
    assert.equal(at.valueSchema().type, 'string');
    for (const ok of ['09:30', '23:59:59', '00:00:00.123456']) assert.deepEqual(at.check(ok), [], ok);
    for (const bad of ['24:00', '9:30', '12:60', 'noon'])
      assert.deepEqual(
        at.check(bad),
        [{ msg: 'Input should be a valid time (HH:MM[:SS])', type: 'time_type' }],
        bad,
      );
    assert.match('12:30:00', new RegExp(at.valueSchema().pattern as string));
    assert.equal(at.columnType('postgres'), 'time');
    assert.equal(at.columnType('sqlite'), 'TEXT');
    assert.equal(at.fromDb('12:30:00', 'postgres'), '12:30:00');
  });
});

describe('f.datetime', () => {
  const when = f.datetime();

  test('schema and checks: a Date, or ISO-8601 text with an offset', () => {
    assert.deepEqual(when.valueSchema(), { type: 'string', format: 'date-time' });
    assert.deepEqual(when.check(new Date()), []);
    assert.deepEqual(when.check('2026-11-25T14:30:00Z'), []);
    assert.deepEqual(when.check('2026-11-25T14:30:00.123+01:00'), []);
    const wrong = [
      { msg: 'Input should be a valid datetime with a time zone (ISO 8601)', type: 'datetime_type' },
    ];
    assert.deepEqual(when.check('2026-11-25T14:30:00'), wrong, 'no offset: not an instant');
    assert.deepEqual(when.check(new Date(Number.NaN)), wrong);
    assert.deepEqual(when.check(1764081000000), wrong);
  });

  test('columns: timestamptz, or ISO-8601 UTC text on SQLite', () => {
    assert.equal(when.columnType('postgres'), 'timestamptz');
    assert.equal(when.columnType('sqlite'), 'TEXT');
    const instant = new Date('2026-11-25T15:30:00+01:00');
    assert.equal(when.toDb(instant, 'sqlite'), '2026-11-25T14:30:00.000Z');
    assert.equal(when.toDb(instant, 'postgres'), '2026-11-25T14:30:00.000Z');
    assert.deepEqual(when.fromDb('2026-11-25T14:30:00.000Z', 'sqlite'), instant);
    assert.equal(when.fromDb(instant, 'postgres'), instant);
    assert.equal(when.fromDb(null, 'sqlite'), null);
  });

  test('autoNow and autoNowAdd are not editable', () => {
    assert.equal(f.datetime({ autoNow: true }).editable, false);
    assert.equal(f.datetime({ autoNowAdd: true }).editable, false);
    assert.equal(when.editable, true);
  });

  test('reads stored text exactly as Date does, for every shape SQLite may hold', () => {
    const texts = [
      '2026-12-05T10:20:30.123Z',
      '1970-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
      '0100-03-01T00:00:00.000Z',
      '0099-12-31T23:59:59.999Z',
      '0001-01-01T00:00:00.000Z',
      '2026-02-30T00:00:00.000Z',
      '2026-02-29T12:00:00.000Z',
      '2024-02-29T12:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-00-10T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T23:60:00.000Z',
      '2026-01-01T23:59:60.000Z',
      '2026-01-01T10:00:00.000+01:00',
      '2026-01-01 10:00:00.000Z',
      '2026-01-01T10:00:00Z',
      '2026-0a-01T00:00:00.000Z',
      '+02026-01-01T00:00:00.000Z',
      'not a date at all, 24 ch',
    ];
    for (const text of texts) {
      const read = when.fromDb(text, 'sqlite');
      assert.equal(read?.getTime(), new Date(text).getTime(), text);
    }
  });
});
