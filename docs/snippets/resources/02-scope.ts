import assert from 'node:assert/strict';
import { volt } from 'voltjs';
import { auth, createToken, Permission, User } from 'voltjs/auth';
import { resource } from 'voltjs/crud';
import { createTables, f, model, query } from 'voltjs/orm';
import { testClient } from 'voltjs/testing';

const Invoice = model('billing.Invoice', {
  owner: f.foreignKey(() => User, { onDelete: 'cascade', relatedName: 'invoices' }),
  total: f.decimal({ digits: 10, places: 2 }),
  paid: f.boolean({ default: false }),
});

// The policy: each user sees their own invoices (the scope, applied in SQL to every list and
// lookup) and may change one only while it is unpaid (a rule, asked with the row).
const users = auth();
users.definePolicy(Invoice, {
  scope: (user) => (user.isAuthenticated ? { ownerId: user.id } : false),
  canChange: (user, invoice?: { paid: boolean }) => user.isAuthenticated && invoice?.paid === false,
});
const app = volt({ logger: false, database: 'sqlite::memory:', apps: [users] });
app.include(resource('/api/invoices', Invoice, { readOnly: ['paid'] }));

await app.ready();
await app.migrate();
await createTables(app.db, [Invoice]);
const login = async (username: string) => {
  const user = await query(app.db, User).create({ username });
  for (const codename of ['view_invoice', 'add_invoice', 'change_invoice'])
    await query(app.db, User)
      .related(user, 'userPermissions', Permission)
      .add(await query(app.db, Permission).get({ app: 'billing', codename }));
  const { token } = await createToken(app.db, user.id, { name: 'docs' });
  return { user, headers: { authorization: `Bearer ${token}` } };
};
const ada = await login('ada');
const bob = await login('bob');
const api = testClient(app);

const mine = await api.post<{ id: number }>('/api/invoices', {
  headers: ada.headers,
  json: { ownerId: ada.user.id, total: '10.00' },
});
assert.equal(mine.status, 201);
// A row made outside one's own scope is refused: its maker could not see it.
assert.equal(
  (await api.post('/api/invoices', { headers: bob.headers, json: { ownerId: ada.user.id, total: '1.00' } }))
    .status,
  403,
);

// Bob pages through his own rows only, and Ada's invoice does not exist for him.
const listed = await api.get<{ results: unknown[]; count: number }>('/api/invoices?count=true', {
  headers: bob.headers,
});
assert.deepEqual([listed.json().results.length, listed.json().count], [0, 0]);
assert.equal((await api.get(`/api/invoices/${mine.json().id}`, { headers: bob.headers })).status, 404);
assert.equal(
  (await api.patch(`/api/invoices/${mine.json().id}`, { headers: bob.headers, json: { total: '0.00' } }))
    .status,
  404,
);

// Ada may change hers until it is paid.
assert.equal(
  (await api.patch(`/api/invoices/${mine.json().id}`, { headers: ada.headers, json: { total: '12.00' } }))
    .status,
  200,
);
await query(app.db, Invoice).filter({ id: mine.json().id }).update({ paid: true });
assert.equal(
  (await api.patch(`/api/invoices/${mine.json().id}`, { headers: ada.headers, json: { total: '0.00' } }))
    .status,
  403,
);
await api.close();
