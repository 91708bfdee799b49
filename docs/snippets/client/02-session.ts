import assert from 'node:assert/strict';
import { t, volt } from 'voltjs';
import { createUser, MemoryMailBackend, User, auth as users } from 'voltjs/auth';
import { type ClientOptions, createClient } from 'voltjs/client';

const auth = users({ mail: new MemoryMailBackend() });
const app = volt({ logger: false, database: 'sqlite::memory:', apps: [auth] });
export const api = app.post(
  '/notes',
  {
    deps: { user: auth.requireUser },
    body: t.Object({ text: t.String() }),
    status: 201,
    response: { 201: t.Object({ text: t.String(), by: t.String() }) },
  },
  (ctx) => ({ text: ctx.body.text, by: ctx.deps.user.row.username }),
);

await app.ready();
await app.migrate();
await createUser(app.db, User, {
  username: 'ada',
  email: 'ada@example.com',
  password: 'analytical engine 1843',
});
const address = await app.listen({ host: '127.0.0.1', port: 0, signals: false });

// A browser keeps the session cookie itself (`credentials: 'include'` when the API is on another
// origin). Node's fetch keeps no cookies: this one remembers them, as a browser would.
const cookies = new Map<string, string>();
const browserFetch = async (url: string, init: RequestInit) => {
  const headers = new Headers(init.headers);
  headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
  const response = await fetch(url, { ...init, headers });
  for (const line of response.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
  }
  return response;
};

// Unsafe requests carrying the session cookie must send the session's CSRF token: a `headers`
// function gives it to each request.
let csrfToken: string | undefined;
const options: ClientOptions = {
  fetch: browserFetch,
  credentials: 'include',
  headers: ({ method }) => (method !== 'GET' && csrfToken ? { 'x-csrf-token': csrfToken } : undefined),
};

// auth's routes are declared by its app (`setup`), not in the chain: an untyped client reaches them.
const session = createClient(address, options);
const login = await session.post('/auth/login', {
  body: { username: 'ada', password: 'analytical engine 1843' },
});
assert.equal(login.status, 200);

const notes = createClient<typeof api>(address, options);
const refused = await notes.post('/notes', { body: { text: 'hi' } });
assert.equal(refused.problem?.code, 'VOLT_AUTH_CSRF_FAILED'); // no token yet

const csrf = await session.get('/auth/csrf');
csrfToken = csrf.ok ? (csrf.data as { csrfToken: string }).csrfToken : undefined;
const saved = await notes.post('/notes', { body: { text: 'hi' } });
assert.ok(saved.ok);
assert.deepEqual(saved.data, { text: 'hi', by: 'ada' });

await app.close();
