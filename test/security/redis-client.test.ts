/**
 * One Redis client contract: the session store and the throttle store take a client of `redis`
 * (node-redis) or of `ioredis` as it is, with no adapter, and behave the same on both.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis as IoRedis } from 'ioredis';
import { createClient } from 'redis';
import { RedisSessionStore } from '../../src/auth/redis-session-store.ts';
import { isRedisClient, type RedisClient, redisCommand } from '../../src/security/redis-client.ts';
import { RedisThrottleStore } from '../../src/security/redis-throttle-store.ts';
import { REDIS_SKIP, REDIS_URL } from '../redis.ts';

describe('the Redis stores take either client library as it is', { skip: REDIS_SKIP }, () => {
  const nodeRedis = createClient({ url: REDIS_URL ?? '' });
  const ioredis = new IoRedis(REDIS_URL ?? '', { lazyConnect: true });
  const prefix = `volt-test:${randomUUID()}:`;
  before(async () => {
    await Promise.all([nodeRedis.connect(), ioredis.connect()]);
  });
  after(async () => {
    const keys = await nodeRedis.keys(`${prefix}*`);
    if (keys.length > 0) await nodeRedis.del(keys);
    await nodeRedis.close();
    ioredis.disconnect();
  });

  for (const [name, client] of [
    ['redis (node-redis)', nodeRedis],
    ['ioredis', ioredis],
  ] as const) {
    test(`${name}: is a RedisClient, and sends commands`, async () => {
      // Typed as the contract with no cast: the library's own client fits it.
      const contract: RedisClient = client;
      assert.ok(isRedisClient(contract));
      const key = `${prefix}${randomUUID()}`;
      assert.equal(await redisCommand(contract, ['SET', key, 'v', 'PX', '60000']), 'OK');
      assert.equal(await redisCommand(contract, ['GET', key]), 'v');
    });

    test(`${name}: the session store keeps and destroys sessions`, async () => {
      const store = new RedisSessionStore(client, { prefix: `${prefix}${randomUUID()}:` });
      const now = Date.now();
      const record = { userId: '7', data: { theme: 'dark' }, expiresAt: now + 3_600_000, lastSeen: now };
      const key = randomBytes(32).toString('hex'); // a session key is a SHA-256 hex
      await store.set(key, record);
      assert.deepEqual(await store.get(key), record);
      await store.destroyUser('7');
      assert.equal(await store.get(key), undefined);
    });

    test(`${name}: the throttle store counts hits in one window and resets`, async () => {
      const store = new RedisThrottleStore(client, { prefix: `${prefix}${randomUUID()}:`, fallback: false });
      assert.equal((await store.hit('ip:1', 60_000)).count, 1);
      const second = await store.hit('ip:1', 60_000);
      assert.equal(second.count, 2);
      assert.ok(second.resetAt > Date.now() && second.resetAt <= Date.now() + 60_000);
      assert.equal((await store.peek('ip:1'))?.count, 2);
      await store.reset('ip:1');
      assert.equal(await store.peek('ip:1'), undefined);
    });
  }

  test('anything else is refused by both stores', () => {
    for (const notAClient of [{}, { eval: () => Promise.resolve(1) }, null]) {
      assert.equal(isRedisClient(notAClient), false);
      assert.throws(() => new RedisSessionStore(notAClient as never), /redis \(node-redis\) or ioredis/);
      assert.throws(() => new RedisThrottleStore(notAClient as never), /redis \(node-redis\) or ioredis/);
    }
  });
});
