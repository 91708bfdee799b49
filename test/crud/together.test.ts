/**
 * Resources under concurrency and faults: two requests doing the same write at once (one wins,
 * the other gets the answer the state calls for, nothing is written twice), and a PostgreSQL
 * database that refuses connections for a moment (503 with Retry-After, then answers again).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, query } from 'voltjs/orm';
import { describePostgres, faultDatabase, forEachDialect } from '../orm/support.ts';
import { Product, shop, stock } from './shop.ts';

forEachDialect((dialect, open) => {
  test(`${dialect}: two writes at once: one conditional update wins (the other 412), one create of a unique value (the other 409), one delete (the other 404)`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { api, clerk } = await shop(t, db);
    const { products, tools } = await stock(db, 2);
    const url = `/api/products/${products[0]!.id}`;
    const etag = String((await api.get(url, { headers: clerk.headers })).headers.etag);
    const headers = { ...clerk.headers, 'if-match': etag };
    const updates = await Promise.all([
      api.patch(url, { headers, json: { stock: 111 } }),
      api.patch(url, { headers, json: { stock: 222 } }),
    ]);
    assert.deepEqual(updates.map((r) => r.status).sort(), [200, 412]);
    const winner = updates.find((r) => r.status === 200)!.json<{ stock: number }>().stock;
    assert.equal((await query(db, Product).get({ id: products[0]!.id })).stock, winner);

    const body = { name: 'Twin', sku: 'TWIN', price: '1.00', categoryId: tools.id };
    const creates = await Promise.all([
      api.post('/api/products', { headers: clerk.headers, json: body }),
      api.post('/api/products', { headers: clerk.headers, json: body }),
    ]);
    assert.deepEqual(creates.map((r) => r.status).sort(), [201, 409]);
    assert.equal(await query(db, Product).filter({ sku: 'TWIN' }).count(), 1);

    const other = `/api/products/${products[1]!.id}`;
    const deletes = await Promise.all([
      api.delete(other, { headers: clerk.headers }),
      api.delete(other, { headers: clerk.headers }),
    ]);
    assert.deepEqual(deletes.map((r) => r.status).sort(), [204, 404]);
  });
});

describePostgres('a resource while PostgreSQL refuses connections', (serverUrl) => {
  test('it answers 503 with Retry-After, writes nothing, and answers again once the database is back', async (t) => {
    const fault = await faultDatabase(serverUrl);
    t.after(() => fault.drop());
    const db = await connect(fault.url, { logger: { error: () => {} } });
    t.after(() => db.close());
    const { api, clerk } = await shop(t, db);
    const { tools } = await stock(db, 3);
    assert.equal((await api.get('/api/products', { headers: clerk.headers })).status, 200);
    await fault.refuse();
    const list = await api.get('/api/products', { headers: clerk.headers });
    assert.equal(list.status, 503, list.text);
    assert.match(String(list.headers['retry-after']), /^\d+$/);
    const write = await api.post('/api/products', {
      headers: clerk.headers,
      json: { name: 'Lost', sku: 'LOST', price: '1.00', categoryId: tools.id },
    });
    assert.equal(write.status, 503, write.text);
    await fault.accept();
    const again = await api.get<{ results: unknown[] }>('/api/products', { headers: clerk.headers });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json().results.length, 3);
    assert.equal(await query(db, Product).filter({ sku: 'LOST' }).exists(), false);
  });
});
