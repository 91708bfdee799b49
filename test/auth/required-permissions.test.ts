/**
 * The permissions routes require are checked before any request: a malformed name where the
 * route is declared, an unknown one when the app starts (naming the close match), so a typo
 * can no longer pass unseen — not even for superusers, who have every permission.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { volt } from 'voltjs';
import {
  auth,
  Group,
  MemoryMailBackend,
  Permission,
  Session,
  saveUserFields,
  Token,
  User,
} from 'voltjs/auth';
import { f, model, query } from 'voltjs/orm';
import { forEachDialect, testClient } from 'voltjs/testing';
import { createTables } from '../../src/orm/ddl.ts';
import { authApp, FAST, PASSWORD } from './fixtures.ts';

const Product = model(
  'shop.Product',
  { name: f.string({ maxLength: 100 }) },
  { permissions: { publish_product: 'Can publish products' } },
);
const Ledger = model('shop.Ledger', { line: f.text() }, { defaultPermissions: ['view'] });

test('a malformed permission name fails where the route is declared, not on every request', async (t) => {
  const { auth } = await authApp(t);
  for (const perm of ['viewproduct', 'shop.', 'Shop.view_product', 'shop.view product', ''])
    assert.throws(() => auth.requirePerm(perm), /is not a permission; write '<app>\.<codename>'/, perm);
});

test('a mistyped permission stops the app at startup naming the close match; superusers no longer hide it', async (t) => {
  const { app, auth, db } = await authApp(t);
  app.get('/products', { deps: { user: auth.requirePerm('shop.view_prodcut') } }, () => []);
  app.get(
    '/ledger',
    { deps: { user: auth.requirePerm('shop.view_ledger', 'shop.publish_prodct') } },
    () => [],
  );
  await saveUserFields(db, User, (await query(db, User).get({ username: 'alice' })).id, {
    isSuperuser: true,
  });
  await assert.rejects(app.ready(), (error: Error & { code?: string; permissions?: string[] }) => {
    assert.equal(error.code, 'VOLT_AUTH_UNKNOWN_PERMISSION');
    assert.deepEqual(error.permissions, ['shop.view_prodcut', 'shop.publish_prodct']);
    assert.match(error.message, /'shop\.view_prodcut' \(did you mean shop\.view_product\?\)/);
    assert.match(error.message, /'shop\.publish_prodct' \(did you mean shop\.publish_product\?\)/);
    return true;
  });
});

test('requirePerm(Model, action): a default permission of the model, checked like its string', async (t) => {
  const { app, auth, db } = await authApp(t);
  app.get('/products', { deps: { user: auth.requirePerm(Product, 'view') } }, () => ({ products: [] }));
  app.get('/ledger', { deps: { user: auth.requirePerm(Ledger, 'view') } }, () => ({ lines: [] }));
  assert.throws(() => auth.requirePerm(Ledger, 'change'), /shop\.Ledger has no 'change' permission/);
  assert.throws(
    () => auth.requirePerm(Product, 'publish' as never),
    /needs one action of add, change, delete, view/,
  );
  const client = testClient(app);
  const bearer = async () => {
    const res = await client.post<{ access_token: string }>('/auth/token', {
      form: { grant_type: 'password', username: 'alice', password: PASSWORD },
    });
    return { authorization: `Bearer ${res.json().access_token}` };
  };
  const denied = await client.get('/products', { headers: await bearer() });
  assert.equal(denied.status, 403);
  assert.match(denied.json<{ detail: string }>().detail, /shop\.view_product/);
  const view = await query(db, Permission).create({
    app: 'shop',
    model: 'product',
    codename: 'view_product',
    name: 'Can view product',
  });
  const alice = await query(db, User).get({ username: 'alice' });
  await query(db, User).related(alice.id, 'userPermissions', Permission).add(view);
  assert.equal((await client.get('/products', { headers: await bearer() })).status, 200);
});

forEachDialect((dialect, open) => {
  test(`${dialect}: a permission that exists only as a row of auth.Permission is known; a typo of it is not`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Permission, Group, User, Session, Token]);
    await query(db, Permission).create({
      app: 'sales',
      model: '',
      codename: 'export_ledger',
      name: 'Can export',
    });
    const start = (perm: string) => {
      const users = auth({ mail: new MemoryMailBackend(), passwordParams: FAST });
      const app = volt({ docs: false, logger: false, envFile: false, database: db, apps: [users] });
      app.get('/export', { deps: { user: users.requirePerm(perm) } }, () => ({}));
      t.after(() => app.close());
      return app.ready();
    };
    await start('sales.export_ledger');
    await assert.rejects(
      start('sales.export_ledgr'),
      /'sales\.export_ledgr' \(did you mean sales\.export_ledger\?\)/,
    );
  });
});
