import assert from 'node:assert/strict';
import { volt } from 'volt';
import { createAuth, createUser, Group, MemoryMailBackend, Permission, User } from 'volt/auth';
import { connect, loadMigrations, migrate, query } from 'volt/orm';
import { testClient } from 'volt/testing';

const db = await connect('sqlite::memory:');
await migrate(db, await loadMigrations('migrations'));
const app = volt({ logger: false });
const auth = createAuth(app, { db, mail: new MemoryMailBackend() });

// requirePerm: 401 without a login, 403 without the permission, else the user.
app.get('/reports', { deps: { user: auth.requirePerm('sales.view_report') } }, () => ({ total: 42 }));

const clerk = await createUser(db, User, { username: 'clerk', password: 'ledger and quill 1494' });
const client = testClient(app);
const token = async () => {
  const res = await client.post<{ access_token: string }>('/auth/token', {
    form: { grant_type: 'password', username: 'clerk', password: 'ledger and quill 1494' },
  });
  return { authorization: `Bearer ${res.json().access_token}` };
};
assert.equal((await client.get('/reports')).status, 401);
assert.equal((await client.get('/reports', { headers: await token() })).status, 403);

// Permissions come to users directly or through their groups.
const view = await query(db, Permission).create({
  app: 'sales',
  codename: 'view_report',
  name: 'Can view report',
});
const analysts = await query(db, Group).create({ name: 'Analysts' });
await query(db, Group).related(analysts, 'permissions', Permission).add(view);
await query(db, User).related(clerk.id, 'groups', Group).add(analysts);
assert.deepEqual((await client.get('/reports', { headers: await token() })).json(), { total: 42 });
await db.close();
