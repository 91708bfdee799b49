import assert from 'node:assert/strict';
import { HttpError, t, volt } from 'voltjs';
import { resource } from 'voltjs/crud';
import { createTables, f, model, query } from 'voltjs/orm';
import { testClient } from 'voltjs/testing';

const Item = model('orders.Item', { name: f.string({ maxLength: 50 }), stock: f.integer({ min: 0 }) });
const Order = model('orders.Order', {
  item: f.foreignKey(() => Item, { onDelete: 'protect', relatedName: 'orders' }),
  quantity: f.integer({ min: 1 }),
  status: f.enum({ open: 'Open', cancelled: 'Cancelled' }, { default: 'open' }),
});

const app = volt({ logger: false, database: 'sqlite::memory:' });
app.include(
  resource('/api/orders', Order, {
    permissions: 'public', // (an app without users; see the guide for guards)
    readOnly: ['status'],
    hooks: {
      // In the write's transaction: a refusal here rolls the insert back.
      afterCreate: async ({ tx, row }) => {
        const item = await query(tx, Item).get({ id: row.itemId });
        if (item.stock < row.quantity)
          throw new HttpError(409, { code: 'SHOP_OUT_OF_STOCK', detail: 'Not enough in stock.' });
        await query(tx, Item)
          .filter({ id: item.id })
          .update({ stock: item.stock - row.quantity });
      },
    },
    actions: {
      // POST /api/orders/:id/cancel: the resource's lookup, scope and `change` permission apply.
      cancel: {
        response: { 200: t.Object({ status: t.String() }) },
        handler: async (_ctx, { tx, row }) => {
          if (row!.status !== 'open') throw new HttpError(409, { detail: 'The order is not open.' });
          const order = await query(tx, Order).filter({ id: row!.id }).updateOne({ status: 'cancelled' });
          await query(tx, Item)
            .filter({ id: order.itemId })
            .update({ stock: (await query(tx, Item).get({ id: order.itemId })).stock + order.quantity });
          return { status: order.status };
        },
      },
    },
  }),
);

await app.ready();
await createTables(app.db, [Item, Order]);
const lamp = await query(app.db, Item).create({ name: 'Lamp', stock: 2 });
const api = testClient(app);
const order = await api.post<{ id: number }>('/api/orders', { json: { itemId: lamp.id, quantity: 2 } });
assert.equal(order.status, 201);
const refused = await api.post('/api/orders', { json: { itemId: lamp.id, quantity: 1 } });
assert.equal(refused.status, 409);
assert.equal(await query(app.db, Order).count(), 1); // the refused order was rolled back
assert.deepEqual((await api.post(`/api/orders/${order.json().id}/cancel`)).json(), { status: 'cancelled' });
assert.equal((await query(app.db, Item).get({ id: lamp.id })).stock, 2);
assert.equal((await api.post(`/api/orders/${order.json().id}/cancel`)).status, 409);
assert.equal((await api.post('/api/orders/999/cancel')).status, 404);
await api.close();
