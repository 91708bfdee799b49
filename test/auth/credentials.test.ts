/**
 * The one password check of logins and current passwords: limited per username and per client
 * IP, checked one at a time so parallel guesses count, and per device for a browser that
 * logged in as that user before (so a lockout cannot keep the owner out).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testClient } from 'voltjs/testing';
import { addUser, authApp, countHashing, csrf, FAST, logIn, PASSWORD } from './fixtures.ts';

const statuses = (responses: Array<{ status: number }>) => {
  const counts: Record<number, number> = {};
  for (const { status } of responses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
};

test('50 parallel guesses of the current password (POST /auth/password): 5 are checked, the rest 429, then the right one is refused', async (t) => {
  const { client } = await authApp(t);
  await logIn(client);
  const headers = { 'x-csrf-token': await csrf(client) };
  const hashing = countHashing(t);
  const guesses = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      client.post('/auth/password', {
        json: { currentPassword: `guess ${i}`, newPassword: 'a fine new passphrase 1' },
        headers,
      }),
    ),
  );
  assert.deepEqual(statuses(guesses), { 400: 5, 429: 45 });
  assert.equal(hashing.calls.length, 5, 'hash verifications');
  const right = await client.post('/auth/password', {
    json: { currentPassword: PASSWORD, newPassword: 'a fine new passphrase 1' },
    headers,
  });
  assert.equal(right.status, 429);
  assert.ok(Number(right.headers['retry-after']) > 0);
  assert.equal(hashing.calls.length, 5);
});

test('parallel guesses of the current password with a bearer token (PATCH /auth/me, a new email) are limited like logins', async (t) => {
  const { app } = await authApp(t);
  const api = testClient(app);
  const issued = await api.post<{ access_token: string }>('/auth/token', {
    form: { grant_type: 'password', username: 'alice', password: PASSWORD },
  });
  const headers = { authorization: `Bearer ${issued.json().access_token}` };
  const hashing = countHashing(t);
  const guesses = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      api.patch('/auth/me', {
        json: { email: 'mallory@example.com', currentPassword: `guess ${i}` },
        headers,
      }),
    ),
  );
  assert.deepEqual(statuses(guesses), { 400: 5, 429: 45 });
  assert.equal(hashing.calls.length, 5);
  const right = await api.patch('/auth/me', {
    json: { email: 'mallory@example.com', currentPassword: PASSWORD },
    headers,
  });
  assert.equal(right.status, 429);
  // The username is locked for logins from clients without its device cookie too.
  assert.equal(
    (await api.post('/auth/login', { json: { username: 'alice', password: PASSWORD } })).status,
    429,
  );
});

test('current-password checks are limited per client IP, across users', async (t) => {
  const { app, db } = await authApp(t, { app: { trustProxy: true }, auth: { loginLimits: { perIp: 3 } } });
  await addUser(db, 'bob');
  const api = testClient(app);
  const bearer = async (username: string, ip: string) => {
    const res = await api.post<{ access_token: string }>('/auth/token', {
      form: { grant_type: 'password', username, password: PASSWORD },
      headers: { 'x-forwarded-for': ip },
    });
    return { authorization: `Bearer ${res.json().access_token}`, 'x-forwarded-for': ip };
  };
  const guess = (headers: Record<string, string>, currentPassword: string) =>
    api.patch('/auth/me', { json: { email: 'new@example.com', currentPassword }, headers });
  const alice = await bearer('alice', '203.0.113.7');
  const bob = await bearer('bob', '203.0.113.7');
  const bobElsewhere = await bearer('bob', '198.51.100.1');
  for (let i = 0; i < 3; i++) assert.equal((await guess(alice, `guess ${i}`)).status, 400);
  // Three failures from that IP: under alice's limit (5), at the IP's (3). Bob, from there, is refused too.
  assert.equal((await guess(bob, PASSWORD)).status, 429);
  assert.equal((await guess(bobElsewhere, PASSWORD)).status, 200);
});

test("an attacker's failures from many IPs do not keep the owner out of their browser; the attacker stays locked", async (t) => {
  const { app } = await authApp(t, { app: { trustProxy: true } });
  const owner = testClient(app, { cookieJar: true });
  assert.equal((await logIn(owner)).status, 200);
  assert.ok(
    [...owner.cookies.keys()].includes('volt_session_device'),
    'a login gives the browser a device cookie',
  );
  const attacker = testClient(app);
  const attempt = (ip: string, password: string) =>
    attacker.post('/auth/login', {
      json: { username: 'alice', password },
      headers: { 'x-forwarded-for': ip },
    });
  const answers = [];
  for (let ip = 1; ip <= 4; ip++)
    for (let i = 0; i < 5; i++) answers.push(await attempt(`198.51.100.${ip}`, `guess ${ip}.${i}`));
  assert.deepEqual(statuses(answers), { 401: 5, 429: 15 });
  // Without the device cookie, the right password from a new IP is still refused...
  const lucky = await attempt('198.51.100.99', PASSWORD);
  assert.equal(lucky.status, 429);
  assert.ok(Number(lucky.headers['retry-after']) > 0);
  // ...and the owner's browser logs in, again and again.
  for (let i = 0; i < 2; i++) {
    const res = await logIn(owner);
    assert.equal(res.status, 200, res.text);
  }
  assert.equal((await owner.get('/private')).status, 200);
  assert.equal(
    (await attempt('198.51.100.100', PASSWORD)).status,
    429,
    'an owner login does not unlock the username',
  );
});

test('a browser with a device cookie is limited on its own; a device cookie of another user counts for nothing', async (t) => {
  const { app, db } = await authApp(t, { auth: { passwordParams: FAST } });
  await addUser(db, 'mallory');
  const laptop = testClient(app, { cookieJar: true });
  const phone = testClient(app, { cookieJar: true });
  await logIn(laptop);
  await logIn(phone);
  // Five failures on the laptop lock the laptop, not the username.
  for (let i = 0; i < 5; i++) assert.equal((await logIn(laptop, 'alice', `guess ${i}`)).status, 401);
  assert.equal((await logIn(laptop)).status, 429);
  assert.equal((await logIn(phone)).status, 200);
  assert.equal(
    (await testClient(app).post('/auth/login', { json: { username: 'alice', password: PASSWORD } })).status,
    200,
  );
  // Mallory's own device cookie does not make her attempts on alice trusted ones.
  const mallory = testClient(app, { cookieJar: true });
  await logIn(mallory, 'mallory');
  for (let i = 0; i < 5; i++) assert.equal((await logIn(mallory, 'alice', `guess ${i}`)).status, 401);
  assert.equal(
    (await testClient(app).post('/auth/login', { json: { username: 'alice', password: PASSWORD } })).status,
    429,
  );
  assert.equal((await logIn(phone)).status, 200);
  // A tampered device cookie is no device cookie.
  const forged = testClient(app, { cookieJar: true });
  forged.cookies.set('volt_session_device', `${phone.cookies.get('volt_session_device')}x`);
  assert.equal((await logIn(forged)).status, 429);
  // Nor is the phone's valid value under another cookie name that ends like it.
  const renamed = testClient(app, { cookieJar: true });
  renamed.cookies.set('xvolt_session_device', phone.cookies.get('volt_session_device')!);
  assert.equal((await logIn(renamed)).status, 429);
});
