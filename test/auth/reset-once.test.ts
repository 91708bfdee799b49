/**
 * A password-reset link works once, also when it is confirmed several times at the same
 * moment: one confirmation sets the password, the others are refused and change nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Group, Permission, Session, Token, User } from 'voltjs/auth';
import { query } from 'voltjs/orm';
import { forEachDialect, testClient } from 'voltjs/testing';
import { createTables } from '../../src/orm/ddl.ts';
import { authApp, logIn } from './fixtures.ts';

forEachDialect((dialect, open) => {
  test(`${dialect}: five confirmations of one reset link at once: one sets the password, four are refused`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Permission, Group, User, Session, Token]);
    const { app, mail } = await authApp(t, { db });
    const client = testClient(app);
    await client.post('/auth/password-reset', { json: { email: 'alice@example.com' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const token = decodeURIComponent(/token=([^\s]+)/.exec(mail.outbox[0]!.text)![1]!);
    const passwords = Array.from({ length: 5 }, (_, i) => `a brand new passphrase ${i}`);
    const answers = await Promise.all(
      passwords.map((newPassword) =>
        client.post('/auth/password-reset/confirm', { json: { token, newPassword } }),
      ),
    );
    const statuses = answers.map((res) => res.status);
    assert.deepEqual(
      [...statuses].sort(),
      [204, 400, 400, 400, 400],
      answers.map((res) => `${res.status} ${res.text}`).join('\n'),
    );
    for (const res of answers.filter((r) => r.status === 400))
      assert.match(res.json<{ detail: string }>().detail, /invalid or has expired/);
    // The winner's password is the one set; every other one is refused.
    const winner = passwords[statuses.indexOf(204)]!;
    const fresh = testClient(app, { cookieJar: true });
    for (const password of passwords)
      assert.equal((await logIn(fresh, 'alice', password)).status, password === winner ? 200 : 401, password);
    assert.equal(await query(db, User).filter({ username: 'alice' }).count(), 1);
  });
});
