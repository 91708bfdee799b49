/**
 * The address per-client limits count: behind proxies, the one the nearest trusted proxy saw
 * (TRUST_PROXY as a hop count or the proxies' addresses), never an entry the client wrote;
 * an IPv6 client by its /64 network; an IPv4-mapped IPv6 address as its IPv4 address.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientKey, loadSettings, rateLimit } from 'voltjs';
import { testClient } from 'voltjs/testing';
import { runDeployChecks } from '../../src/security/checks/index.ts';
import { addUser, authApp } from '../auth/fixtures.ts';

const USERS = ['bob', 'carol', 'dave', 'erin', 'frank', 'grace'];

/** `TRUST_PROXY` as the environment gives it. */
const trustProxy = (value: string) =>
  loadSettings({ env: { TRUST_PROXY: value }, envFile: false }).trustProxy;

for (const setting of ['1', '127.0.0.1', '127.0.0.0/8, ::1', 'loopback']) {
  test(`TRUST_PROXY=${setting} behind a proxy that appends the address: a forged X-Forwarded-For does not dodge the per-IP login limit`, async (t) => {
    const { app, db } = await authApp(t, {
      app: { trustProxy: trustProxy(setting) },
      auth: { loginLimits: { perIp: 3 } },
    });
    for (const name of USERS) await addUser(db, name);
    const api = testClient(app);
    t.after(() => api.close());
    // One attacker at 203.0.113.7 sprays one password over many usernames, writing a new
    // X-Forwarded-For each time; the proxy (127.0.0.1) appends the address it saw.
    const statuses = [];
    for (const [i, username] of USERS.entries()) {
      const res = await api.post('/auth/login', {
        json: { username, password: 'Summer2024!' },
        headers: { 'x-forwarded-for': `10.0.0.${i}, 203.0.113.7` },
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429]);
    // Another client behind the same proxy is not held back by that one.
    const other = await api.post('/auth/login', {
      json: { username: 'bob', password: 'Winter2024!' },
      headers: { 'x-forwarded-for': '198.51.100.1' },
    });
    assert.equal(other.status, 401);
  });
}

test('TRUST_PROXY naming other proxies: X-Forwarded-For from anyone else is ignored', async (t) => {
  const { app } = await authApp(t, { app: { trustProxy: trustProxy('10.0.0.0/8') } });
  app.get('/ip', {}, (ctx) => ({ ip: ctx.request.ip }));
  const api = testClient(app);
  t.after(() => api.close());
  const res = await api.get<{ ip: string }>('/ip', { headers: { 'x-forwarded-for': '203.0.113.7' } });
  assert.equal(res.json().ip, '127.0.0.1');
});

test('TRUST_PROXY: false, a hop count, or proxy addresses and CIDR ranges; anything else is refused by name', () => {
  assert.equal(trustProxy('false'), false);
  assert.equal(trustProxy('0'), false);
  assert.equal(trustProxy('true'), true);
  assert.equal(trustProxy('2'), 2);
  assert.deepEqual(trustProxy(' 10.0.0.0/8, fd00::/8 ,192.0.2.1,loopback'), [
    '10.0.0.0/8',
    'fd00::/8',
    '192.0.2.1',
    'loopback',
  ]);
  for (const [value, named] of [
    ['10.0.0.0/33', '10.0.0.0/33'],
    ['proxy.example.com', 'proxy.example.com'],
    ['10.0.0.1, nginx', 'nginx'],
    ['101', '101'],
  ] as const) {
    assert.throws(
      () => trustProxy(value),
      (error: Error) => error.message.includes('TRUST_PROXY') && error.message.includes(`"${named}"`),
      value,
    );
  }
});

test('volt check --deploy warns that TRUST_PROXY=true lets the client choose its address, and not for a hop count or addresses', () => {
  const production = {
    VOLT_ENV: 'production',
    SECRET_KEY: 'Zq3v-9kLw2Xr8TnB4yHc1MdP6sJf0GaE5uVi7oRtKe2Wx9Ly4Nb',
    ALLOWED_HOSTS: 'shop.example.com',
  };
  const findings = (value: string) =>
    runDeployChecks(loadSettings({ env: { ...production, TRUST_PROXY: value }, envFile: false })).filter(
      (finding) => finding.id === 'security.S016',
    );
  const [warning] = findings('true');
  assert.equal(warning?.level, 'warning');
  assert.match(warning!.message, /client chooses the address/);
  assert.deepEqual(findings('1'), []);
  assert.deepEqual(findings('10.0.0.0/8'), []);
  assert.deepEqual(findings('false'), []);
});

test('the per-IP login limit of an IPv6 client is per /64 network, not per address', async (t) => {
  const { app, db } = await authApp(t, { auth: { loginLimits: { perIp: 3 } } });
  for (const name of USERS) await addUser(db, name);
  await app.fastify.ready();
  const login = (username: string, remoteAddress: string) =>
    app.fastify.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username, password: 'Summer2024!' },
      remoteAddress,
    });
  const statuses = [];
  for (const [i, username] of USERS.entries())
    statuses.push((await login(username, `2001:db8:1:2:${i.toString(16)}::${i + 1}`)).statusCode);
  assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429]);
  // The next /64 is another client.
  assert.equal((await login('bob', '2001:db8:1:3::1')).statusCode, 401);
});

test('an IPv4-mapped IPv6 address counts as its IPv4 address (a dual-stack socket reports those)', async (t) => {
  const { app } = await authApp(t);
  app.get('/limited', { deps: { limit: rateLimit({ limit: 2, window: 60 }) } }, () => ({ ok: true }));
  await app.fastify.ready();
  const get = (remoteAddress: string) => app.fastify.inject({ url: '/limited', remoteAddress });
  assert.equal((await get('203.0.113.7')).statusCode, 200);
  assert.equal((await get('::ffff:203.0.113.7')).statusCode, 200);
  assert.equal((await get('0:0:0:0:0:ffff:cb00:7107')).statusCode, 429);
  assert.equal((await get('2001:db8::1')).statusCode, 200);
  assert.equal((await get('2001:db8:0:0:ffff::2')).statusCode, 200, 'same /64');
  assert.equal((await get('2001:0db8:0000:0000::3')).statusCode, 429, 'same /64, written longer');
});

test('clientKey: IPv4 as it is, IPv6 as its /64, IPv4-mapped as IPv4, anything else unchanged', () => {
  assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:DB8:0001:0002::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(clientKey('::1'), '0:0:0:0::/64');
  assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('::ffff:cb00:7107'), '203.0.113.7');
  assert.equal(clientKey('64:ff9b::203.0.113.7'), '64:ff9b:0:0::/64');
  for (const odd of ['', 'unknown', '1:2:3', '1::2::3', '1:2:3:4:5:6:7:8:9', '::ffff:300.1.1.1'])
    assert.equal(clientKey(odd), odd);
});
