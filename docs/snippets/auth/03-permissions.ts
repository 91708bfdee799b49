import assert from 'node:assert/strict';
import { volt } from 'voltjs';
import { createUser, Group, MemoryMailBackend, Permission, User, auth as users } from 'voltjs/auth';
import { f, model, query } from 'voltjs/orm';
import { testClient } from 'voltjs/testing';

// Every model has add/change/delete/view permissions; migrate creates their rows.
const Report = model('sales.Report', { title: f.string({ maxLength: 200 }) });
const auth = users({ mail: new MemoryMailBackend() });
const app = volt({ logger: false, database: 'sqlite::memory:', apps: [auth] });

// requirePerm: 401 without a login, 403 without the permission, else the user.
// requirePerm(Report, 'view') is 'sales.view_report'; a wrong action does not compile.
app.get('/reports', { deps: { user: auth.requirePerm(Report, 'view') } }, () => ({ total: 42 }));

await app.ready();
await app.migrate();
const db = app.db;
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
const view = await query(db, Permission).get({ app: 'sales', codename: 'view_report' });
const analysts = await query(db, Group).create({ name: 'Analysts' });
await query(db, Group).related(analysts, 'permissions', Permission).add(view);
await query(db, User).related(clerk.id, 'groups', Group).add(analysts);
assert.deepEqual((await client.get('/reports', { headers: await token() })).json(), { total: 42 });

// A permission named by a string is checked too: a malformed one where the route is declared,
// an unknown one when the app starts (a superuser would otherwise pass it unseen).
assert.throws(() => auth.requirePerm('viewreport'), /is not a permission/);
const typoAuth = users({ mail: new MemoryMailBackend() });
const typo = volt({ logger: false, database: db, apps: [typoAuth] });
typo.get('/reports', { deps: { user: typoAuth.requirePerm('sales.view_reprot') } }, () => ({}));
await assert.rejects(typo.ready(), /'sales\.view_reprot' \(did you mean sales\.view_report\?\)/);
await typo.close();
await app.close();
