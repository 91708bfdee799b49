import assert from 'node:assert/strict';
import { HttpError, rateLimit, Throttle, t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

const app = volt();

// At most 2 searches a minute per client IP; a RedisThrottleStore shares the count between processes.
const searches = rateLimit({ limit: 2, window: 60, name: 'search' });
app.get('/search', { dependencies: [searches] }, () => ({ results: [] }));

// Lock a username out after 3 failed logins within 15 minutes.
const logins = new Throttle({ limit: 3, window: 15 * 60 });
app.post('/login', { body: t.Object({ username: t.String(), password: t.String() }) }, async (ctx) => {
  const key = `user:${ctx.body.username}`;
  const verdict = await logins.check(key);
  if (!verdict.allowed)
    throw new HttpError(429, {
      detail: 'Too many failed logins.',
      headers: { 'retry-after': String(verdict.retryAfter) },
    });
  if (ctx.body.password !== 'correct horse') {
    await logins.fail(key);
    throw new HttpError(401, 'Wrong username or password.');
  }
  await logins.reset(key);
  return { ok: true };
});

const client = testClient(app);
assert.equal((await client.get('/search')).headers['ratelimit-remaining'], '1');
await client.get('/search');
const refused = await client.get('/search');
assert.equal(refused.status, 429);
assert.equal(refused.headers['retry-after'], '60');

for (let i = 0; i < 3; i++)
  assert.equal((await client.post('/login', { json: { username: 'ada', password: 'guess' } })).status, 401);
const locked = await client.post('/login', { json: { username: 'ada', password: 'correct horse' } });
assert.equal(locked.status, 429);
await client.close();
