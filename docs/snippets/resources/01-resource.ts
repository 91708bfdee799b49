import assert from 'node:assert/strict';
import { volt } from 'voltjs';
import { auth, createToken, saveUserFields, User } from 'voltjs/auth';
import { resource } from 'voltjs/crud';
import { createTables, f, model, query } from 'voltjs/orm';
import { testClient } from 'voltjs/testing';

const Category = model(
  'shop.Category',
  { name: f.string({ maxLength: 50 }) },
  { verboseNamePlural: 'categories' },
);
const Product = model(
  'shop.Product',
  {
    name: f.string({ maxLength: 100 }),
    sku: f.string({ maxLength: 20, unique: true }),
    price: f.decimal({ digits: 10, places: 2, min: 0 }),
    category: f.foreignKey(() => Category, { onDelete: 'protect', relatedName: 'products' }),
    created: f.datetime({ autoNowAdd: true }),
  },
  { ordering: ['name'] },
);

const users = auth();
const app = volt({ logger: false, database: 'sqlite::memory:', apps: [users] });

// One declaration: list, retrieve, create, replace, update and delete, validated with the
// model's schemas, documented in /openapi.json, guarded by the model permissions.
app.include(
  resource('/api/products', Product, {
    filters: { category: true, price: ['gte', 'lte', 'range'], name: ['icontains'] },
    search: ['name', 'sku', 'category__name'],
    ordering: ['price', 'name', 'created'],
    expand: { category: Category },
  }),
);
app.include(resource('/api/categories', Category, { permissions: 'read-public' }));

await app.ready();
await app.migrate(); // the auth tables and the permission rows
await createTables(app.db, [Category, Product]); // (an app's migrations would make them)
const admin = await query(app.db, User).create({ username: 'admin' });
await saveUserFields(app.db, User, admin.id, { isSuperuser: true });
const { token } = await createToken(app.db, admin.id, { name: 'docs' });
const api = testClient(app, { headers: { authorization: `Bearer ${token}` } });

const lamps = await api.post<{ id: number }>('/api/categories', { json: { name: 'Lamps' } });
for (const [name, price] of [
  ['Desk lamp', '39.00'],
  ['Floor lamp', '89.00'],
  ['Bulb', '4.50'],
] as const) {
  const made = await api.post('/api/products', {
    json: { name, sku: name.toUpperCase(), price, categoryId: lamps.json().id },
  });
  assert.equal(made.status, 201);
  assert.match(String(made.headers.location), /^\/api\/products\/\d+$/);
}

// A page: cursor links, no COUNT(*) unless asked; the category joined in the same query.
const page = await api.get<{ next: string | null; results: { name: string; category: { name: string } }[] }>(
  '/api/products?price__gte=10&ordering=-price&expand=category&limit=1',
);
assert.deepEqual(
  page.json().results.map((p) => [p.name, p.category.name]),
  [['Floor lamp', 'Lamps']],
);
const next = new URL(page.json().next!);
const second = await api.get<{ results: { name: string }[] }>(next.pathname + next.search);
assert.deepEqual(
  second.json().results.map((p) => p.name),
  ['Desk lamp'],
);

// What the resource does not declare is refused, naming the parameter.
const bad = await api.get<{ errors: { loc: string[] }[] }>('/api/products?colour=red&limit=-1');
assert.equal(bad.status, 422);
assert.deepEqual(
  bad
    .json()
    .errors.map((e) => e.loc[1])
    .sort(),
  ['colour', 'limit'],
);
const unordered = await api.get<{ errors: { loc: string[]; msg: string }[] }>('/api/products?ordering=sku');
assert.deepEqual(unordered.json().errors[0]!.loc, ['query', 'ordering']);
assert.match(unordered.json().errors[0]!.msg, /order by price, name, created/);

// Writes: only writable fields (mass assignment is a 422), a missing foreign key is a 422 on its
// field, a taken unique value a 409, and a stale If-Match a 412.
assert.equal(
  (await api.post('/api/products', { json: { name: 'X', sku: 'X', price: '1.00', categoryId: 99 } })).status,
  422,
);
assert.equal(
  (await api.post('/api/products', { json: { name: 'X', sku: 'BULB', price: '1.00', categoryId: 1 } }))
    .status,
  409,
);
assert.equal((await api.patch('/api/products/1', { json: { created: '2020-01-01T00:00:00Z' } })).status, 422);
const read = await api.get('/api/products/1');
const etag = String(read.headers.etag);
assert.equal(
  (await api.patch('/api/products/1', { headers: { 'if-match': etag }, json: { price: '35.00' } })).status,
  200,
);
assert.equal(
  (await api.patch('/api/products/1', { headers: { 'if-match': etag }, json: { price: '30.00' } })).status,
  412,
);
assert.equal((await api.get('/api/products/1', { headers: { 'if-none-match': etag } })).status, 200);
await api.close();
