import assert from 'node:assert/strict';
import { createClient } from 'voltjs/client';
import { type api, app } from './shop.ts';

const address = await app.listen({ host: '127.0.0.1', port: 0, signals: false });

// In the client's code: `import type { api } from '../server/shop.ts'` (a type: no server code).
const shop = createClient<typeof api>(address);

const tea = await shop.get('/api/products/:id', { params: { id: 1 } });
if (!tea.ok) throw new Error(tea.problem.title);
assert.equal(tea.data.name, 'Tea'); // tea.data: { id: number; name: string; price: number }

const made = await shop.post('/api/products', { body: { name: 'Coffee', price: 3 } });
assert.ok(made.ok && made.status === 201);
assert.deepEqual(made.data, { id: 2, name: 'Coffee', price: 3 });

const cheap = await shop.get('/api/products', { query: { max: 4 } }); // `limit` has a default
assert.deepEqual(cheap.ok && cheap.data.map((p) => p.name), ['Coffee']);

// An error is not thrown: `ok` is false and `problem` holds the problem details.
const invalid = await shop.post('/api/products', { body: { name: '', price: 1 } });
assert.ok(!invalid.ok);
assert.equal(invalid.status, 422);
assert.deepEqual(invalid.problem.errors?.[0]?.loc, ['body', 'name']);

const missing = await shop.get('/api/products/:id', { params: { id: 99 } });
assert.equal(missing.problem?.detail, 'No product 99');

const gone = await shop.delete('/api/products/:id', { params: { id: 2 } });
assert.ok(gone.ok && gone.status === 204 && gone.data === undefined);

// What does not compile (tsc checks these lines fail):
export async function mistakes() {
  // @ts-expect-error a path the app does not declare
  await shop.get('/api/product/:id', { params: { id: 1 } });
  // @ts-expect-error the id is an integer
  await shop.get('/api/products/:id', { params: { id: 'one' } });
  // @ts-expect-error the body misses its price
  await shop.post('/api/products', { body: { name: 'Tea' } });
}

await app.close();
