/**
 * The Redis throttle store while a private Redis is frozen (SIGSTOP) or gone: a key counted or
 * locked in Redis stays so in the fallback; what the fallback counted is added to Redis once it
 * answers again; a command given up on is not counted later as well; and the outage is logged
 * once when it starts and once when it ends.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { RedisThrottleStore, Throttle } from 'voltjs';
import { testClient } from 'voltjs/testing';
import { authApp } from '../auth/fixtures.ts';
import { type PrivateRedis, privateRedis } from '../redis.ts';

const TIMEOUT = 200; // ms (commandTimeout takes seconds)

/** A private Redis and a connected client (made as the docs show: no error listener of its own). */
async function redisFor(t: TestContext) {
  const redis = await privateRedis();
  if (!redis) {
    t.skip('redis-server is not installed');
    return undefined;
  }
  t.after(() => redis.stop());
  const client = await createClient({ url: redis.url }).connect();
  t.after(() => client.destroy());
  // A client of the test's own reads Redis after it is back.
  const reader = await createClient({ url: redis.url }).connect();
  reader.on('error', () => {});
  t.after(() => reader.destroy());
  return { redis, client, reader };
}

/** Polls until `check` holds (Redis answering again after SIGCONT), at most `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms`);
    await sleep(50);
  }
}

/** Freezes Redis until the returned function is called; makes sure it resumes after the test. */
function freeze(t: TestContext, redis: PrivateRedis): () => void {
  redis.signal('SIGSTOP');
  let frozen = true;
  const thaw = () => {
    if (frozen) redis.signal('SIGCONT');
    frozen = false;
  };
  t.after(thaw);
  return thaw;
}

test('a username locked in Redis stays locked while Redis is frozen', { timeout: 30_000 }, async (t) => {
  const setup = await redisFor(t);
  if (!setup) return;
  const store = new RedisThrottleStore(setup.client, { commandTimeout: TIMEOUT / 1000, logger: false });
  const { app } = await authApp(t, { auth: { throttle: store } });
  const guesser = testClient(app);
  t.after(() => guesser.close());
  const guess = (i: number) =>
    guesser.post('/auth/login', { json: { username: 'alice', password: `guess ${i}` } });
  for (let i = 0; i < 5; i++) assert.equal((await guess(i)).status, 401);
  assert.equal((await guess(5)).status, 429, 'alice is locked (in Redis)');
  const thaw = freeze(t, setup.redis);
  await sleep(TIMEOUT);
  const during = [];
  for (let i = 6; i < 12; i++) during.push((await guess(i)).status);
  thaw();
  assert.deepEqual(during, [429, 429, 429, 429, 429, 429], 'guesses while Redis was frozen');
});

test('failures counted in Redis before the outage and in the fallback during it add up', {
  timeout: 30_000,
}, async (t) => {
  const setup = await redisFor(t);
  if (!setup) return;
  const store = new RedisThrottleStore(setup.client, { commandTimeout: TIMEOUT / 1000, logger: false });
  const throttle = new Throttle({ limit: 5, window: 60, store });
  for (let i = 0; i < 3; i++) await throttle.fail('user:bob');
  const thaw = freeze(t, setup.redis);
  await sleep(TIMEOUT);
  assert.equal((await throttle.check('user:bob')).allowed, true, '3 of 5');
  assert.equal((await throttle.fail('user:bob')).allowed, true, '4 of 5');
  assert.equal((await throttle.fail('user:bob')).allowed, false, '5 of 5: locked');
  assert.equal((await throttle.check('user:bob')).allowed, false);
  // Another key, never seen in Redis, counts from zero in the fallback.
  await throttle.fail('user:carol');
  thaw();
  // Back: the 2 failures of bob and the 1 of carol counted meanwhile are Redis's too, for
  // every process, within the windows they were counted in.
  // (The next command after Redis answers again tells it.)
  await eventually(async () => {
    await throttle.check('user:other');
    return (await setup.reader.get('volt:throttle:user:bob')) === '5';
  });
  assert.equal(await setup.reader.get('volt:throttle:user:carol'), '1');
  const ttl = await setup.reader.pTTL('volt:throttle:user:carol');
  assert.ok(ttl > 50_000 && ttl <= 60_000, `carol's window: ${ttl} ms left`);
  assert.equal((await throttle.check('user:bob')).allowed, false);
  // A success during an outage (a reset) is Redis's too once it is back.
  const again = freeze(t, setup.redis);
  await sleep(TIMEOUT);
  await throttle.reset('user:bob');
  assert.equal((await throttle.check('user:bob')).allowed, true);
  again();
  await eventually(async () => {
    await throttle.check('user:other');
    return (await setup.reader.get('volt:throttle:user:bob')) === null;
  });
});

test('a command given up on before it was sent is dropped, not counted in Redis later on top of the fallback', {
  timeout: 30_000,
}, async (t) => {
  const setup = await redisFor(t);
  if (!setup) return;
  const store = new RedisThrottleStore(setup.client, { commandTimeout: TIMEOUT / 1000, logger: false });
  const throttle = new Throttle({ limit: 5, window: 60, store });
  await throttle.check('user:dave'); // connected and answering
  const thaw = freeze(t, setup.redis);
  // A large write fills the socket's buffers: of the next commands sent together, the client
  // writes the first behind it and keeps the others queued, unsent, until Redis reads again.
  const big = setup.client.set(`filler:${randomBytes(4).toString('hex')}`, 'x'.repeat(64 * 1024 * 1024));
  big.catch(() => {});
  await sleep(50);
  const verdicts = await Promise.all([throttle.fail('user:sent'), throttle.fail('user:dave')]);
  assert.deepEqual(
    verdicts.map((v) => v.allowed),
    [true, true],
    'counted in the fallback',
  );
  // Not even tried (the store pauses after a timeout): it reaches Redis only with the others
  // the fallback counted, all in one script.
  await throttle.fail('user:marker');
  thaw();
  await big;
  await eventually(async () => {
    await throttle.check('user:other');
    return (await setup.reader.get('volt:throttle:user:marker')) !== null;
  });
  await sleep(200); // a command still queued would have run by now
  assert.equal(await setup.reader.get('volt:throttle:user:dave'), '1', 'one failure, counted once');
  // The command that was sent may have run after all: then that failure counts twice, never
  // less than once.
  assert.ok(['1', '2'].includes(String(await setup.reader.get('volt:throttle:user:sent'))));
});

test('an outage is logged when it starts and when Redis answers again, not once per attempt', {
  timeout: 30_000,
}, async (t) => {
  const setup = await redisFor(t);
  if (!setup) return;
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = String(chunk);
    if (text.includes('Redis')) {
      lines.push(text);
      return true;
    }
    return write.call(process.stderr, chunk, ...rest);
  }) as typeof process.stderr.write;
  t.after(() => {
    process.stderr.write = write;
  });
  const store = new RedisThrottleStore(setup.client, { commandTimeout: TIMEOUT / 1000 });
  const throttle = new Throttle({ limit: 5, window: 60, store });
  await throttle.check('user:erin');
  assert.deepEqual(lines, []);
  // Killed: the client reconnects again and again (an error each time); commands fail meanwhile.
  await setup.redis.stop();
  for (let i = 0; i < 10; i++) {
    await throttle.fail('user:erin');
    await sleep(150);
  }
  assert.equal(lines.length, 1, lines.join(''));
  const down = JSON.parse(lines[0]!);
  assert.equal(down.level, 40);
  assert.equal(down.store, 'The throttle store');
  assert.match(down.msg, /The throttle store cannot reach Redis/);
  assert.equal(typeof down.err.message, 'string');
  assert.equal(typeof down.time, 'number');
  await setup.redis.start();
  await eventually(async () => {
    await throttle.check('user:erin');
    return lines.length === 2;
  });
  const up = JSON.parse(lines[1]!);
  assert.equal(up.level, 30);
  assert.match(up.msg, /The throttle store reaches Redis again/);
  await sleep(300);
  assert.equal(lines.length, 2);
});

test('remember bounds the keys kept from Redis: the least recently used is forgotten first', {
  timeout: 30_000,
}, async (t) => {
  const setup = await redisFor(t);
  if (!setup) return;
  const store = new RedisThrottleStore(setup.client, {
    commandTimeout: TIMEOUT / 1000,
    remember: 2,
    logger: false,
  });
  const throttle = new Throttle({ limit: 1, window: 60, store });
  for (const key of ['a', 'b', 'c']) await throttle.fail(key);
  const thaw = freeze(t, setup.redis);
  await sleep(TIMEOUT);
  const locked = [];
  for (const key of ['a', 'b', 'c']) locked.push(!(await throttle.check(key)).allowed);
  thaw();
  assert.deepEqual(locked, [false, true, true]);
});
