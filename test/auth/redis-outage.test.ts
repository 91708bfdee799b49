/**
 * Redis going away under load, with a client made as the docs show (no `error` listener of its
 * own): the process stays up; requests that need a session answer 503 with Retry-After within
 * the command timeout, never waiting for the outage to end; logins stay limited (the throttle
 * counts in memory meanwhile); and everything works again once Redis is back. A private
 * redis-server is frozen (SIGSTOP), then killed and restarted on the same port.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { RedisThrottleStore } from 'voltjs';
import { RedisSessionStore } from 'voltjs/auth';
import { type TestClient, type TestResponse, testClient } from 'voltjs/testing';
import { privateRedis } from '../redis.ts';
import { addUser, authApp, logIn, PASSWORD } from './fixtures.ts';

const TIMEOUT = 300; // ms (commandTimeout takes seconds)
/**
 * The longest a request may take while Redis is away: the command timeout and a wide margin
 * for a busy machine. (Before the stores bounded their commands, requests waited for the
 * whole outage.)
 */
const BOUND = TIMEOUT + 2700;

async function timed(request: Promise<TestResponse>): Promise<TestResponse & { ms: number }> {
  const start = performance.now();
  const res = await request;
  return Object.assign(res, { ms: performance.now() - start });
}

/** Requests to a session-backed route, in rounds of ten at once, until stopped; every answer kept. */
function load(client: TestClient) {
  const answers: Array<{ status: number; ms: number }> = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const round = await Promise.all(Array.from({ length: 10 }, () => timed(client.get('/private'))));
      answers.push(...round.map(({ status, ms }) => ({ status, ms })));
      await sleep(10);
    }
  })();
  return {
    answers,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** Polls `check` until it is true or `ms` passed. */
async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not recovered within ${ms} ms`);
    await sleep(100);
  }
}

test('Redis stopped under load: no crash, 503 + Retry-After within the bound, logins still limited, recovery', {
  timeout: 60_000,
}, async (t) => {
  const redis = await privateRedis();
  if (!redis) return t.skip('redis-server is not installed');
  t.after(() => redis.stop());
  // As the docs show it: no error listener; the stores add their own.
  const client = await createClient({ url: redis.url }).connect();
  t.after(() => client.destroy());
  const { app, db } = await authApp(t, {
    auth: {
      sessions: new RedisSessionStore(client, { commandTimeout: TIMEOUT / 1000 }),
      throttle: new RedisThrottleStore(client, { commandTimeout: TIMEOUT / 1000 }),
    },
  });
  await addUser(db, 'bob');
  await addUser(db, 'carol');
  const browser = testClient(app, { cookieJar: true });
  assert.equal((await logIn(browser)).status, 200);
  assert.equal((await browser.get('/private')).status, 200);

  const unavailable = (res: TestResponse & { ms: number }, what: string) => {
    assert.equal(res.status, 503, `${what}: ${res.status} ${res.text}`);
    assert.equal(res.headers['retry-after'], '5');
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.ok(res.ms < BOUND, `${what} took ${Math.round(res.ms)} ms`);
  };
  const limited = async (username: string) => {
    // Wrong passwords from a client without a session: counted in memory while Redis is away.
    const guesser = testClient(app);
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push(await timed(guesser.post('/auth/login', { json: { username, password: `guess ${i}` } })));
    assert.deepEqual(
      answers.map((res) => res.status),
      [401, 401, 401, 401, 401, 429],
      answers.map((res) => res.text).join('\n'),
    );
    for (const res of answers) assert.ok(res.ms < BOUND, `a login took ${Math.round(res.ms)} ms`);
  };

  // 1. Frozen (SIGSTOP): commands get no answer; each gives up after the command timeout.
  let traffic = load(browser);
  t.after(() => traffic.stop());
  await sleep(100);
  redis.signal('SIGSTOP');
  await sleep(TIMEOUT * 3);
  unavailable(await timed(browser.get('/private')), 'a request while Redis is frozen');
  await limited('bob');
  await traffic.stop();
  assert.ok(traffic.answers.some((a) => a.status === 503));
  for (const answer of traffic.answers) {
    assert.ok([200, 503].includes(answer.status), String(answer.status));
    assert.ok(answer.ms < BOUND, `a request under load took ${Math.round(answer.ms)} ms`);
  }
  redis.signal('SIGCONT');
  await eventually(async () => (await browser.get('/private')).status === 200);

  // 2. Killed: the client reconnects in the background; requests fail fast meanwhile.
  traffic = load(browser);
  await sleep(100);
  await redis.stop('SIGKILL');
  await sleep(200);
  unavailable(await timed(browser.get('/private')), 'a request while Redis is down');
  await limited('carol');
  await traffic.stop();
  for (const answer of traffic.answers) {
    assert.ok([200, 503].includes(answer.status), String(answer.status));
    assert.ok(answer.ms < BOUND, `a request under load took ${Math.round(answer.ms)} ms`);
  }

  // 3. Back on the same port (empty: it keeps nothing on disk): logins and sessions work again.
  await redis.start();
  const again = testClient(app, { cookieJar: true });
  await eventually(async () => (await logIn(again, 'alice', PASSWORD)).status === 200);
  assert.equal((await again.get('/private')).status, 200);
  assert.equal((await browser.get('/private')).status, 401, 'the session went with the old Redis');
});
