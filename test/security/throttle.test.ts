/**
 * Throttling: the stores (in memory, bounded; in Redis), rateLimit() as a route dependency
 * answering 429 with Retry-After, and Throttle for lockouts after repeated failures.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'redis';
import { RedisThrottleStore } from '../../src/security/redis-throttle-store.ts';
import { rateLimit, Throttle } from '../../src/security/throttle.ts';
import { MemoryThrottleStore, type ThrottleStore } from '../../src/security/throttle-store.ts';
import { testClient } from '../../src/testing/index.ts';
import { REDIS_SKIP, REDIS_URL } from '../redis.ts';
import { quietApp } from './support.ts';

function storeContract(name: string, make: () => ThrottleStore) {
  test(`${name}: hits count within a window; peek does not count; reset forgets`, async () => {
    const store = make();
    const first = await store.hit('k', 1000);
    assert.equal(first.count, 1);
    assert.ok(first.resetAt > Date.now() && first.resetAt <= Date.now() + 1000);
    assert.equal((await store.hit('k', 1000)).count, 2);
    assert.equal((await store.peek('k'))?.count, 2);
    assert.equal((await store.peek('k'))?.count, 2);
    assert.equal(await store.peek('other'), undefined);
    await store.reset('k');
    assert.equal(await store.peek('k'), undefined);
    assert.equal((await store.hit('k', 1000)).count, 1);
  });

  test(`${name}: a window ends after its length and the next hit opens a new one`, async () => {
    const store = make();
    await store.hit('short', 50);
    await store.hit('short', 50);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(await store.peek('short'), undefined);
    assert.equal((await store.hit('short', 50)).count, 1);
  });
}

describe('MemoryThrottleStore', () => {
  storeContract('memory', () => new MemoryThrottleStore());

  test('expired windows are swept and the number of keys stays bounded', async () => {
    let now = 0;
    const store = new MemoryThrottleStore({ maxKeys: 100, now: () => now });
    for (let i = 0; i < 100; i++) await store.hit(`a${i}`, 1000);
    assert.equal(store.size, 100);
    now = 5000;
    await store.hit('b', 1000);
    assert.equal(store.size, 1, 'expired keys swept');
    for (let i = 0; i < 500; i++) await store.hit(`c${i}`, 60_000);
    assert.equal(store.size, 100, 'open windows capped at maxKeys');
    assert.equal(await store.peek('c499').then((w) => w?.count), 1, 'the newest key is kept');
  });
});

describe('RedisThrottleStore', { skip: REDIS_SKIP }, () => {
  const client = createClient({ url: REDIS_URL ?? '' });
  const prefix = `volt-test:${randomUUID()}:`;
  before(async () => {
    await client.connect();
  });
  after(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(keys);
    await client.close();
  });
  storeContract('redis', () => new RedisThrottleStore(client, { prefix: `${prefix}${randomUUID()}:` }));

  test('keys carry the prefix and expire in Redis', async () => {
    const store = new RedisThrottleStore(client, { prefix });
    await store.hit('ip:1', 60_000);
    const ttl = await client.pTTL(`${prefix}ip:1`);
    assert.ok(ttl > 0 && ttl <= 60_000, String(ttl));
    assert.equal(await client.get(`${prefix}ip:1`), '1');
  });

  test('an object that is no Redis client is refused', () => {
    assert.throws(() => new RedisThrottleStore({} as never), /redis \(node-redis\) or ioredis/);
  });
});

describe('rateLimit', () => {
  function app(limit: ReturnType<typeof rateLimit>) {
    const server = quietApp();
    server.get('/search', { dependencies: [limit] }, () => ({ ok: true }));
    server.get('/state', { deps: { limit } }, (ctx) => ctx.deps.limit);
    return server;
  }

  test('within the limit: RateLimit headers; past it: 429 problem with Retry-After', async () => {
    const client = testClient(app(rateLimit({ limit: 2, window: 60 })));
    const first = await client.get('/search');
    assert.equal(first.status, 200);
    assert.equal(first.headers['ratelimit-limit'], '2');
    assert.equal(first.headers['ratelimit-remaining'], '1');
    assert.equal((await client.get('/search')).headers['ratelimit-remaining'], '0');
    const refused = await client.get('/search');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter >= 59 && retryAfter <= 60, String(retryAfter));
    assert.match(refused.json<{ detail: string }>().detail, /limit is 2 per 60 seconds/);
    assert.equal(refused.headers['x-content-type-options'], 'nosniff');
  });

  test('counts per key; the handler can read the state; a Redis store works too', async (t) => {
    const limit = rateLimit({
      limit: 1,
      window: 60,
      key: (ctx) => String(ctx.request.headers['x-api-key']),
      name: 'per-key',
    });
    const client = testClient(app(limit));
    assert.equal((await client.get('/search', { headers: { 'x-api-key': 'a' } })).status, 200);
    assert.equal((await client.get('/search', { headers: { 'x-api-key': 'b' } })).status, 200);
    assert.equal((await client.get('/search', { headers: { 'x-api-key': 'a' } })).status, 429);
    const state = await client.get('/state', { headers: { 'x-api-key': 'c' } });
    assert.equal(state.json<{ remaining: number }>().remaining, 0);

    if (!REDIS_URL) return t.diagnostic(`the shared-store half is skipped: ${REDIS_SKIP}`);
    const redis = createClient({ url: REDIS_URL ?? '' });
    await redis.connect();
    try {
      const prefix = `volt-test:${randomUUID()}:`;
      const shared = new RedisThrottleStore(redis, { prefix });
      const a = testClient(app(rateLimit({ limit: 1, window: 60, store: shared })));
      const b = testClient(app(rateLimit({ limit: 1, window: 60, store: shared })));
      assert.equal((await a.get('/search')).status, 200);
      assert.equal((await b.get('/search')).status, 429, 'two apps share the count');
      await redis.del(await redis.keys(`${prefix}*`));
    } finally {
      await redis.close();
    }
  });

  test('bad limits are refused at declaration', () => {
    assert.throws(() => rateLimit({ limit: 0, window: 1 }), /limit/);
    assert.throws(() => rateLimit({ limit: 1, window: 0 }), /window/);
  });
});

describe('Throttle', () => {
  test('N failures within the window lock the key until the window ends; check never counts', async () => {
    const logins = new Throttle({ limit: 3, window: 0.1 });
    for (let i = 0; i < 5; i++)
      assert.deepEqual(await logins.check('user:ada'), { allowed: true, retryAfter: 0 });
    assert.equal((await logins.fail('user:ada')).allowed, true);
    assert.equal((await logins.fail('user:ada')).allowed, true);
    const locked = await logins.fail('user:ada');
    assert.deepEqual(locked, { allowed: false, retryAfter: 1 });
    assert.deepEqual(await logins.check('user:ada'), { allowed: false, retryAfter: 1 });
    assert.equal((await logins.check('ip:127.0.0.1')).allowed, true, 'other keys are not affected');
    await new Promise((resolve) => setTimeout(resolve, 130));
    assert.equal((await logins.check('user:ada')).allowed, true, 'unlocked once the window ended');
  });

  test('reset forgets the failures', async () => {
    const logins = new Throttle({ limit: 1, window: 60 });
    await logins.fail('user:bob');
    assert.equal((await logins.check('user:bob')).allowed, false);
    assert.ok((await logins.check('user:bob')).retryAfter > 50);
    await logins.reset('user:bob');
    assert.equal((await logins.check('user:bob')).allowed, true);
  });
});
