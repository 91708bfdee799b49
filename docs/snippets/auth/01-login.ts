import assert from 'node:assert/strict';
import { t, volt } from 'volt';
import { createAuth, createUser, MemoryMailBackend, User } from 'volt/auth';
import { connect, loadMigrations, migrate } from 'volt/orm';
import { testClient } from 'volt/testing';

// The auth tables come with volt/auth: migrate applies its migrations with the project's.
const db = await connect('sqlite::memory:');
await migrate(db, await loadMigrations('migrations'));
await createUser(db, User, { username: 'ada', email: 'ada@example.com', password: 'analytical engine 1843' });

const app = volt({ logger: false });
const auth = createAuth(app, { db, mail: new MemoryMailBackend() });

app.get('/notes', { deps: { user: auth.requireUser } }, (ctx) => ({ owner: ctx.deps.user.row.username }));
app.post(
  '/notes',
  { deps: { user: auth.requireUser }, body: t.Object({ text: t.String() }), status: 201 },
  (ctx) => ({
    saved: ctx.body.text,
  }),
);

// A browser: the session cookie comes back with every request.
const browser = testClient(app, { cookieJar: true });
assert.equal((await browser.get('/notes')).status, 401);
const login = await browser.post('/auth/login', {
  json: { username: 'ada', password: 'analytical engine 1843' },
});
assert.equal(login.status, 200);
assert.match(
  String(login.headers['set-cookie']),
  /volt_session=.+; Max-Age=1209600; Path=\/; HttpOnly; SameSite=Lax/,
);
assert.deepEqual((await browser.get('/notes')).json(), { owner: 'ada' });

// Unsafe requests with the cookie need the CSRF token (a header, or the csrf_token form field).
assert.equal((await browser.post('/notes', { json: { text: 'hi' } })).status, 403);
const { csrfToken } = (await browser.get<{ csrfToken: string }>('/auth/csrf')).json();
const saved = await browser.post('/notes', { json: { text: 'hi' }, headers: { 'x-csrf-token': csrfToken } });
assert.equal(saved.status, 201);

await browser.post('/auth/logout', { headers: { 'x-csrf-token': csrfToken } });
assert.equal((await browser.get('/notes')).status, 401);
await db.close();
