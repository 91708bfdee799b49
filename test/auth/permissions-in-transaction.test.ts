/**
 * Permission checks inside a transaction: the database a `CurrentUser` was made with refuses
 * statements issued inside its own transaction, so `user.using(tx)` asks through the `tx` —
 * "lock the row, then ask the policy" — sharing what the user already loaded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AnonymousUser,
  CurrentUser,
  can,
  createPermissions,
  Group,
  Permission,
  type Policy,
  Session,
  Token,
  User,
} from 'voltjs/auth';
import { createRegistry, f, model, query } from 'voltjs/orm';
import { countQueries, forEachDialect, testClient } from 'voltjs/testing';
import { createTables } from '../../src/orm/ddl.ts';
import { authApp, PASSWORD, Report } from './fixtures.ts';

/** A model whose policy asks for a permission inside its rule: the owner, or a moderator. */
const Memo = model(
  'memos.Memo',
  { ownerId: f.integer(), text: f.string({ maxLength: 100 }) },
  {
    registry: createRegistry(),
  },
);
/** The memos' policy, given to the auth app (`auth({ policies })`). */
const memoPolicies = new Map([
  [
    Memo,
    {
      canChange: async (user, memo?: { ownerId: number }) =>
        user.isAuthenticated && (memo?.ownerId === user.id || (await user.hasPerm('memos.change_memo'))),
    } satisfies Policy,
  ],
]);

forEachDialect((dialect, open) => {
  test(`${dialect}: lock the row, then ask can() through user.using(tx): the permission and the policy are read in the transaction`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Permission, Group, User, Session, Token, Report, Memo]);
    await createPermissions(db, [Report, Memo]);
    const { app, auth, alice } = await authApp(t, { db, auth: { policies: memoPolicies } });
    const bob = await query(db, User).create({ username: 'bob' });
    const report = await query(db, Report).create({ title: 'Q3' });
    const memo = await query(db, Memo).create({ ownerId: bob.id, text: "bob's" });
    app.post('/reports/:id/close', { deps: { user: auth.requireUser } }, async (ctx) =>
      db.transaction(async (tx) => {
        const rows = query(tx, Report).filter({ id: report.id });
        await rows.update({ title: 'Q3 (closing)' }); // the row is locked until the end
        return { allowed: await can(ctx.deps.user.using(tx), 'change', Report, await rows.get()) };
      }),
    );
    app.post('/memos/:id/edit', { deps: { user: auth.requireUser } }, async (ctx) =>
      db.transaction(async (tx) => {
        const row = await query(tx, Memo).get({ id: memo.id });
        return { allowed: await can(ctx.deps.user.using(tx), 'change', Memo, row) };
      }),
    );
    const api = testClient(app);
    t.after(() => api.close());
    const issued = await api.post<{ access_token: string }>('/auth/token', {
      form: { grant_type: 'password', username: 'alice', password: PASSWORD },
    });
    const headers = { authorization: `Bearer ${issued.json().access_token}` };
    const ask = async (url: string) => {
      const res = await api.post<{ allowed: boolean }>(url, { headers });
      assert.equal(res.status, 200, res.text);
      return res.json().allowed;
    };
    assert.equal(await ask(`/reports/${report.id}/close`), false);
    assert.equal(await ask(`/memos/${memo.id}/edit`), false);
    // Alice joins a group holding both permissions: the next requests see them.
    const moderators = await query(db, Group).create({ name: 'moderators' });
    for (const codename of ['change_report', 'change_memo']) {
      const perm = await query(db, Permission).get({ codename });
      await query(db, Group).related(moderators, 'permissions', Permission).add(perm);
    }
    await query(db, User)
      .related(alice as never, 'groups', Group)
      .add(moderators);
    assert.equal(await ask(`/reports/${report.id}/close`), true);
    assert.equal(await ask(`/memos/${memo.id}/edit`), true);
  });

  test(`${dialect}: a user and its using(tx) view read the permissions once between them`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Permission, Group, User, Report]);
    await createPermissions(db, [Report]);
    const ada = await query(db, User).create({ username: 'ada' });
    const perm = await query(db, Permission).get({ codename: 'view_report' });
    await query(db, User).related(ada, 'userPermissions', Permission).add(perm);
    const counter = countQueries(db);
    const user = new CurrentUser(counter.db, ada);
    await counter.db.transaction(async (tx) => {
      counter.reset();
      assert.equal(await can(user.using(tx), 'view', Report), true);
      assert.equal(await user.using(tx).hasPerm('shop.change_report'), false);
      assert.equal(counter.count, 1, counter.sql.join('\n'));
    });
    counter.reset();
    assert.equal(await user.hasPerm('shop.view_report'), true);
    assert.equal(counter.count, 0, 'loaded through the view, kept by the user');
    // Nobody logged in: the same answers, no database at all.
    const anonymous = new AnonymousUser();
    assert.equal(anonymous.using(db), anonymous);
    assert.equal(await can(anonymous.using(db), 'view', Report), false);
  });
});
