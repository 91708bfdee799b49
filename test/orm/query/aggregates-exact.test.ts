/**
 * Decimal aggregates are exact on both databases: `sum`, `min` and `max` keep every digit
 * (SQLite would go through 64-bit floats), `avg` is a decimal string at the precision
 * PostgreSQL's `avg(numeric)` picks, and annotations and `having` compare and order them
 * exactly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { compareExact, formatExact, parseExact } from '../../../src/orm/decimal.ts';
import {
  fromSortableText,
  sortableKey,
  sortableText,
} from '../../../src/orm/dialects/sqlite/decimal-functions.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { avg, count, max, min, sum } from '../../../src/orm/query/aggregates.ts';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';

const registry = createRegistry();
const Account = model('bank.Account', { name: f.string({ maxLength: 20 }) }, { registry });
const Entry = model(
  'bank.Entry',
  {
    account: f.foreignKey(() => Account, { onDelete: 'cascade', relatedName: 'entries' }),
    amount: f.decimal({ digits: 30, places: 2 }),
    rate: f.decimal({ digits: 6, places: 4, nullable: true }),
  },
  { registry },
);

test("SQLite's decimal aggregates answer text that sorts as the numbers do and keeps the scale", () => {
  const texts = ['0', '0.00', '-0.5', '-0.25', '-10', '-9.99', '9.99', '10', '0.001', '0.01', '-0.001'];
  texts.push('123456789012345678901234567890.5', '-123456789012345678901234567890.5', '1.50', '1.5');
  const values = texts.map((t) => parseExact(t)!);
  for (const value of values)
    assert.equal(formatExact(fromSortableText(sortableText(value))), formatExact(value));
  const byText = [...values].sort((a, b) => (sortableText(a) < sortableText(b) ? -1 : 1));
  for (let i = 1; i < byText.length; i++)
    assert.ok(
      compareExact(byText[i - 1]!, byText[i]!) <= 0,
      `${formatExact(byText[i - 1]!)} before ${formatExact(byText[i]!)}`,
    );
  assert.equal(sortableKey(parseExact('1.50')!), sortableKey(parseExact('1.5')!));
  assert.equal(sortableKey(parseExact('-0.00')!), sortableKey(parseExact('0')!));
});

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Account, Entry]);
    const [big, small, none] = await query(db, Account).bulkCreate([
      { name: 'big' },
      { name: 'small' },
      { name: 'none' },
    ]);
    return { db, big: big!, small: small!, none: none! };
  }

  test('sum, min and max of decimals keep every digit', async (t) => {
    const { db, big } = await setup(t);
    await query(db, Entry).bulkCreate([
      { accountId: big.id, amount: '600000000000000000000.00' },
      { accountId: big.id, amount: '600000000000000000000.00' },
      { accountId: big.id, amount: '1234567890123456700.01' },
      { accountId: big.id, amount: '1234567890123456700.00' },
      { accountId: big.id, amount: '-0.01' },
    ]);
    assert.deepEqual(
      await query(db, Entry).aggregate({ total: sum('amount'), low: min('amount'), high: max('amount') }),
      { total: '1202469135780246913400.00', low: '-0.01', high: '600000000000000000000.00' },
    );
    assert.deepEqual(
      await query(db, Entry)
        .filter({ amount__lt: '1e20' })
        .aggregate({ total: sum('amount'), high: max('amount') }),
      { total: '2469135780246913400.00', high: '1234567890123456700.01' },
    );
  });

  test("avg of a decimal is a decimal string at PostgreSQL's precision", async (t) => {
    const { db, big, small } = await setup(t);
    await query(db, Entry).bulkCreate([
      { accountId: small.id, amount: '0.10', rate: '1.0000' },
      { accountId: small.id, amount: '0.20', rate: '2.0000' },
      { accountId: big.id, amount: '1.00', rate: '0.3333' },
      { accountId: big.id, amount: '1.00' },
      { accountId: big.id, amount: '2.00' },
    ]);
    const mean = (conditions: object, path: 'amount' | 'rate') =>
      query(db, Entry)
        .filter(conditions as never)
        .aggregate({ mean: avg(path) });
    assert.deepEqual(await mean({ accountId: small.id }, 'amount'), { mean: '0.15000000000000000000' });
    assert.deepEqual(await mean({ accountId: big.id }, 'amount'), { mean: '1.3333333333333333' });
    assert.deepEqual(await mean({ accountId: small.id }, 'rate'), { mean: '1.5000000000000000' });
    assert.deepEqual(await mean({ accountId: big.id }, 'rate'), { mean: '0.33330000000000000000' });
    assert.deepEqual(await mean({ amount__gt: '5' }, 'amount'), { mean: null });
  });

  test('annotations and groups compare and order decimal aggregates exactly', async (t) => {
    const { db, big, small } = await setup(t);
    await query(db, Entry).bulkCreate([
      { accountId: big.id, amount: '9007199254740993.01' },
      { accountId: big.id, amount: '0.01' },
      { accountId: small.id, amount: '9007199254740993.01' },
      { accountId: small.id, amount: '-0.01' },
    ]);
    const accounts = query(db, Account).annotate({
      total: sum('entries__amount'),
      mean: avg('entries__amount'),
      n: count('entries'),
    });
    // Descending puts NULL first, as PostgreSQL does.
    assert.deepEqual(await accounts.orderBy('-total').values('name', 'total', 'mean'), [
      { name: 'none', total: null, mean: null },
      { name: 'big', total: '9007199254740993.02', mean: '4503599627370496.5100' },
      { name: 'small', total: '9007199254740993.00', mean: '4503599627370496.5000' },
    ]);
    assert.deepEqual(
      (await accounts.filter({ n__gte: 1 }).orderBy('mean').values('name')).map((r) => r.name),
      ['small', 'big'],
    );
    const names = async (conditions: object) =>
      (
        await accounts
          .filter(conditions as never)
          .orderBy('name')
          .values('name')
      ).map((r) => r.name);
    // 64-bit floats cannot tell these totals apart.
    assert.deepEqual(await names({ total__gt: '9007199254740993' }), ['big']);
    assert.deepEqual(await names({ total: '9007199254740993.00' }), ['small']);
    assert.deepEqual(await names({ total: 9007199254740993n as never }), ['small']);
    assert.deepEqual(await names({ total__in: ['9007199254740993.020', '1'] }), ['big']);
    assert.deepEqual(await names({ mean__lte: '4503599627370496.5' }), ['small']);
    assert.deepEqual(await names({ total__isNull: true }), ['none']);
    assert.throws(() => accounts.filter({ total__gt: 'lots' } as never), QueryError);
    assert.deepEqual(
      await query(db, Entry)
        .groupBy('accountId')
        .aggregate(
          { total: sum('amount'), high: max('amount') },
          { having: { total__gte: '9007199254740993.01' } },
        ),
      [{ accountId: big.id, total: '9007199254740993.02', high: '9007199254740993.01' }],
    );
  });
});
