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
});
