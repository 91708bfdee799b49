/**
 * Usernames are unique as written (`Alice` and `alicE` may be two accounts, as in Django), and
 * a login finds the account by its exact username. The limits on password guesses count per
 * account the same way: the owner of `alicE` can neither clear `Alice`'s failures nor hold a
 * device cookie that counts for `Alice`. A username no account has is limited like one.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { type AuthOptions, createUser, Group, Permission, Session, Token, User } from 'voltjs/auth';
import { query } from 'voltjs/orm';
import { forEachDialect, testClient } from 'voltjs/testing';
import { createTables } from '../../src/orm/ddl.ts';
import { waitFor } from '../http/support.ts';
import { addUser, authApp, countHashing, FAST, logIn, PASSWORD } from './fixtures.ts';

const OWN = 'attacker passphrase 1';

forEachDialect((dialect, open) => {
  /** The fixture app on this dialect, with the victim `Alice` and the attacker's `alicE`. */
  async function twoAlices(t: TestContext, auth: Partial<AuthOptions> = {}) {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Permission, Group, User, Session, Token]);
    const made = await authApp(t, { db, auth });
    await addUser(db, 'Alice'); // the victim: the fixture's password, never sent here
    await createUser(
      db,
      User,
      { username: 'alicE', email: 'mallory@example.com', password: OWN } as never,
      FAST,
    );
    return made;
  }

  test(`${dialect}: a device cookie of "alicE" does not count for "Alice": guesses at Alice stay limited to 5`, async (t) => {
    const { app } = await twoAlices(t);
    const attacker = testClient(app, { cookieJar: true });
    t.after(() => attacker.close());
    let guesses = 0;
    let checked = 0;
    for (let round = 0; round < 6; round++) {
      // Logging in as their own account gives the attacker a fresh device cookie...
      attacker.cookies.clear();
      const own = await attacker.post('/auth/login', { json: { username: 'alicE', password: OWN } });
      assert.equal(own.status, 200, own.text);
      assert.ok(attacker.cookies.has('volt_session_device'));
      // ...kept alone (no session, so no CSRF token is needed) for guesses at Alice.
      for (const name of [...attacker.cookies.keys()])
        if (name !== 'volt_session_device') attacker.cookies.delete(name);
      for (let i = 0; i < 5; i++) {
        const res = await attacker.post('/auth/login', {
          json: { username: 'Alice', password: `guess ${round}.${i}` },
        });
        guesses++;
        if (res.status === 401) checked++;
        else assert.equal(res.status, 429, res.text);
      }
    }
    assert.equal(guesses, 30);
    assert.equal(checked, 5, `${checked} of ${guesses} guesses at "Alice" were checked`);
  });

  test(`${dialect}: a login as "alicE" does not clear the failures of "Alice"`, async (t) => {
    const { app } = await twoAlices(t, { loginLimits: { perIp: 1000 } });
    const api = testClient(app); // no cookies: never a device cookie
    t.after(() => api.close());
    let checked = 0;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 4; i++) {
        const res = await api.post('/auth/login', {
          json: { username: 'Alice', password: `g${round}.${i}` },
        });
        if (res.status === 401) checked++;
      }
      const own = await api.post('/auth/login', { json: { username: 'alicE', password: OWN } });
      assert.equal(own.status, 200);
    }
    assert.equal(checked, 5, `${checked} guesses at "Alice" were checked (limit 5)`);
  });

  test(`${dialect}: a password reset of "alicE" does not lift the lockout of "Alice"`, async (t) => {
    const { app, mail } = await twoAlices(t);
    const api = testClient(app);
    t.after(() => api.close());
    const guess = (username: string, password: string) =>
      api.post('/auth/login', { json: { username, password } });
    for (let i = 0; i < 5; i++) assert.equal((await guess('Alice', `guess ${i}`)).status, 401);
    assert.equal((await guess('Alice', 'guess 5')).status, 429);
    // The attacker resets the password of their own account (a reset lifts its lockout)...
    await api.post('/auth/password-reset', { json: { email: 'mallory@example.com' } });
    await waitFor(() => mail.outbox.length > 0, 2000);
    const token = decodeURIComponent(/token=([^\s]+)/.exec(mail.outbox[0]!.text)![1]!);
    const reset = await api.post('/auth/password-reset/confirm', {
      json: { token, newPassword: 'another attacker passphrase 2' },
    });
    assert.equal(reset.status, 204, reset.text);
    // ...which leaves Alice's locked.
    assert.equal((await guess('Alice', 'guess 6')).status, 429);
  });

  test(`${dialect}: a device cookie counts only while its username belongs to the account it was issued for`, async (t) => {
    const { app, db } = await twoAlices(t);
    await addUser(db, 'bob');
    const oldBrowser = testClient(app, { cookieJar: true });
    t.after(() => oldBrowser.close());
    assert.equal((await logIn(oldBrowser, 'bob')).status, 200);
    // That bob becomes robert; a new account takes the name bob (the same password, even).
    await query(db, User).filter({ username: 'bob' }).update({ username: 'robert' });
    await addUser(db, 'bob', { email: 'new-bob@example.com' });
    const api = testClient(app);
    t.after(() => api.close());
    for (let i = 0; i < 5; i++)
      assert.equal(
        (await api.post('/auth/login', { json: { username: 'bob', password: `guess ${i}` } })).status,
        401,
      );
    // The new bob is locked for clients without a device cookie of his: the old one is none.
    for (const name of [...oldBrowser.cookies.keys()])
      if (name !== 'volt_session_device') oldBrowser.cookies.delete(name);
    const res = await oldBrowser.post('/auth/login', { json: { username: 'bob', password: PASSWORD } });
    assert.equal(res.status, 429, res.text);
  });
});

test('a username no account has is limited like one, under its exact spelling, at the same hashing cost', async (t) => {
  const { client } = await authApp(t, { auth: { loginLimits: { perIp: 1000 } } });
  const guess = (username: string) => client.post('/auth/login', { json: { username, password: 'wrong' } });
  await guess('warm-up'); // the dummy hash an unknown username is checked against is made once
  const hashing = countHashing(t);
  for (let i = 0; i < 5; i++) assert.equal((await guess('Ghost')).status, 401);
  assert.equal((await guess('Ghost')).status, 429);
  assert.equal(hashing.calls.length, 5, 'each checked guess at an unknown username costs one hash');
  // Another spelling is another username, as it is for accounts.
  assert.equal((await guess('ghost')).status, 401);
});
