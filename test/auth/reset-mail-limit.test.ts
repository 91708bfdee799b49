/**
 * A password-reset request sends at most 3 mails an hour to one address, and one client gets
 * at most 3 requests an hour, also when the requests arrive all at once: each is counted
 * before it is compared, in the memory store and in Redis (which several processes share).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { MemoryThrottleStore, RedisThrottleStore, type ThrottleStore } from 'voltjs';
import { waitFor } from '../http/support.ts';
import { REDIS_SKIP, REDIS_URL } from '../redis.ts';
import { addUser, authApp } from './fixtures.ts';

const stores: Array<[string, false | string, (t: TestContext) => Promise<ThrottleStore>]> = [
  ['memory', false, async () => new MemoryThrottleStore()],
  [
    'Redis',
    REDIS_SKIP,
    async (t) => {
      const redis = await createClient({ url: REDIS_URL ?? '' }).connect();
      t.after(() => redis.destroy());
      return new RedisThrottleStore(redis, { prefix: `volt-test:${randomBytes(6).toString('hex')}:` });
    },
  ],
];

for (const [name, skip, makeStore] of stores) {
  test(`${name} store: 30 reset requests for one address at once, from 30 clients, send 3 mails`, {
    skip,
  }, async (t) => {
    const { client, mail } = await authApp(t, {
      app: { trustProxy: 1 },
      auth: { throttle: await makeStore(t) },
    });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        client.post('/auth/password-reset', {
          json: { email: 'alice@example.com' },
          headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
        }),
      ),
    );
    // The same answer to every request: the limit tells nobody anything.
    assert.deepEqual(new Set(answers.map((res) => `${res.status} ${res.text}`)).size, 1);
    assert.equal(answers[0]!.status, 202);
    await waitFor(() => mail.outbox.length >= 3);
    await sleep(100); // any mail past the limit would be on its way by now
    assert.equal(mail.outbox.length, 3, `${mail.outbox.length} mails sent to alice@example.com`);
  });

  test(`${name} store: 30 reset requests at once from one client, for 30 addresses, are 3 requests`, {
    skip,
  }, async (t) => {
    const { client, mail, db } = await authApp(t, { auth: { throttle: await makeStore(t) } });
    for (let i = 0; i < 30; i++) await addUser(db, `user${i}`);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        client.post('/auth/password-reset', { json: { email: `user${i}@example.com` } }),
      ),
    );
    await waitFor(() => mail.outbox.length >= 3);
    await sleep(100);
    assert.equal(mail.outbox.length, 3);
  });
}
