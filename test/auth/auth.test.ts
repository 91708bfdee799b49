/**
 * Users on the request path: login and sessions, guards, API tokens and the OAuth2 password
 * flow, password change and reset, and what the OpenAPI document says about them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openapiDocument } from 'voltjs';
import { Group, MemorySessionStore, Permission, saveUserFields, sessionKey, User } from 'voltjs/auth';
import { query } from 'voltjs/orm';
import { testClient } from 'voltjs/testing';
import { addUser, authApp, csrf, logIn, PASSWORD } from './fixtures.ts';

test('login with JSON starts a session: the user, a cookie, lastLogin; /auth/me answers', async (t) => {
  const { client, db } = await authApp(t);
  assert.equal((await client.get('/auth/me')).status, 401);
  const res = await logIn(client);
  assert.equal(res.status, 200);
  const body = res.json<Record<string, unknown>>();
  assert.equal(body.username, 'alice');
  assert.equal('password' in body, false);
  assert.equal((await client.get<{ username: string }>('/auth/me')).json().username, 'alice');
  const row = await query(db, User).get({ username: 'alice' });
  assert.ok(row.lastLogin instanceof Date);
});

test('a 401 says how to authenticate; a missing permission is a 403 naming it', async (t) => {
  const { client, db } = await authApp(t);
  const anonymous = await client.get('/reports');
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers['www-authenticate'], 'Bearer');
  await logIn(client);
  const denied = await client.get('/reports');
  assert.equal(denied.status, 403);
  assert.match(denied.json<{ detail: string }>().detail, /shop\.view_report/);
  const permission = await query(db, Permission).create({
    app: 'shop',
    model: 'report',
    codename: 'view_report',
    name: 'Can view report',
  });
  const group = await query(db, Group).create({ name: 'Analysts' });
  await query(db, Group).related(group, 'permissions', Permission).add(permission);
  const alice = await query(db, User).get({ username: 'alice' });
  await query(db, User).related(alice, 'groups', Group).add(group);
  assert.equal((await client.get('/reports')).status, 200);
});

test('an inactive user cannot log in, and a deactivated one loses their session', async (t) => {
  const { client, db } = await authApp(t);
  await logIn(client);
  const alice = await query(db, User).get({ username: 'alice' });
  await saveUserFields(db, User, alice.id, { isActive: false });
  assert.equal((await client.get('/private')).status, 401);
  assert.equal((await logIn(client)).status, 401);
});

test('sessions expire after SESSION_MAX_AGE and after SESSION_IDLE_TIMEOUT without requests', async (t) => {
  const store = new MemorySessionStore();
  const { client, auth, db } = await authApp(t, {
    app: { sessionIdleTimeout: 120 },
    auth: { sessions: store },
  });
  await logIn(client);
  const key = () => {
    const cookie = client.cookies.get(auth.sessions.cookieName)!;
    return sessionKey(cookie.slice(0, cookie.lastIndexOf('.')));
  };
  const record = (await store.get(key()))!;
  assert.equal(record.userId, String((await query(db, User).get({ username: 'alice' })).id));
  record.lastSeen -= 121_000;
  await store.set(key(), record);
  assert.equal((await client.get('/private')).status, 401);
  await logIn(client);
  const again = (await store.get(key()))!;
  again.expiresAt = Date.now() + 1;
  await store.set(key(), again);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal((await client.get('/private')).status, 401);
});

test('API tokens: shown once, listed without the secret, usable as bearer, revocable', async (t) => {
  const { client, app } = await authApp(t);
  await logIn(client);
  const headers = { 'x-csrf-token': await csrf(client) };
  const made = await client.post<{ token: string; id: number; prefix: string; name: string }>(
    '/auth/tokens',
    {
      json: { name: 'ci', expiresIn: 30 * 86_400 },
      headers,
    },
  );
  assert.equal(made.status, 201, made.text);
  const { token, id } = made.json();
  assert.match(token, /^volt_/);
  const listed = await client.get<Array<Record<string, unknown>>>('/auth/tokens');
  assert.equal(listed.json().length, 1);
  assert.equal(JSON.stringify(listed.json()).includes(token), false);
  const api = testClient(app);
  const bearer = { authorization: `Bearer ${token}` };
  assert.deepEqual((await api.get('/private', { headers: bearer })).json(), { username: 'alice' });
  const bad = await api.get('/private', { headers: { authorization: `Bearer ${token}x` } });
  assert.equal(bad.status, 401);
  assert.match(String(bad.headers['www-authenticate']), /invalid_token/);
  assert.equal((await client.delete(`/auth/tokens/${id}`, { headers })).status, 204);
  assert.equal((await client.delete(`/auth/tokens/${id}`, { headers })).status, 404);
  assert.equal((await api.get('/private', { headers: bearer })).status, 401);
});

test("API tokens: a user cannot revoke another user's token", async (t) => {
  const { client, app, db } = await authApp(t);
  await addUser(db, 'bob');
  const bob = testClient(app, { cookieJar: true });
  await logIn(bob, 'bob');
  const theirs = await bob.post<{ id: number; token: string }>('/auth/tokens', {
    json: { name: 'bob' },
    headers: { 'x-csrf-token': await csrf(bob) },
  });
  await logIn(client);
  const res = await client.delete(`/auth/tokens/${theirs.json().id}`, {
    headers: { 'x-csrf-token': await csrf(client) },
  });
  assert.equal(res.status, 404);
  assert.equal(
    (await testClient(app).get('/private', { headers: { authorization: `Bearer ${theirs.json().token}` } }))
      .status,
    200,
  );
});

test('the OAuth2 password flow gives an expiring bearer token', async (t) => {
  const { app } = await authApp(t, { auth: { accessTokenLifetime: 60 } });
  const client = testClient(app);
  const res = await client.post<{ access_token: string; token_type: string; expires_in: number }>(
    '/auth/token',
    {
      form: { grant_type: 'password', username: 'alice', password: PASSWORD, scope: '' },
    },
  );
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json().token_type, 'bearer');
  assert.equal(res.json().expires_in, 60);
  const me = await client.get('/auth/me', {
    headers: { authorization: `Bearer ${res.json().access_token}` },
  });
  assert.equal(me.status, 200);
  const wrong = await client.post('/auth/token', {
    form: { grant_type: 'password', username: 'alice', password: 'nope' },
  });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json<{ error: string }>().error, 'invalid_grant');
  const grant = await client.post('/auth/token', {
    form: { grant_type: 'client_credentials', username: 'alice', password: PASSWORD },
  });
  assert.equal(grant.status, 422);
});

test('password change checks the current password and the validators', async (t) => {
  const { client } = await authApp(t);
  await logIn(client);
  const headers = { 'x-csrf-token': await csrf(client) };
  const wrong = await client.post('/auth/password', {
    json: { currentPassword: 'nope', newPassword: 'a fine new passphrase' },
    headers,
  });
  assert.equal(wrong.status, 400);
  const weak = await client.post('/auth/password', {
    json: { currentPassword: PASSWORD, newPassword: '12345678' },
    headers,
  });
  assert.equal(weak.status, 422);
  const messages = weak
    .json<{ errors: Array<{ msg: string }> }>()
    .errors.map((e) => e.msg)
    .join(' ');
  assert.match(messages, /common|numeric/);
});

test('password reset: a mailed link sets a new password once, and ends the sessions', async (t) => {
  const { client, app, mail } = await authApp(t);
  const laptop = testClient(app, { cookieJar: true });
  await logIn(laptop);
  const asked = await client.post('/auth/password-reset', { json: { email: 'ALICE@example.com' } });
  assert.equal(asked.status, 202);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(mail.outbox.length, 1);
  assert.deepEqual(mail.outbox[0]!.to, ['alice@example.com']);
  const token = decodeURIComponent(/token=([^\s]+)/.exec(mail.outbox[0]!.text)![1]!);
  const weak = await client.post('/auth/password-reset/confirm', { json: { token, newPassword: 'alice' } });
  assert.equal(weak.status, 422);
  const done = await client.post('/auth/password-reset/confirm', {
    json: { token, newPassword: 'a brand new passphrase' },
  });
  assert.equal(done.status, 204, done.text);
  const again = await client.post('/auth/password-reset/confirm', {
    json: { token, newPassword: 'another new passphrase' },
  });
  assert.equal(again.status, 400);
  assert.equal((await laptop.get('/private')).status, 401);
  assert.equal((await logIn(client, 'alice', 'a brand new passphrase')).status, 200);
  const forged = await client.post('/auth/password-reset/confirm', {
    json: { token: 'MQ.abc.def', newPassword: 'x y z w v u t' },
    headers: { 'x-csrf-token': await csrf(client) },
  });
  assert.equal(forged.status, 400);
});

test('OpenAPI: the password flow, API tokens and the session cookie are security schemes of guarded routes', async (t) => {
  const { app } = await authApp(t);
  await app.ready();
  const doc = openapiDocument(app) as {
    components: { securitySchemes: Record<string, Record<string, unknown>> };
    paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
  };
  const schemes = doc.components.securitySchemes;
  assert.equal(schemes.OAuth2PasswordBearer!.type, 'oauth2');
  assert.deepEqual(schemes.OAuth2PasswordBearer!.flows, {
    password: { tokenUrl: '/auth/token', scopes: {} },
  });
  assert.equal(schemes.sessionCookie!.in, 'cookie');
  assert.deepEqual([schemes.bearerAuth!.type, schemes.bearerAuth!.scheme], ['http', 'bearer']);
  assert.deepEqual(doc.paths['/private']!.get!.security, [
    { OAuth2PasswordBearer: [] },
    { bearerAuth: [] },
    { sessionCookie: [] },
  ]);
  assert.ok(doc.paths['/reports']!.get!.responses['403']);
  assert.ok(doc.paths['/private']!.get!.responses['401']);
  // A public route of an app with security schemes says so.
  assert.deepEqual(doc.paths['/page']!.get!.security, []);
  const token = doc.paths['/auth/token']!.post as unknown as {
    requestBody: { content: Record<string, unknown> };
  };
  assert.deepEqual(Object.keys(token.requestBody.content), [
    'application/x-www-form-urlencoded',
    'application/json',
  ]);
});

test('a password change revokes the API tokens unless asked to keep them; the password-flow tokens always go; a reset revokes all', async (t) => {
  const { client, app, mail } = await authApp(t);
  const api = testClient(app);
  const bearer = async (password = PASSWORD) => {
    const flow = await api.post<{ access_token: string }>('/auth/token', {
      form: { grant_type: 'password', username: 'alice', password },
    });
    return { authorization: `Bearer ${flow.json().access_token}` };
  };
  const named = async (headers: Record<string, string>, currentPassword: string) => {
    const made = await api.post<{ token: string }>('/auth/tokens', {
      json: { name: 'ci', currentPassword },
      headers,
    });
    assert.equal(made.status, 201, made.text);
    return { authorization: `Bearer ${made.json().token}` };
  };
  await logIn(client);
  const change = async (currentPassword: string, newPassword: string, keepApiTokens?: boolean) => {
    const res = await client.post('/auth/password', {
      json: { currentPassword, newPassword, ...(keepApiTokens === undefined ? {} : { keepApiTokens }) },
      headers: { 'x-csrf-token': await csrf(client) },
    });
    assert.equal(res.status, 204, res.text);
  };

  // Kept on request: the named token goes on, the password-flow token does not.
  let flowAuth = await bearer();
  let namedAuth = await named(flowAuth, PASSWORD);
  await change(PASSWORD, 'a much better passphrase 42', true);
  assert.equal((await api.get('/private', { headers: flowAuth })).status, 401);
  assert.equal((await api.get('/private', { headers: namedAuth })).status, 200);

  // By default a change revokes every token.
  const kept = namedAuth;
  flowAuth = await bearer('a much better passphrase 42');
  namedAuth = await named(flowAuth, 'a much better passphrase 42');
  await change('a much better passphrase 42', 'the best passphrase yet 43');
  for (const headers of [flowAuth, namedAuth, kept])
    assert.equal((await api.get('/private', { headers })).status, 401);

  // A reset revokes all of them.
  flowAuth = await bearer('the best passphrase yet 43');
  namedAuth = await named(flowAuth, 'the best passphrase yet 43');
  await api.post('/auth/password-reset', { json: { email: 'alice@example.com' } });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const token = decodeURIComponent(/token=([^\s]+)/.exec(mail.outbox.at(-1)!.text)![1]!);
  const reset = await api.post('/auth/password-reset/confirm', {
    json: { token, newPassword: 'recovered at last 77' },
  });
  assert.equal(reset.status, 204);
  assert.equal((await api.get('/private', { headers: namedAuth })).status, 401);
});

test("wrong current passwords count towards the lockout of where they come from; a reset lifts the username's", async (t) => {
  const { client, app, mail } = await authApp(t);
  await logIn(client);
  const headers = { 'x-csrf-token': await csrf(client) };
  for (let i = 0; i < 5; i++) {
    const res = await client.post('/auth/password', {
      json: { currentPassword: `guess ${i}`, newPassword: 'whatever it is 1' },
      headers,
    });
    assert.equal(res.status, 400);
  }
  const locked = await client.post('/auth/password', {
    json: { currentPassword: PASSWORD, newPassword: 'whatever it is 1' },
    headers,
  });
  assert.equal(locked.status, 429);
  // The browser that logged in as alice is locked; a login elsewhere is not kept out by it.
  const other = testClient(app, { cookieJar: true });
  assert.equal((await logIn(other)).status, 200);
  // Failures from clients without the device cookie lock the username for such clients.
  const stranger = testClient(app);
  for (let i = 0; i < 5; i++)
    assert.equal(
      (await stranger.post('/auth/login', { json: { username: 'alice', password: `guess ${i}` } })).status,
      401,
    );
  const fresh = testClient(app, { cookieJar: true });
  assert.equal((await logIn(fresh)).status, 429);
  await fresh.post('/auth/password-reset', { json: { email: 'alice@example.com' } });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const token = decodeURIComponent(/token=([^\s]+)/.exec(mail.outbox.at(-1)!.text)![1]!);
  const reset = await fresh.post('/auth/password-reset/confirm', {
    json: { token, newPassword: 'recovered at last 77' },
  });
  assert.equal(reset.status, 204, reset.text);
  assert.equal((await logIn(fresh, 'alice', 'recovered at last 77')).status, 200);
});

test('a new email address needs the current password; names do not', async (t) => {
  const { client, db } = await authApp(t);
  await logIn(client);
  const headers = { 'x-csrf-token': await csrf(client) };
  const bare = await client.patch('/auth/me', { json: { email: 'mallory@example.com' }, headers });
  assert.equal(bare.status, 400);
  assert.match(bare.json<{ detail: string }>().detail, /current password is required/);
  const wrong = await client.patch('/auth/me', {
    json: { email: 'mallory@example.com', currentPassword: 'x' },
    headers,
  });
  assert.equal(wrong.status, 400);
  assert.equal((await query(db, User).get({ username: 'alice' })).email, 'alice@example.com');
  const named = await client.patch('/auth/me', { json: { firstName: 'Alice' }, headers });
  assert.equal(named.status, 200);
  const moved = await client.patch('/auth/me', {
    json: { email: 'alice@new.example', currentPassword: PASSWORD },
    headers,
  });
  assert.equal(moved.status, 200);
  assert.equal(moved.json<{ email: string }>().email, 'alice@new.example');
});

test('reset mails are limited per address: the answer stays the same, the mails stop', async (t) => {
  const { client, mail } = await authApp(t);
  const answers = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const res = await client.post('/auth/password-reset', { json: { email: 'alice@example.com' } });
    assert.equal(res.status, 202);
    answers.add(res.text);
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(answers.size, 1);
  assert.equal(mail.outbox.length, 3);
});

test('a bearer request to logout leaves the cookie session alone; cookie answers vary by Cookie', async (t) => {
  const { client, app } = await authApp(t);
  const api = testClient(app);
  const flow = await api.post<{ access_token: string }>('/auth/token', {
    form: { grant_type: 'password', username: 'alice', password: PASSWORD },
  });
  await logIn(client);
  const out = await client.post('/auth/logout', {
    headers: { authorization: `Bearer ${flow.json().access_token}` },
  });
  assert.equal(out.status, 204);
  const me = await client.get('/private');
  assert.equal(me.status, 200);
  assert.equal(me.headers.vary, 'Cookie');
  assert.equal(me.headers['cache-control'], 'no-store');
});

test('the reset link opens a page whose form sets the password, showing problems on the form', async (t) => {
  const { client, mail } = await authApp(t);
  await client.post('/auth/password-reset', { json: { email: 'alice@example.com' } });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const link = /(http:\/\/\S+)/.exec(mail.outbox[0]!.text)![1]!;
  const url = new URL(link);
  const page = await client.get(url.pathname + url.search);
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal(page.headers['cache-control'], 'no-store');
  const token = url.searchParams.get('token')!;
  assert.ok(page.text.includes(`name="token" value="${token}"`));
  const csrfToken = /name="csrf_token" value="([^"]+)"/.exec(page.text)![1]!;
  const nonce = /<style nonce="([^"]+)"/.exec(page.text)![1]!;
  assert.ok(String(page.headers['content-security-policy']).includes(`'nonce-${nonce}'`));

  const differ = await client.post('/auth/password-reset/confirm', {
    form: {
      token,
      newPassword: 'a brand new passphrase',
      confirmPassword: 'another one',
      csrf_token: csrfToken,
    },
  });
  assert.equal(differ.status, 422);
  assert.match(differ.text, /The two passwords differ\./);
  assert.match(differ.text, /<form method="post">/);
  const weak = await client.post('/auth/password-reset/confirm', {
    form: { token, newPassword: '12345678', confirmPassword: '12345678', csrf_token: csrfToken },
  });
  assert.equal(weak.status, 422);
  assert.match(weak.text, /too common|entirely numeric/);
  const done = await client.post('/auth/password-reset/confirm', {
    form: {
      token,
      newPassword: 'a brand new passphrase',
      confirmPassword: 'a brand new passphrase',
      csrf_token: csrfToken,
    },
  });
  assert.equal(done.status, 303);
  assert.equal(done.headers.location, '/auth/password-reset/confirm?done=1');
  assert.match((await client.get(done.headers.location!)).text, /Your new password is set/);
  const reused = await client.post('/auth/password-reset/confirm', {
    form: {
      token,
      newPassword: 'yet another passphrase',
      confirmPassword: 'yet another passphrase',
      csrf_token: csrfToken,
    },
  });
  assert.equal(reused.status, 400);
  assert.match(reused.text, /invalid or has expired/);
  const forged = await client.get(
    '/auth/password-reset/confirm?token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E',
  );
  assert.doesNotMatch(forged.text, /<script>/);
});

test('a login re-hashes a password stored with lower parameters than the app now uses', async (t) => {
  const { client, db } = await authApp(t, { auth: { passwordParams: { N: 2048, r: 8, p: 1 } } });
  const before = await query(db, User).get({ username: 'alice' });
  assert.match(before.password, /^scrypt\$1024\$/);
  assert.equal((await logIn(client)).status, 200);
  const after = await query(db, User).get({ username: 'alice' });
  assert.match(after.password, /^scrypt\$2048\$8\$1\$/);
  assert.equal((await client.get('/private')).status, 200, 'the session survives its own re-hash');
});

test('a visitor without a session gets a CSRF token without a session being stored', async (t) => {
  const store = new MemorySessionStore();
  const { client } = await authApp(t, { auth: { sessions: store } });
  for (let i = 0; i < 20; i++) assert.equal((await client.get('/auth/csrf')).status, 200);
  assert.equal(store.size, 0);
  assert.equal(client.cookies.size, 0);
  await logIn(client);
  assert.equal(store.size, 1);
});
