/**
 * Attacks found in review, each of which must fail: session data handed from one user to the
 * next, parallel guesses past the lockout, a reset link outliving an address change, and odd
 * input that must never become a 500.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { volt } from 'voltjs';
import {
  auth,
  createUser,
  Group,
  MemoryMailBackend,
  MemorySessionStore,
  Permission,
  Session,
  sessionKey,
  Token,
  User,
  userModel,
} from 'voltjs/auth';
import { f, query } from 'voltjs/orm';
import { forEachDialect, testClient } from 'voltjs/testing';
import { createTables } from '../../src/orm/ddl.ts';
import { addUser, authApp, countHashing, csrf, FAST, logIn, PASSWORD } from './fixtures.ts';

test('login as another user in the same browser does not hand over the previous user’s session data', async (t) => {
  const { client, app, auth, db } = await authApp(t);
  await addUser(db, 'bob');
  app.post('/cart', {}, async (ctx) => {
    const session = await auth.sessions.ensure(ctx.request, ctx.reply);
    session.record!.data.cart = 'what alice put in';
    await auth.sessions.save(ctx.request);
    return { saved: true };
  });
  app.get('/cart', {}, async (ctx) => ({
    cart: (await auth.sessions.load(ctx.request)).record?.data.cart ?? null,
  }));
  // Data put in before any login is kept by it (an anonymous cart becomes the user's).
  assert.equal((await client.post('/cart')).status, 200);
  await logIn(client);
  assert.deepEqual((await client.get('/cart')).json(), { cart: 'what alice put in' });
  // Bob logs in on the browser Alice left logged in: none of Alice's data comes with it.
  assert.equal((await logIn(client, 'bob')).status, 200);
  assert.deepEqual((await client.get('/cart')).json(), { cart: null });
});

test('brute force: guesses sent in parallel are counted too, not only those sent one after another', async (t) => {
  const { app } = await authApp(t);
  const client = testClient(app);
  const guesses = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      client.post('/auth/login', { json: { username: 'alice', password: `guess ${i}` } }),
    ),
  );
  const statuses = guesses.map((res) => res.status);
  assert.equal(statuses.filter((status) => status === 401).length, 5, statuses.join(','));
  assert.equal(statuses.filter((status) => status === 429).length, 25);
  const right = await client.post('/auth/login', { json: { username: 'alice', password: PASSWORD } });
  assert.equal(right.status, 429);
});

test('brute force: parallel guesses over many usernames from one IP stop at the IP limit', async (t) => {
  const { app } = await authApp(t, { auth: { loginLimits: { perIp: 4 } } });
  const client = testClient(app);
  const guesses = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      client.post('/auth/login', { json: { username: `user${i}`, password: 'guess' } }),
    ),
  );
  assert.equal(guesses.filter((res) => res.status === 401).length, 4);
});

test('open redirect: a `next` with characters outside ASCII is followed percent-encoded, never a 500', async (t) => {
  const { client } = await authApp(t);
  for (const [next, expected] of [
    ['/café/Ā', '/caf%C3%A9/%C4%80'],
    ['/menu?dish=crème brûlée', '/'],
    ['http://localhost/ünï', 'http://localhost/%C3%BCn%C3%AF'],
  ]) {
    const token = client.cookies.size > 0 ? await csrf(client) : '';
    const res = await client.post('/auth/login', {
      form: { username: 'alice', password: PASSWORD, next: next!, csrf_token: token },
    });
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.location, expected, next);
  }
});

test('password reset: a link mailed before the address changed no longer works', async (t) => {
  const { client, mail, db, alice } = await authApp(t);
  assert.equal(
    (await client.post('/auth/password-reset', { json: { email: 'alice@example.com' } })).status,
    202,
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  const token = decodeURIComponent(/token=([^\s]+)/.exec(mail.outbox[0]!.text)![1]!);
  // Alice lost her old mailbox to someone else, and moved to a new address.
  await query(db, User).filter({ id: alice.id }).update({ email: 'alice@new.example' });
  const res = await client.post('/auth/password-reset/confirm', {
    json: { token, newPassword: 'a brand new passphrase' },
  });
  assert.equal(res.status, 400, res.text);
});

test('user enumeration: an account without a usable password costs the same hashing work as an unknown one', async (t) => {
  // passwordParams cheaper than the defaults: an unusable password must cost what they cost.
  const { client, db } = await authApp(t, { auth: { loginLimits: { perUser: 1000, perIp: 1000 } } });
  await createUser(db, User, { username: 'sso', email: 'sso@example.com', password: null });
  await logIn(client, 'ghost-warm-up', 'wrong password'); // the dummy hash is made once, on first use
  const hashing = countHashing(t);
  const work = async (username: string) => {
    const before = hashing.calls.length;
    const res = await client.post('/auth/login', { json: { username, password: 'wrong password' } });
    assert.equal(res.status, 401);
    return hashing.calls.slice(before);
  };
  const unknown = await work('ghost');
  assert.deepEqual(unknown, [FAST]);
  assert.deepEqual(await work('sso'), unknown);
  assert.deepEqual(await work('alice'), unknown, 'a wrong password of a real account');
});

test('a short SESSION_IDLE_TIMEOUT ends only idle sessions, not one in use', async (t) => {
  const store = new MemorySessionStore();
  const { client, auth } = await authApp(t, { app: { sessionIdleTimeout: 30 }, auth: { sessions: store } });
  await logIn(client);
  const key = () => {
    const cookie = client.cookies.get(auth.sessions.cookieName)!;
    return sessionKey(cookie.slice(0, cookie.lastIndexOf('.')));
  };
  // Three requests 20 seconds apart: never 30 seconds idle.
  for (let i = 0; i < 3; i++) {
    const record = (await store.get(key()))!;
    record.lastSeen -= 20_000;
    await store.set(key(), record);
    assert.equal((await client.get('/private')).status, 200, `request ${i + 1}`);
  }
  const record = (await store.get(key()))!;
  record.lastSeen -= 31_000;
  await store.set(key(), record);
  assert.equal((await client.get('/private')).status, 401);
});

test('open redirect: with ALLOWED_HOSTS=* (allowed outside production) login still follows `next` only to this host', async (t) => {
  const { client } = await authApp(t, { app: { allowedHosts: ['*'] } });
  for (const [next, expected] of [
    ['https://evil.example/phish', '/'],
    ['http://localhost/fine', 'http://localhost/fine'],
    ['/orders', '/orders'],
  ]) {
    const token = client.cookies.size > 0 ? await csrf(client) : '';
    const res = await client.post('/auth/login', {
      form: { username: 'alice', password: PASSWORD, next: next!, csrf_token: token },
    });
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.location, expected, next);
  }
});

test("the OAuth2 token endpoint answers a browser that is logged in with a session (the docs' Authorize button)", async (t) => {
  const { client } = await authApp(t);
  await logIn(client);
  // Swagger UI posts the form with the browser's cookies and no CSRF token.
  const res = await client.post('/auth/token', {
    form: { grant_type: 'password', username: 'alice', password: PASSWORD },
  });
  assert.equal(res.status, 200, res.text);
  // It issues a token for the credentials sent, never for the session: a forged request gets nothing.
  const wrong = await client.post('/auth/token', {
    form: { grant_type: 'password', username: 'alice', password: 'not it' },
    headers: { origin: 'https://evil.example' },
  });
  assert.equal(wrong.status, 400);
  // Every other unsafe request of the session still needs the token.
  assert.equal((await client.post('/private', { json: { note: 'x' } })).status, 403);
});

/** A user model keyed by UUID: on PostgreSQL a malformed id is an error of the database itself. */
const Member = userModel('review.Member', { id: f.uuid({ primaryKey: true, default: () => randomUUID() }) });

forEachDialect((dialect, open) => {
  test(`${dialect}: a reset token naming a malformed id of a UUID user model is a 400, not a 500`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Permission, Group, Member, Session, Token]);
    const app = volt({
      docs: false,
      logger: false,
      envFile: false,
      database: db,
      apps: [auth({ user: Member, mail: new MemoryMailBackend(), passwordParams: FAST })],
    });
    await createUser(db, Member, { username: 'zed', password: PASSWORD }, FAST);
    const client = testClient(app);
    t.after(() => client.close());
    for (const id of ['not-a-uuid', '1', "'"]) {
      const token = `${Buffer.from(id).toString('base64url')}.${Math.floor(Date.now() / 1000).toString(36)}.${'A'.repeat(43)}`;
      const res = await client.post('/auth/password-reset/confirm', {
        json: { token, newPassword: 'a brand new passphrase' },
      });
      assert.equal(res.status, 400, `${id}: ${res.text}`);
    }
  });
});

forEachDialect((dialect, open) => {
  test(`${dialect}: a NUL character in a username, profile field or token name is a 401 or 422, never a 500`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Permission, Group, User, Session, Token]);
    const { client, app } = await authApp(t, { db });
    const api = testClient(app);
    t.after(() => api.close());
    // Refused before any lookup, on the field, as every string input with NUL is.
    const login = await api.post('/auth/login', { json: { username: 'ali\u0000ce', password: PASSWORD } });
    assert.equal(login.status, 422, login.text);
    const token = await api.post('/auth/token', {
      form: { grant_type: 'password', username: 'ali\u0000ce', password: PASSWORD },
    });
    assert.equal(token.status, 422, token.text);
    await logIn(client);
    const headers = { 'x-csrf-token': await csrf(client) };
    for (const json of [{ firstName: 'Al\u0000' }, { lastName: '\u0000' }]) {
      const res = await client.patch('/auth/me', { json, headers });
      assert.equal(res.status, 422, res.text);
    }
    const named = await client.post('/auth/tokens', { json: { name: 'deploy\u0000' }, headers });
    assert.equal(named.status, 422, named.text);
  });
});

test('CSRF: a form carrying the csrf_token field and the X-CSRF-Token header (htmx, say) passes once, without the field', async (t) => {
  const { client } = await authApp(t);
  await logIn(client);
  const token = await csrf(client);
  // A route that takes forms (its bodyTypes list them); the field is not part of its body.
  const res = await client.post('/private', {
    form: { note: 'Alice', csrf_token: token },
    headers: { 'x-csrf-token': token },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json<{ note: string }>().note, 'Alice');
  // The header decides: a wrong header is refused whatever the field holds.
  const wrong = await client.post('/private', {
    form: { note: 'Mallory', csrf_token: token },
    headers: { 'x-csrf-token': 'A'.repeat(86) },
  });
  assert.equal(wrong.status, 403);
});

test('responses that carry a secret (access token, new API token, CSRF token) are never stored by a cache', async (t) => {
  const { client } = await authApp(t);
  const issued = await client.post<{ access_token: string }>('/auth/token', {
    form: { grant_type: 'password', username: 'alice', password: PASSWORD },
  });
  assert.equal(issued.status, 200);
  assert.equal(issued.headers['cache-control'], 'no-store');
  const csrfAnswer = await client.get('/auth/csrf');
  assert.equal(csrfAnswer.headers['cache-control'], 'no-store');
  const made = await client.post('/auth/tokens', {
    json: { name: 'deploy', currentPassword: PASSWORD },
    headers: { authorization: `Bearer ${issued.json().access_token}` },
  });
  assert.equal(made.status, 201);
  assert.equal(made.headers['cache-control'], 'no-store');
});
