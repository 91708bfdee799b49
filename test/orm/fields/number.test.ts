import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { f } from '../../../src/orm/fields/index.ts';

describe('f.integer and f.bigint', () => {
  test('schema: integer within the column range and the declared bounds', () => {
    assert.deepEqual(f.integer().valueSchema(), {
      type: 'integer',
      minimum: -2147483648,
      maximum: 2147483647,
    });
    assert.deepEqual(f.integer({ min: 1, max: 5 }).valueSchema(), {
      type: 'integer',
      minimum: 1,
      maximum: 5,
    });
    assert.deepEqual(f.bigint().valueSchema(), {
      type: 'integer',
      minimum: Number.MIN_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
    });
  });

  test('checks', () => {
    const rating = f.integer({ min: 1, max: 5 });
    assert.deepEqual(rating.check(3), []);
    assert.deepEqual(rating.check(3.5), [{ msg: 'Input should be a valid integer', type: 'int_type' }]);
    assert.deepEqual(rating.check('3'), [{ msg: 'Input should be a valid integer', type: 'int_type' }]);
    assert.deepEqual(rating.check(0), [
      { msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' },
    ]);
    assert.deepEqual(rating.check(6), [
      { msg: 'Input should be less than or equal to 5', type: 'less_than_equal' },
    ]);
    assert.deepEqual(f.integer().check(2 ** 31), [
      { msg: 'Input should be less than or equal to 2147483647', type: 'less_than_equal' },
    ]);
    assert.deepEqual(f.bigint().check(2 ** 31), []);
    assert.equal(f.bigint().check(2 ** 53)[0]?.type, 'less_than_equal');
  });

  test('columns and conversions (pg returns int8 as text, node:sqlite may return a bigint)', () => {
    assert.equal(f.integer().columnType('postgres'), 'integer');
    assert.equal(f.integer().columnType('sqlite'), 'INTEGER');
    assert.equal(f.bigint().columnType('postgres'), 'bigint');
    assert.equal(f.bigint().columnType('sqlite'), 'INTEGER');
    assert.equal(f.bigint().fromDb('9007199254740991', 'postgres'), 9007199254740991);
    assert.equal(f.bigint().fromDb(12n, 'sqlite'), 12);
    assert.equal(f.integer().toDb(7, 'sqlite'), 7);
    assert.equal(f.integer().fromDb(null, 'sqlite'), null);
  });
});

describe('f.float', () => {
  test('schema, checks, columns', () => {
    const score = f.float({ min: 0, max: 1 });
    assert.deepEqual(score.valueSchema(), { type: 'number', minimum: 0, maximum: 1 });
    assert.deepEqual(score.check(0.5), []);
    assert.deepEqual(score.check(Number.NaN), [
      { msg: 'Input should be a valid number', type: 'float_type' },
    ]);
    assert.deepEqual(score.check(Number.POSITIVE_INFINITY), [
      { msg: 'Input should be a valid number', type: 'float_type' },
    ]);
    assert.equal(score.check(1.5)[0]?.type, 'less_than_equal');
    assert.equal(score.columnType('postgres'), 'double precision');
    assert.equal(score.columnType('sqlite'), 'REAL');
    assert.equal(score.fromDb('0.25', 'postgres'), 0.25);
  });
});

describe('f.decimal', () => {
  const price = f.decimal({ digits: 8, places: 2, min: 0 });

  test('schema: a string with the digits and places in its pattern', () => {
    const schema = price.valueSchema();
    assert.equal(schema.type, 'string');
    const pattern = new RegExp(schema.pattern as string);
    for (const ok of ['0', '19.9', '19.90', '-3', '999999.99']) assert.match(ok, pattern);
    for (const bad of ['1000000', '1.999', '01.5', '1.', '.5', '1e3']) assert.doesNotMatch(bad, pattern);
  });

  test('checks: decimal text within digits and places, and the range', () => {
    assert.deepEqual(price.check('19.90'), []);
    assert.deepEqual(price.check(19.9), [
      { msg: 'Input should be a decimal number written as a string, such as "19.90"', type: 'decimal_type' },
    ]);
    assert.deepEqual(price.check('1e3')[0]?.type, 'decimal_type');
    assert.deepEqual(price.check('1.234'), [
      { msg: 'Decimal should have at most 8 digits, 2 after the point', type: 'decimal_type' },
    ]);
    assert.deepEqual(price.check('1234567'), [
      { msg: 'Decimal should have at most 8 digits, 2 after the point', type: 'decimal_type' },
    ]);
    assert.deepEqual(price.check('-1'), [
      { msg: 'Input should be greater than or equal to 0', type: 'greater_than_equal' },
    ]);
  });

  test('all digits after the point, and none', () => {
    const ratio = f.decimal({ digits: 3, places: 3 });
    assert.deepEqual(ratio.check('0.125'), []);
    assert.equal(ratio.check('1.5')[0]?.type, 'decimal_type');
    const whole = f.decimal({ digits: 3, places: 0 });
    assert.deepEqual(whole.check('999'), []);
    assert.equal(whole.check('1.5')[0]?.type, 'decimal_type');
    assert.equal(whole.toDb('12', 'sqlite'), '12');
  });

  test('columns: numeric(d, p) on PostgreSQL; canonical exact text on SQLite', () => {
    assert.equal(price.columnType('postgres'), 'numeric(8, 2)');
    assert.equal(price.columnType('sqlite'), 'TEXT');
    assert.equal(price.toDb('19.9', 'sqlite'), '19.90');
    assert.equal(price.toDb('19', 'postgres'), '19.00');
    assert.equal(price.fromDb('19.90', 'postgres'), '19.90');
    assert.equal(price.fromDb('5', 'sqlite'), '5.00');
    assert.equal(price.toDb(null, 'sqlite'), null);
    const big = f.decimal({ digits: 30, places: 10 });
    assert.equal(
      big.fromDb('12345678901234567890.1234567891', 'postgres'),
      '12345678901234567890.1234567891',
    );
  });
});
