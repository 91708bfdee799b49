import assert from 'node:assert/strict';
import { t, volt } from 'voltjs';
import { createUser, MemoryMailBackend, User, auth as users } from 'voltjs/auth';
import { testClient } from 'voltjs/testing';

// auth() is an installed app: its models, migrations, routes and ctx.user come with it.
const auth = users({ mail: new MemoryMailBackend() });
const app = volt({ logger: false, database: 'sqlite::memory:', apps: [auth] });

app.get('/notes', { deps: { user: auth.requireUser } }, (ctx) => ({ owner: ctx.deps.user.row.username }));
app.post(
  '/notes',
  { deps: { user: auth.requireUser }, body: t.Object({ text: t.String() }), status: 201 },
  (ctx) => ({
    saved: ctx.body.text,
  }),
);

await app.ready(); // opens the database
await app.migrate(); // the auth tables come with voltjs/auth, applied with the project's
await createUser(app.db, User, {
  username: 'ada',
  email: 'ada@example.com',
  password: 'analytical engine 1843',
});

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
await app.close(); // closes the database too
