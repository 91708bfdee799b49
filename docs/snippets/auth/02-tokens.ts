import assert from 'node:assert/strict';
import { volt } from 'voltjs';
import { createUser, MemoryMailBackend, User, auth as users } from 'voltjs/auth';
import { testClient } from 'voltjs/testing';

const auth = users({ mail: new MemoryMailBackend() });
const app = volt({ logger: false, database: 'sqlite::memory:', apps: [auth] });
app.get('/me', { deps: { user: auth.requireUser } }, (ctx) => ({ me: ctx.deps.user.row.username }));
await app.ready();
await app.migrate();
await createUser(app.db, User, { username: 'grace', password: 'compilers all the way down' });
const client = testClient(app);

// The OAuth2 password flow, as the docs' Authorize button sends it: a form, then a bearer token.
const issued = await client.post<{ access_token: string; token_type: string; expires_in: number }>(
  '/auth/token',
  {
    form: { grant_type: 'password', username: 'grace', password: 'compilers all the way down' },
  },
);
assert.equal(issued.json().token_type, 'bearer');
const bearer = { authorization: `Bearer ${issued.json().access_token}` };
assert.deepEqual((await client.get('/me', { headers: bearer })).json(), { me: 'grace' });

// A named API token for a program: it outlives the access token, so making one needs the
// password again. Shown once, stored hashed, at most API_TOKEN_MAX_AGE (90 days).
const refused = await client.post('/auth/tokens', { json: { name: 'deploy script' }, headers: bearer });
assert.equal(refused.status, 400);
const made = await client.post<{ id: number; token: string; prefix: string; expiresAt: string }>(
  '/auth/tokens',
  {
    // expiresIn is in seconds, as OAuth's expires_in: 30 days here.
    json: { name: 'deploy script', expiresIn: 30 * 86_400, currentPassword: 'compilers all the way down' },
    headers: bearer,
  },
);
assert.equal(made.status, 201);
assert.ok(made.json().token.startsWith(made.json().prefix));
const tooLong = await client.post('/auth/tokens', {
  json: { name: 'forever', expiresIn: 3650 * 86_400, currentPassword: 'compilers all the way down' },
  headers: bearer,
});
assert.equal(tooLong.status, 422);
const listed = await client.get<Array<{ name: string }>>('/auth/tokens', { headers: bearer });
assert.deepEqual(
  listed.json().map((token) => token.name),
  ['deploy script', 'OAuth2 password flow'],
);
// Bearer requests need no CSRF token; revoking is one DELETE.
await client.delete(`/auth/tokens/${made.json().id}`, { headers: bearer });
assert.equal(
  (await client.get('/me', { headers: { authorization: `Bearer ${made.json().token}` } })).status,
  401,
);
await app.close();
