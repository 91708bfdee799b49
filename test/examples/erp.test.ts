/**
 * The ERP example, as a client sees it, on SQLite and PostgreSQL: concurrent orders take stock
 * atomically (never oversold, never refused while stock remains), money is exact, and a refused
 * order leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createUser, User } from 'voltjs/auth';
import { type Database, loadMigrations, migrate, query } from 'voltjs/orm';
import { forEachDialect, type TestClient, testClient } from 'voltjs/testing';

process.env.VOLT_ENV = 'test';
// The shop reports in Paris time: an order at 23:30 UTC on 31 January is February's.
process.env.TIME_ZONE = 'Europe/Paris';
const { app } = await import('../../examples/erp/app.ts');
const { Customer, Order, OrderLine, Product } = await import('../../examples/erp/models.ts');

/** The example's database as `volt migrate` makes it, a clerk, and a client logged in as them. */
async function erp(db: Database): Promise<TestClient> {
  await migrate(
    db,
    await loadMigrations(fileURLToPath(new URL('../../examples/erp/migrations', import.meta.url)), {
      packaged: app.migrationSources(),
    }),
    { hooks: app.postMigrateHooks() },
  );
  await createUser(db, User, { username: 'clerk', password: 'counter and till 1', isSuperuser: true });
  const anonymous = testClient(app, { database: db });
  const res = await anonymous.post<{ access_token: string }>('/auth/token', {
    form: { grant_type: 'password', username: 'clerk', password: 'counter and till 1' },
  });
  assert.equal(res.status, 200, res.text);
  return testClient(app, { database: db, headers: { authorization: `Bearer ${res.json().access_token}` } });
}

interface Placed {
  id: number;
  total: string;
  lines: { productId: number; quantity: number; unitPrice: string; amount: string }[];
}

forEachDialect((dialect, open) => {
  test(`${dialect}: 20 concurrent orders for 5 units sell exactly 5 and refuse 15`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const client = await erp(db);
    const lamp = await query(db, Product).create({ sku: 'lamp', name: 'Lamp', price: '19.90', stock: 5 });
    const ada = await query(db, Customer).create({ name: 'Ada', email: 'ada@example.com', country: 'GB' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.post('/orders', {
          json: { customerId: ada.id, lines: [{ productId: lamp.id, quantity: 1 }] },
        }),
      ),
    );
    assert.deepEqual(answers.map((r) => r.status).sort(), [...Array(5).fill(201), ...Array(15).fill(409)]);
    const refused = answers.find((r) => r.status === 409)!;
    assert.equal(refused.json<{ code: string }>().code, 'SALES_OUT_OF_STOCK');
    assert.equal((await query(db, Product).get({ id: lamp.id })).stock, 0);
    assert.equal(await query(db, Order).count(), 5);
    assert.equal(await query(db, OrderLine).count(), 5);
  });

  test(`${dialect}: an order is priced exactly, and one short line refuses it all`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const client = await erp(db);
    const pen = await query(db, Product).create({ sku: 'pen', name: 'Pen', price: '0.10', stock: 100 });
    const ink = await query(db, Product).create({ sku: 'ink', name: 'Ink', price: '0.20', stock: 2 });
    const ada = await query(db, Customer).create({ name: 'Ada', email: 'ada@example.com', country: 'GB' });

    const placed = await client.post<Placed>('/orders', {
      json: {
        customerId: ada.id,
        lines: [
          { productId: pen.id, quantity: 3 },
          { productId: ink.id, quantity: 1 },
        ],
      },
    });
    assert.equal(placed.status, 201, placed.text);
    assert.equal(placed.headers.location, `/orders/${placed.json().id}`);
    // 3 × 0.10 + 0.20 is 0.50 exactly (in binary floating point it is 0.5000000000000001).
    assert.equal(placed.json().total, '0.50');
    assert.deepEqual(
      placed.json().lines.map((l) => [l.quantity, l.unitPrice, l.amount]),
      [
        [3, '0.10', '0.30'],
        [1, '0.20', '0.20'],
      ],
    );

    // Ink has 1 unit left: the pens of this order are not taken either.
    const short = await client.post('/orders', {
      json: {
        customerId: ada.id,
        lines: [
          { productId: pen.id, quantity: 5 },
          { productId: ink.id, quantity: 2 },
        ],
      },
    });
    assert.equal(short.status, 409);
    assert.equal((await query(db, Product).get({ id: pen.id })).stock, 97);
    assert.equal((await query(db, Product).get({ id: ink.id })).stock, 1);
    assert.equal(await query(db, Order).count(), 1);

    for (const [json, loc] of [
      [{ customerId: 999, lines: [{ productId: pen.id, quantity: 1 }] }, ['body', 'customerId']],
      [{ customerId: ada.id, lines: [{ productId: 999, quantity: 1 }] }, ['body', 'lines']],
      [
        {
          customerId: ada.id,
          lines: [
            { productId: pen.id, quantity: 1 },
            { productId: pen.id, quantity: 1 },
          ],
        },
        ['body', 'lines'],
      ],
      [{ customerId: ada.id, lines: [{ productId: pen.id, quantity: 0 }] }, ['body', 'lines', 0, 'quantity']],
    ] as const) {
      const res = await client.post<{ errors: { loc: unknown[] }[] }>('/orders', { json });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.json().errors[0]!.loc, loc);
    }
    assert.equal((await query(db, Product).get({ id: pen.id })).stock, 97);
    assert.equal(await query(db, Order).count(), 1);
  });

  test(`${dialect}: the monthly report counts each order in its month in the shop's time zone`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const client = await erp(db);
    const ada = await query(db, Customer).create({ name: 'Ada', email: 'ada@example.com', country: 'GB' });
    const pen = await query(db, Product).create({ sku: 'pen', name: 'Pen', price: '60.00', stock: 100 });
    const placed: [string, string, number][] = [
      ['2025-12-31T23:30:00Z', '120.00', 2], // 00:30 on 1 January in Paris
      ['2026-01-15T10:00:00Z', '60.00', 1],
      ['2026-01-31T23:30:00Z', '180.00', 3], // 00:30 on 1 February in Paris
      ['2026-02-10T12:00:00Z', '60.00', 1],
      ['2026-12-31T23:30:00Z', '60.00', 1], // 2027 in Paris
    ];
    for (const [at, total, quantity] of placed) {
      const order = await query(db, Order).create({ customerId: ada.id, placedAt: new Date(at), total });
      await query(db, OrderLine).bulkCreate(
        Array.from({ length: quantity }, () => ({
          orderId: order.id,
          productId: pen.id,
          quantity: 1,
          unitPrice: '60.00',
          amount: '60.00',
        })),
      );
    }
    const report = await client.get('/reports/monthly', { query: { year: 2026 } });
    assert.equal(report.status, 200, report.text);
    assert.deepEqual(report.json(), [
      { month: '2025-12-31T23:00:00.000Z', orders: 2, lineCount: 3, revenue: '180.00', big: 1 },
      { month: '2026-01-31T23:00:00.000Z', orders: 2, lineCount: 4, revenue: '240.00', big: 1 },
    ]);
    assert.deepEqual((await client.get('/reports/monthly', { query: { year: 2024 } })).json(), []);
    assert.equal((await client.get('/reports/monthly', { query: { year: 'soon' } })).status, 422);
  });

  test(`${dialect}: placing an order needs a login with the add_order permission`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    await erp(db);
    const res = await testClient(app, { database: db }).post('/orders', {
      json: { customerId: 1, lines: [{ productId: 1, quantity: 1 }] },
    });
    assert.equal(res.status, 401);
  });
});
