import assert from 'node:assert/strict';
import { dependency, HttpError, Router, t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

// A guard: runs before every route of the router, for its effect only.
const requireApiKey = dependency({ headers: t.Object({ 'x-api-key': t.Optional(t.String()) }) }, (ctx) => {
  if (ctx.headers['x-api-key'] !== 'secret') throw new HttpError(401, 'Send a valid X-API-Key header.');
});

const users = new Router({ prefix: '/users', tags: ['users'], dependencies: [requireApiKey] });
users.get('/', () => [{ id: 1, name: 'Ada' }]);
users.get('/:id', (ctx) => ({ id: Number(ctx.params.id) })); // ctx.params.id is typed from the path

const app = volt();
app.include(users, { prefix: '/api/v1' });

// --- what a client sees ---
const client = testClient(app);
assert.equal((await client.get('/api/v1/users')).status, 401);
const res = await client.get('/api/v1/users/3', { headers: { 'x-api-key': 'secret' } });
assert.deepEqual(res.json(), { id: 3 });
assert.deepEqual(
  app.routes.map((r) => `${r.method} ${r.path}`).filter((r) => r.includes('users')),
  ['GET /api/v1/users', 'GET /api/v1/users/:id'],
);
await client.close();
