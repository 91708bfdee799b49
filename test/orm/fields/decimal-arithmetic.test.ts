/**
 * `decimal` from `voltjs/orm`: exact arithmetic on decimal strings, on BigInt — past 2^53, with
 * negative numbers, and every rounding mode as Python's `decimal` rounds.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decimal, type Rounding } from '../../../src/orm/index.ts';

describe('decimal', () => {
  test('add, sub and sum are exact where floats are not, keeping the longer scale', () => {
    assert.equal(0.1 + 0.2 === 0.3, false);
    assert.equal(decimal.add('0.10', '0.20'), '0.30');
    assert.equal(decimal.add('0.1', '0.25'), '0.35');
    assert.equal(decimal.sub('10.00', '0.01'), '9.99');
    assert.equal(decimal.sub('0.01', '10'), '-9.99');
    assert.equal(decimal.sub('1.50', '1.5'), '0.00', 'zero has no sign');
    assert.equal(decimal.sum(['19.90', '0.10', '-5']), '15.00');
    assert.equal(decimal.sum([]), '0');
    assert.equal(decimal.sum(Array.from({ length: 10 }, () => '0.1')), '1.0');
  });

  test('values past 2^53 keep every digit', () => {
    const big = '9007199254740993.01'; // 2^53 + 1, which no double holds
    assert.equal(decimal.add(big, '0.01'), '9007199254740993.02');
    assert.equal(decimal.sum([big, big]), '18014398509481986.02');
    assert.equal(
      decimal.mul('123456789012345678901234567890', '-10.5'),
      '-1296296284629629628462962962845.0',
    );
    assert.equal(
      decimal.sub('-600000000000000000000.00', '600000000000000000000.00'),
      '-1200000000000000000000.00',
    );
    assert.equal(decimal.cmp('9007199254740993', '9007199254740992'), 1);
    assert.equal(decimal.div('-18014398509481986.02', '2', 2), '-9007199254740993.01');
  });

  test('mul is exact: the places of both', () => {
    assert.equal(decimal.mul('19.99', '3'), '59.97');
    assert.equal(decimal.mul('1.10', '2.0'), '2.200');
    assert.equal(decimal.mul('-0.5', '0.5'), '-0.25');
    assert.equal(decimal.mul('-0.5', '0'), '0.0');
  });

  test('div rounds to the places asked, half to even unless told', () => {
    assert.equal(decimal.div('10', '3', 2), '3.33');
    assert.equal(decimal.div('-10', '3', 2), '-3.33');
    assert.equal(decimal.div('20', '3', 2), '6.67');
    assert.equal(decimal.div('1', '-8', 2), '-0.12', 'a tie goes to the even digit');
    assert.equal(decimal.div('1', '-8', 2, 'halfUp'), '-0.13', 'halfUp: away from zero');
    assert.equal(decimal.div('1.5', '0.5', 0), '3');
    assert.equal(decimal.div('7', '2', 3), '3.500');
    assert.equal(decimal.div('0.001', '1000', 4), '0.0000');
  });

  test('round: every mode, on ties and non-ties, as Python rounds', () => {
    // Python: Decimal(x).quantize(Decimal('1'), rounding=ROUND_…)
    const values = ['2.5', '3.5', '-2.5', '2.6', '-2.6', '2.4', '-2.4', '2.0'];
    const expected: Record<Rounding, string[]> = {
      halfEven: ['2', '4', '-2', '3', '-3', '2', '-2', '2'],
      halfUp: ['3', '4', '-3', '3', '-3', '2', '-2', '2'],
      halfDown: ['2', '3', '-2', '3', '-3', '2', '-2', '2'],
      up: ['3', '4', '-3', '3', '-3', '3', '-3', '2'],
      down: ['2', '3', '-2', '2', '-2', '2', '-2', '2'],
      ceiling: ['3', '4', '-2', '3', '-2', '3', '-2', '2'],
      floor: ['2', '3', '-3', '2', '-3', '2', '-3', '2'],
    };
    for (const [mode, results] of Object.entries(expected) as [Rounding, string[]][])
      assert.deepEqual(
        values.map((v) => decimal.round(v, 0, mode)),
        results,
        mode,
      );
    assert.equal(decimal.round('2.675', 2), '2.68');
    assert.equal(decimal.round('2.665', 2), '2.66');
    assert.equal(decimal.round('-0.004', 2), '0.00', 'rounded to zero: no sign');
    assert.equal(decimal.round('7', 2), '7.00');
  });

  test('cmp compares values, not text', () => {
    assert.equal(decimal.cmp('1.50', '1.5'), 0);
    assert.equal(decimal.cmp('-2', '1'), -1);
    assert.equal(decimal.cmp('10', '9.99'), 1);
    assert.equal(decimal.cmp('-0', '0.00'), 0);
    assert.deepEqual(['10', '-1.5', '9.99', '0'].sort(decimal.cmp), ['-1.5', '0', '9.99', '10']);
  });

  test('inputs: decimal text with an exponent, BigInts, and numbers by their shortest text', () => {
    assert.equal(decimal.add('1e3', '0.5'), '1000.5');
    assert.equal(decimal.add('1.5E-2', '0'), '0.015');
    assert.equal(decimal.add(2n ** 64n, '0.1'), '18446744073709551616.1');
    assert.equal(decimal.add(0.1, 0.2), '0.3');
    assert.equal(decimal.add('+.5', '5.'), '5.5');
  });

  test('bad input is a TypeError; bad places, rounding or a zero divisor a RangeError', () => {
    for (const bad of [
      '',
      'abc',
      '1,5',
      '1.2.3',
      '0x10',
      ' 1',
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '1e999999',
    ])
      assert.throws(() => decimal.add(bad as string, '1'), TypeError, String(bad));
    assert.throws(() => decimal.add(null as never, '1'), TypeError);
    assert.throws(() => decimal.div('1', '0', 2), RangeError);
    assert.throws(() => decimal.div('1', '0.00', 2), RangeError);
    assert.throws(() => decimal.round('1', -1), RangeError);
    assert.throws(() => decimal.round('1', 1.5), RangeError);
    assert.throws(() => decimal.round('1', 2, 'bankers' as never), RangeError);
  });

  test('sizes are bounded: an exponent or places past 20000 is refused with a message that says so', () => {
    assert.throws(
      () => decimal.add('1e100000', '1'),
      (error) =>
        error instanceof TypeError &&
        error.message === `decimal.add: "1e100000" has an exponent past ±20000 (its digits are not held)`,
    );
    assert.throws(() => decimal.mul('2', '-1e1000000000'), /"-1e1000000000" has an exponent past ±20000/);
    assert.equal(decimal.add('1e20000', '0').length, 20001);
    for (const call of [() => decimal.round('1', 20001), () => decimal.div('1', '3', 1e9)])
      assert.throws(
        call,
        (error) =>
          error instanceof RangeError &&
          /places should be a whole number from 0 to 20000, got/.test(error.message),
      );
    assert.equal(decimal.round('1', 20000).length, 20002);
  });
});
