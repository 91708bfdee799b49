/**
 * Attacks on an app with users, each of which must fail: forged cross-site requests, session
 * fixation, stolen sessions after logout or a password change, password guessing, user
 * enumeration, mass assignment, open redirects, host header poisoning, prototype pollution,
 * oversized bodies — and the security headers on every kind of response.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { t as types } from 'voltjs';
import { hashPassword, saveUserFields, User } from 'voltjs/auth';
import { query } from 'voltjs/orm';
import { testClient } from 'voltjs/testing';
import { addUser, authApp, countHashing, csrf, logIn, PASSWORD } from './fixtures.ts';

const ORIGIN = 'http://localhost:80';

// --- CSRF ------------------------------------------------------------------------------------

test('CSRF: a cookie-authenticated POST without the token is refused with 403 and a reason', async (t) => {
  const { client } = await authApp(t);
  await logIn(client);
  const res = await client.post('/private', { json: { note: 'x' } });
  assert.equal(res.status, 403);
  assert.match(res.json<{ detail: string }>().detail, /CSRF token is missing/);
});

test('CSRF: a wrong token is refused, the right one (header or form field) passes', async (t) => {
  const { client } = await authApp(t);
  await logIn(client);
  const wrong = await client.post('/private', {
    json: { note: 'x' },
    headers: { 'x-csrf-token': 'A'.repeat(86) },
  });
  assert.equal(wrong.status, 403);
  assert.match(wrong.json<{ detail: string }>().detail, /CSRF token is incorrect/);
  const token = await csrf(client);
  const ok = await client.post('/private', { json: { note: 'x' }, headers: { 'x-csrf-token': token } });
  assert.equal(ok.status, 200);
  const form = await client.post('/private', { form: { note: 'y', csrf_token: await csrf(client) } });
  assert.equal(form.status, 200);
  assert.deepEqual(form.json(), { username: 'alice', note: 'y' });
});

test('CSRF: the token of another session does not pass', async (t) => {
  const { client, app } = await authApp(t);
  const other = testClient(app, { cookieJar: true });
  await logIn(other);
  const theirs = await csrf(other);
  await logIn(client);
  const res = await client.post('/private', { json: { note: 'x' }, headers: { 'x-csrf-token': theirs } });
  assert.equal(res.status, 403);
});

test('CSRF: a foreign Origin is refused even with the right token; a trusted origin passes', async (t) => {
  const { client } = await authApp(t, { app: { csrfTrustedOrigins: ['https://app.example.com'] } });
  await logIn(client);
  const token = await csrf(client);
  const foreign = await client.post('/private', {
    json: { note: 'x' },
    headers: { 'x-csrf-token': token, origin: 'https://evil.example' },
  });
  assert.equal(foreign.status, 403);
  assert.match(foreign.json<{ detail: string }>().detail, /origin https:\/\/evil\.example/);
  const opaque = await client.post('/private', {
    json: { note: 'x' },
    headers: { 'x-csrf-token': token, origin: 'null' },
  });
  assert.equal(opaque.status, 403);
  const same = await client.post('/private', {
    json: { note: 'x' },
    headers: { 'x-csrf-token': token, origin: ORIGIN.replace(':80', '') },
  });
  assert.equal(same.status, 200, same.text);
  const trusted = await client.post('/private', {
    json: { note: 'x' },
    headers: { 'x-csrf-token': token, origin: 'https://app.example.com' },
  });
  assert.equal(trusted.status, 200);
});

test('CSRF: over HTTPS a request without Origin needs a same-site Referer', async (t) => {
  const { client } = await authApp(t, { app: { trustProxy: true } });
  await logIn(client);
  const token = await csrf(client);
  const headers = { 'x-csrf-token': token, 'x-forwarded-proto': 'https', host: 'localhost' };
  const none = await client.post('/private', { json: { note: 'x' }, headers });
  assert.equal(none.status, 403);
  assert.match(none.json<{ detail: string }>().detail, /Referer/);
  const foreign = await client.post('/private', {
    json: { note: 'x' },
    headers: { ...headers, referer: 'https://evil.example/a' },
  });
  assert.equal(foreign.status, 403);
  const own = await client.post('/private', {
    json: { note: 'x' },
    headers: { ...headers, referer: 'https://localhost/form' },
  });
  assert.equal(own.status, 200, own.text);
});

test('CSRF: a bearer-token request is exempt, even when it also carries the cookie', async (t) => {
  const { client, app } = await authApp(t);
  const api = testClient(app);
  const issued = await api.post<{ access_token: string }>('/auth/token', {
    form: { grant_type: 'password', username: 'alice', password: PASSWORD },
  });
  assert.equal(issued.status, 200, issued.text);
  await logIn(client);
  const res = await client.post('/private', {
    json: { note: 'x' },
    headers: { authorization: `Bearer ${issued.json().access_token}`, origin: 'https://evil.example' },
  });
  assert.equal(res.status, 200);
});

test('CSRF: an Origin with user info or a path is not the site, though it parses to it', async (t) => {
  const { client, app } = await authApp(t);
  await logIn(client);
  const token = await csrf(client);
  for (const origin of [
    'http://evil@localhost',
    'http://localhost/',
    'http://localhost/path',
    'http://x:y@localhost',
  ]) {
    const res = await client.post('/private', {
      json: { note: 'x' },
      headers: { 'x-csrf-token': token, origin },
    });
    assert.equal(res.status, 403, origin);
    assert.match(res.json<{ detail: string }>().detail, /neither this site/);
  }
  const login = await testClient(app).post('/auth/login', {
    json: { username: 'alice', password: PASSWORD },
    headers: { origin: 'http://evil@localhost' },
  });
  assert.equal(login.status, 403);
});

test("CSRF: a cookie whose name only ends like the session cookie's is not the session cookie", async (t) => {
  const { app } = await authApp(t);
  app.post('/guestbook', {}, () => ({ signed: true }));
  const client = testClient(app);
  const res = await client.post('/guestbook', {
    headers: { cookie: 'xvolt_session=abc; theme=volt_session=dark', origin: 'https://elsewhere.example' },
  });
  // No session cookie: the session's CSRF check has nothing to protect, and nothing is private.
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers['cache-control'], undefined);
  const real = await client.post('/guestbook', {
    headers: { cookie: 'theme=dark;  volt_session=abc', origin: 'https://elsewhere.example' },
  });
  assert.equal(real.status, 403);
});

test('CSRF: a foreign page cannot log the browser in (login checks Origin)', async (t) => {
  const { client } = await authApp(t);
  const res = await client.post('/auth/login', {
    json: { username: 'alice', password: PASSWORD },
    headers: { origin: 'https://evil.example' },
  });
  assert.equal(res.status, 403);
  assert.equal(client.cookies.size, 0);
});

// --- Sessions --------------------------------------------------------------------------------

test('session fixation: a session id planted before login is worth nothing after it', async (t) => {
  const { client, app, auth, db } = await authApp(t);
  // The attacker logs into their own account and plants that session's cookie in the victim's browser.
  await addUser(db, 'mallory');
  const attackerBrowser = testClient(app, { cookieJar: true });
  await logIn(attackerBrowser, 'mallory');
  const planted = attackerBrowser.cookies.get(auth.sessions.cookieName)!;
  assert.ok(planted);
  client.cookies.set(auth.sessions.cookieName, planted);
  await logIn(client);
  const issued = client.cookies.get(auth.sessions.cookieName)!;
  assert.notEqual(issued, planted);
  const attacker = testClient(app);
  const res = await attacker.get('/private', { cookies: { [auth.sessions.cookieName]: planted } });
  assert.equal(res.status, 401);
  assert.equal((await client.get('/private')).status, 200);
});

test('logout: the old cookie no longer authenticates, also when replayed', async (t) => {
  const { client, app, auth } = await authApp(t);
  await logIn(client);
  const stolen = client.cookies.get(auth.sessions.cookieName)!;
  const out = await client.post('/auth/logout', { headers: { 'x-csrf-token': await csrf(client) } });
  assert.equal(out.status, 204);
  assert.match(String(out.headers['set-cookie']), /Max-Age=0/);
  const replay = await testClient(app).get('/private', { cookies: { [auth.sessions.cookieName]: stolen } });
  assert.equal(replay.status, 401);
});

test('password change: every other session of the user ends; the current one goes on', async (t) => {
  const { client, app } = await authApp(t);
  const laptop = testClient(app, { cookieJar: true });
  await logIn(laptop);
  await logIn(client);
  const changed = await client.post('/auth/password', {
    json: { currentPassword: PASSWORD, newPassword: 'a much better passphrase 42' },
    headers: { 'x-csrf-token': await csrf(client) },
  });
  assert.equal(changed.status, 204, changed.text);
  assert.equal((await laptop.get('/private')).status, 401);
  assert.equal((await client.get('/private')).status, 200);
  assert.equal((await logIn(laptop)).status, 401);
  assert.equal((await logIn(laptop, 'alice', 'a much better passphrase 42')).status, 200);
});

test('a forged or tampered session cookie is ignored', async (t) => {
  const { client, app, auth } = await authApp(t);
  await logIn(client);
  const cookie = client.cookies.get(auth.sessions.cookieName)!;
  const [id, signature] = [
    cookie.slice(0, cookie.lastIndexOf('.')),
    cookie.slice(cookie.lastIndexOf('.') + 1),
  ];
  const other = testClient(app);
  for (const forged of [
    `${id}x.${signature}`,
    `${id}.${signature.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`,
    id,
    'garbage',
  ]) {
    const res = await other.get('/private', { cookies: { [auth.sessions.cookieName]: forged } });
    assert.equal(res.status, 401, forged);
  }
});

// --- Password guessing and enumeration -------------------------------------------------------

test('brute force: after 5 failures the username is locked, even for the right password, with Retry-After', async (t) => {
  const { client } = await authApp(t);
  for (let i = 0; i < 5; i++) assert.equal((await logIn(client, 'alice', `guess ${i}`)).status, 401);
  const locked = await logIn(client);
  assert.equal(locked.status, 429);
  const retryAfter = Number(locked.headers['retry-after']);
  assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, String(retryAfter));
  assert.match(locked.json<{ detail: string }>().detail, /Too many failed login attempts/);
  const token = await client.post('/auth/token', {
    form: { grant_type: 'password', username: 'alice', password: PASSWORD },
  });
  assert.equal(token.status, 429);
});

test('brute force: one client trying many usernames is locked by its IP', async (t) => {
  const { client } = await authApp(t, { auth: { loginLimits: { perIp: 8 } } });
  for (let i = 0; i < 8; i++) assert.equal((await logIn(client, `user${i}`, 'x')).status, 401);
  assert.equal((await logIn(client, 'alice')).status, 429);
});

test('user enumeration: an unknown user and a wrong password get the same answer', async (t) => {
  const { client, db } = await authApp(t);
  await addUser(db, 'sleepy', { isActive: false });
  const answers = await Promise.all([
    logIn(client, 'alice', 'wrong'),
    logIn(client, 'nobody', 'wrong'),
    logIn(client, 'sleepy', PASSWORD),
  ]);
  for (const res of answers) {
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), answers[0]!.json());
    assert.equal(res.headers['www-authenticate'], answers[0]!.headers['www-authenticate']);
  }
  const resets = await Promise.all(
    ['alice@example.com', 'nobody@example.com'].map((email) =>
      client.post('/auth/password-reset', { json: { email } }),
    ),
  );
  assert.deepEqual(
    resets.map((r) => [r.status, r.text]),
    [
      [202, resets[0]!.text],
      [202, resets[0]!.text],
    ],
  );
});

test('user enumeration: a login does the same hashing work for an unknown user as for a known one', async (t) => {
  // The app's cost differs from the one Alice's hash was made with: an unknown user must cost
  // what a real verification costs. (The times themselves: bench/auth/login-timing.ts.)
  const { client, db } = await authApp(t, {
    auth: { passwordParams: { N: 2048, r: 8, p: 1 }, loginLimits: { perUser: 1000, perIp: 1000 } },
  });
  const alice = await query(db, User).get({ username: 'alice' });
  await saveUserFields(db, User, alice.id, {
    password: await hashPassword(PASSWORD, { N: 2048, r: 8, p: 1 }),
  });
  await logIn(client, 'ghost-warm-up', 'wrong password'); // the dummy hash is made once, on first use
  const hashing = countHashing(t);
  const work = async (username: string) => {
    const before = hashing.calls.length;
    assert.equal((await logIn(client, username, 'wrong password')).status, 401);
    return hashing.calls.slice(before);
  };
  const known = await work('alice');
  assert.deepEqual(known, [{ N: 2048, r: 8, p: 1 }]);
  for (const ghost of ['ghost', 'nobody', 'a'.repeat(150)]) assert.deepEqual(await work(ghost), known, ghost);
});

// --- Mass assignment -------------------------------------------------------------------------

test('mass assignment: a user cannot make themselves staff or superuser through their profile', async (t) => {
  const { client, db } = await authApp(t);
  await logIn(client);
  const token = await csrf(client);
  const res = await client.patch('/auth/me', {
    json: { firstName: 'Alice', isSuperuser: true, isStaff: true },
    headers: { 'x-csrf-token': token },
  });
  assert.equal(res.status, 422);
  const row = await query(db, User).get({ username: 'alice' });
  assert.equal(row.isSuperuser, false);
  assert.equal(row.isStaff, false);
  const ok = await client.patch('/auth/me', {
    json: { firstName: 'Alice' },
    headers: { 'x-csrf-token': token },
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.json<{ firstName: string }>().firstName, 'Alice');
});

test("mass assignment: the user model's own create schema cannot set privileges or the password hash", async (t) => {
  const { app, db } = await authApp(t);
  app.post(
    '/register',
    { body: User.schema.create, status: 201, response: { 201: User.schema.read } },
    (ctx) => query(db, User).create(ctx.body),
  );
  const client = testClient(app);
  const res = await client.post('/register', {
    json: { username: 'mallory', isSuperuser: true, isStaff: true, password: 'scrypt$1$1$1$x$y' },
  });
  const row = await query(db, User).filter({ username: 'mallory' }).first();
  if (res.status === 201) {
    assert.equal(row?.isSuperuser, false);
    assert.equal(row?.isStaff, false);
    assert.equal(row?.password, '');
  } else {
    assert.equal(res.status, 422);
    assert.equal(row, undefined);
  }
  assert.equal('password' in (res.status === 201 ? res.json<object>() : {}), false);
});

// --- Redirects and links ---------------------------------------------------------------------

test('open redirect: login only follows `next` to this site', async (t) => {
  const { client } = await authApp(t);
  for (const [next, expected] of [
    ['/orders?page=2', '/orders?page=2'],
    ['//evil.com', '/'],
    ['https://evil.com/x', '/'],
    ['/\\evil.com', '/'],
    ['javascript:alert(1)', '/'],
    ['http://localhost/fine', 'http://localhost/fine'],
  ]) {
    // After the first login the browser has a session: its form carries the CSRF token.
    const token = client.cookies.size > 0 ? await csrf(client) : '';
    const res = await client.post('/auth/login', {
      form: { username: 'alice', password: PASSWORD, next: next!, csrf_token: token },
    });
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.location, expected, next);
  }
});

test('host header poisoning: reset links never name the host a request claims', async (t) => {
  const { client, mail } = await authApp(t, {
    app: { allowedHosts: ['shop.example.com', 'localhost'], siteUrl: 'https://shop.example.com' },
  });
  const poisoned = await client.post('/auth/password-reset', {
    json: { email: 'alice@example.com' },
    headers: { host: 'evil.example' },
  });
  assert.equal(poisoned.status, 400);
  const forwarded = await client.post('/auth/password-reset', {
    json: { email: 'alice@example.com' },
    headers: { host: 'localhost', 'x-forwarded-host': 'evil.example' },
  });
  assert.equal(forwarded.status, 202);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(mail.outbox.length, 1);
  assert.match(mail.outbox[0]!.text, /https:\/\/shop\.example\.com\/auth\/password-reset\/confirm\?token=/);
  assert.doesNotMatch(mail.outbox[0]!.text, /evil/);
});

// --- Bodies ----------------------------------------------------------------------------------

test('prototype pollution through JSON or form bodies never reaches Object.prototype', async (t) => {
  const { client } = await authApp(t);
  await logIn(client);
  const token = await csrf(client);
  const headers = { 'x-csrf-token': token, 'content-type': 'application/json' };
  for (const body of [
    '{"note":"x","__proto__":{"polluted":true}}',
    '{"note":"x","constructor":{"prototype":{"polluted":true}}}',
  ]) {
    const res = await client.post('/private', { body, headers });
    assert.ok(res.status === 400 || res.status === 200, `${res.status} ${res.text}`);
  }
  const form = await client.post('/private', {
    body: `note=x&__proto__[polluted]=true&constructor[prototype][polluted]=true&csrf_token=${encodeURIComponent(token)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.ok(form.status < 500, form.text);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
});

test('oversized and deeply nested bodies are refused before they reach a handler', async (t) => {
  const { client } = await authApp(t, { app: { bodyLimit: 10_000 } });
  const big = await client.post('/auth/login', {
    body: JSON.stringify({ username: 'alice', password: 'x'.repeat(20_000) }),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(big.status, 413);
  const deep = await client.post('/auth/login', {
    body: `{"username":${'['.repeat(2000)}${']'.repeat(2000)}}`,
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(deep.status, 400);
  const wide = await client.post('/auth/login', {
    body: `{"username":[${'0,'.repeat(4000)}0]}`,
    headers: { 'content-type': 'application/json' },
  });
  assert.ok(wide.status === 400 || wide.status === 422, String(wide.status));
});

// --- Headers ---------------------------------------------------------------------------------

test('security headers are on HTML, JSON, error and not-found responses', async (t) => {
  const { client } = await authApp(t, {
    app: {
      env: 'production',
      secretKey: 'k'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789',
      allowedHosts: ['localhost'],
    },
  });
  const responses = [
    await client.get('/page'),
    await client.get('/auth/csrf'),
    await client.get('/private'),
    await client.get('/missing'),
    await client.post('/auth/login', { body: '{', headers: { 'content-type': 'application/json' } }),
    await client.get('/page', { headers: { host: 'evil.example' } }),
  ];
  assert.deepEqual(
    responses.map((r) => r.status),
    [200, 200, 401, 404, 400, 400],
  );
  for (const res of responses) {
    for (const name of [
      'content-security-policy',
      'x-content-type-options',
      'referrer-policy',
      'x-frame-options',
      'cross-origin-opener-policy',
      'permissions-policy',
      'strict-transport-security',
    ])
      assert.ok(res.headers[name], `${name} missing on a ${res.status} response`);
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  }
});

test('cookies: HttpOnly, SameSite=Lax, signed, and Secure in production', async (t) => {
  const dev = await authApp(t);
  const res = await logIn(dev.client);
  const cookie = String(res.headers['set-cookie']);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.match(cookie, /Path=\//);
  assert.doesNotMatch(cookie, /Secure/);
  const prod = await authApp(t, {
    app: {
      env: 'production',
      secretKey: 'k'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789',
      allowedHosts: ['localhost'],
    },
  });
  const secure = String((await logIn(prod.client)).headers['set-cookie']);
  assert.match(secure, /Secure/);
  void types;
});

test('every answer to a request with a bearer token or the session cookie is no-store, unless the route says otherwise', async (t) => {
  const { client, app, auth } = await authApp(t);
  app.get('/catalogue', {}, () => ({ items: [] }));
  app.get('/avatar', { deps: { user: auth.user } }, (ctx) => {
    ctx.header('cache-control', 'private, max-age=60');
    return {};
  });
  const api = testClient(app);
  const issued = await api.post<{ access_token: string }>('/auth/token', {
    form: { grant_type: 'password', username: 'alice', password: PASSWORD },
  });
  const bearer = { authorization: `Bearer ${issued.json().access_token}` };
  await logIn(client);
  for (const [what, res] of [
    ['bearer, guarded', await api.get('/private', { headers: bearer })],
    ['bearer, open route', await api.get('/catalogue', { headers: bearer })],
    ['bearer, 404', await api.get('/missing', { headers: bearer })],
    ['cookie, guarded', await client.get('/private')],
    ['cookie, me', await client.get('/auth/me')],
    ['cookie, open route', await client.get('/catalogue')],
  ] as const)
    assert.equal(res.headers['cache-control'], 'no-store', what);
  assert.equal((await client.get('/avatar')).headers['cache-control'], 'private, max-age=60');
  assert.equal((await api.get('/catalogue')).headers['cache-control'], undefined, 'anonymous');
});
