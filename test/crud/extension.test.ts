/**
 * Extending a resource, on both databases: hooks around writes in their transaction, custom
 * actions sharing the lookup, scope and permission, an operation replaced by a hand-written
 * route, an async guard of the app's own; and the resource's OpenAPI document.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dependency, HttpError, t as types, volt } from 'voltjs';
import { auth, createPermissions, Group, Permission, Session, Token, User } from 'voltjs/auth';
import { resource } from 'voltjs/crud';
import { query } from 'voltjs/orm';
import { testClient } from 'voltjs/testing';
import { createTables } from '../../src/orm/ddl.ts';
import { FAST } from '../auth/fixtures.ts';
import { forEachDialect } from '../orm/support.ts';
import { Category, Order, orderPolicy, Product, shop, stock, Tag } from './shop.ts';

forEachDialect((dialect, open) => {
  test(`${dialect}: hooks run in the write's transaction: they set data from the user, and a refusal writes nothing`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Permission, Group, User, Session, Token, Category, Tag, Product, Order]);
    await createPermissions(db, [Category, Tag, Product, Order]);
    const users = auth({ passwordParams: FAST, policies: new Map([[Order, orderPolicy]]) });
    const app = volt({ logger: false, envFile: false, database: db, apps: [users] });
    const seen: string[] = [];
    app.include(
      resource('/api/orders', Order, {
        readOnly: ['ownerId', 'status'],
        hooks: {
          beforeCreate: ({ data, user }) => {
            // The owner comes from the login, never from the body (not writable).
            data.ownerId = (user as { id: number }).id;
          },
          afterCreate: async ({ row, tx }) => {
            const product = await query(tx, Product).get({ id: row.productId });
            if (product.stock < row.quantity)
              throw new HttpError(409, { code: 'SHOP_OUT_OF_STOCK', detail: 'Not enough in stock.' });
            await query(tx, Product)
              .filter({ id: product.id })
              .update({ stock: product.stock - row.quantity });
            seen.push(`created ${row.id}`);
          },
          beforeUpdate: ({ row, data }) => {
            seen.push(`update ${row.id} ${JSON.stringify(data)}`);
          },
          afterDelete: async ({ row, tx }) => {
            await query(tx, Product).filter({ id: row.productId }).update({ stock: 1000 });
          },
        },
        actions: {
          cancel: {
            summary: 'Cancel an open order',
            response: { 200: Order.schema.read },
            handler: async (_ctx, { row, tx }) => {
              if (row!.status !== 'open') throw new HttpError(409, { detail: 'The order is not open.' });
              return query(tx, Order).filter({ id: row!.id }).updateOne({ status: 'cancelled' });
            },
          },
          summary: {
            method: 'GET',
            detail: false,
            response: { 200: types.Object({ open: types.Integer() }) },
            // The user's own orders: the scope holds in a collection action's rows.
            handler: async (_ctx, { rows }) => ({ open: await rows.filter({ status: 'open' }).count() }),
          },
        },
      }),
    );
    const api = testClient(app);
    t.after(() => api.close());
    const { products } = await stock(db, 2);
    const ada = await query(db, User).create({ username: 'ada' });
    const bob = await query(db, User).create({ username: 'bob' });
    const { createToken } = await import('voltjs/auth');
    const asAda = { authorization: `Bearer ${(await createToken(db, ada.id, { name: 't' })).token}` };
    const asBob = { authorization: `Bearer ${(await createToken(db, bob.id, { name: 't' })).token}` };
    for (const user of [ada, bob])
      for (const codename of ['view_order', 'add_order', 'change_order', 'delete_order'])
        await query(db, User)
          .related(user, 'userPermissions', Permission)
          .add(await query(db, Permission).get({ app: 'shop', codename }));

    const product = products[1]!; // 2 in stock
    const made = await api.post<Record<string, any>>('/api/orders', {
      headers: asAda,
      json: { productId: product.id, quantity: 2 },
    });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json().ownerId, ada.id);
    assert.equal((await query(db, Product).get({ id: product.id })).stock, 0);
    // Out of stock: the hook refuses after the insert; the insert is rolled back with it.
    const refused = await api.post<{ code: string }>('/api/orders', {
      headers: asAda,
      json: { productId: product.id, quantity: 1 },
    });
    assert.equal(refused.status, 409);
    assert.equal(refused.json().code, 'SHOP_OUT_OF_STOCK');
    assert.equal(await query(db, Order).count(), 1);
    // The owner cannot be written.
    const forged = await api.post('/api/orders', {
      headers: asBob,
      json: { productId: product.id, quantity: 1, ownerId: ada.id },
    });
    assert.equal(forged.status, 422);

    // A custom action: the lookup, the scope and the rule of `change` apply.
    const url = `/api/orders/${made.json().id}/cancel`;
    assert.equal((await api.post(url, { headers: asBob })).status, 404);
    const cancelled = await api.post<Record<string, any>>(url, { headers: asAda });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.json().status, 'cancelled');
    // The policy: a cancelled order is not changed any more (visible: 403).
    assert.equal((await api.post(url, { headers: asAda })).status, 403);
    assert.equal(
      (await api.patch(`/api/orders/${made.json().id}`, { headers: asAda, json: { quantity: 1 } })).status,
      403,
    );
    assert.deepEqual((await api.get('/api/orders/summary', { headers: asAda })).json(), { open: 0 });
    await query(db, Order).create({ ownerId: bob.id, productId: product.id, quantity: 1 });
    assert.deepEqual((await api.get('/api/orders/summary', { headers: asAda })).json(), { open: 0 });
    assert.deepEqual((await api.get('/api/orders/summary', { headers: asBob })).json(), { open: 1 });
    assert.equal((await api.get('/api/orders/summary')).status, 401);
    assert.equal((await api.delete(`/api/orders/${made.json().id}`, { headers: asAda })).status, 204);
    assert.equal((await query(db, Product).get({ id: product.id })).stock, 1000);
    assert.deepEqual(seen, [`created ${made.json().id}`]);
  });

  test(`${dialect}: an operation replaced by a hand-written route, and an async guard of the app's own`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { app, api, clerk } = await shop(t, db, {
      products: {
        operations: ['list', 'retrieve', 'create', 'update'],
      },
    });
    await stock(db, 3);
    // An app-wide maintenance switch read from the database on every request.
    const open_ = dependency(async (ctx) => {
      const closed = await query(ctx.db, Category).filter({ slug: 'closed' }).exists();
      if (closed) throw new HttpError(503, { detail: 'Closed for stock-taking.' });
    });
    app.include(resource('/api/tags', Tag, { guards: [open_], permissions: 'public' }));
    app.delete(
      '/api/products/:id',
      { params: types.Object({ id: types.Integer() }), status: 204 },
      async (ctx) => {
        await query(ctx.db, Product).filter({ id: ctx.params.id }).update({ discontinued: '2026-01-01' });
      },
    );
    assert.equal((await api.delete('/api/products/1', { headers: clerk.headers })).status, 204);
    assert.equal((await query(db, Product).get({ id: 1 })).discontinued, '2026-01-01');
    assert.equal((await api.put('/api/products/1', { headers: clerk.headers, json: {} })).status, 405);
    assert.equal((await api.get('/api/tags')).status, 200);
    await query(db, Category).create({ name: 'Closed', slug: 'closed' });
    assert.equal((await api.get('/api/tags')).status, 503);
    assert.equal((await api.post('/api/tags', { json: { name: 'green' } })).status, 503);
    assert.equal(await query(db, Tag).filter({ name: 'green' }).exists(), false);
  });
});

test("a resource's routes are in the OpenAPI document: parameters, bodies, responses, errors, examples", async (t) => {
  const { testDatabase } = await import('voltjs/testing');
  const db = await testDatabase();
  t.after(() => db.close());
  const { api } = await shop(t, db);
  const doc = (await api.get('/openapi.json')).json<Record<string, any>>();
  const list = doc.paths['/api/products'].get;
  const names = list.parameters.map((p: { name: string }) => p.name);
  for (const name of [
    'limit',
    'cursor',
    'ordering',
    'search',
    'fields',
    'expand',
    'count',
    'category',
    'category__in',
    'price__gte',
    'price__range',
    'tags__name',
  ])
    assert.ok(names.includes(name), name);
  assert.deepEqual(
    Object.keys(list.responses)
      .filter((s) => s < '500')
      .sort(),
    ['200', '400', '401', '403', '408', '414', '417', '422', '431'].filter((s) => s in list.responses),
  );
  const page = list.responses['200'].content['application/json'].schema;
  const item = page.properties.results.items;
  assert.ok(item.examples?.[0]?.name !== undefined);
  assert.equal(page.properties.next.anyOf[0].format, 'uri');
  const create = doc.paths['/api/products'].post;
  assert.equal(create.requestBody.content['application/json'].schema.additionalProperties, false);
  assert.ok(create.responses['201']);
  assert.ok(create.responses['409']);
  assert.ok(create.responses['422']);
  const detail = doc.paths['/api/products/{id}'];
  for (const method of ['get', 'put', 'patch', 'delete']) assert.ok(detail[method], method);
  assert.ok(detail.patch.responses['412']);
  assert.ok(detail.get.responses['404']);
  assert.deepEqual(detail.get.security?.length > 0, true);
  assert.ok(doc.paths['/api/categories/{slug}'].get);
});
