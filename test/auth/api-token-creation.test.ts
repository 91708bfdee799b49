/**
 * Making an API token (POST /auth/tokens) asks for fresh proof of the password, and its
 * lifetime is capped: a stolen access token or an old session cannot mint a long-lived one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openapiDocument, type VoltApp } from 'voltjs';
import { MemorySessionStore, sessionKey } from 'voltjs/auth';
import { testClient } from 'voltjs/testing';
import { authApp, csrf, logIn, PASSWORD } from './fixtures.ts';

/** What the OpenAPI document says of `POST /auth/tokens`. */
function tokensDescription(app: VoltApp): string {
  const doc = openapiDocument(app) as { paths: Record<string, { post: { description: string } }> };
  return doc.paths['/auth/tokens']!.post.description;
}

interface Problem {
  detail: string;
  errors?: Array<{ loc: string[]; type: string; msg: string }>;
}

test('a one-hour access token cannot mint an API token without the password', async (t) => {
  const { app } = await authApp(t);
  const api = testClient(app);
  const issued = await api.post<{ access_token: string }>('/auth/token', {
    form: { grant_type: 'password', username: 'alice', password: PASSWORD },
  });
  const headers = { authorization: `Bearer ${issued.json().access_token}` };
  const bare = await api.post<Problem>('/auth/tokens', { json: { name: 'forever' }, headers });
  assert.equal(bare.status, 400);
  assert.deepEqual(
    bare.json().errors?.map((e) => [e.loc.join('.'), e.type]),
    [['body.currentPassword', 'password_required']],
  );
  const wrong = await api.post<Problem>('/auth/tokens', {
    json: { name: 'forever', currentPassword: 'a guess' },
    headers,
  });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json().errors?.[0]?.type, 'password_incorrect');
  const made = await api.post('/auth/tokens', { json: { name: 'ci', currentPassword: PASSWORD }, headers });
  assert.equal(made.status, 201, made.text);
  assert.equal((await api.get<unknown[]>('/auth/tokens', { headers })).json().length, 2);
});

test('a session may make one without the password only within minutes of logging in', async (t) => {
  const store = new MemorySessionStore();
  const { client, auth } = await authApp(t, { auth: { sessions: store } });
  await logIn(client);
  const headers = { 'x-csrf-token': await csrf(client) };
  const fresh = await client.post('/auth/tokens', { json: { name: 'right after login' }, headers });
  assert.equal(fresh.status, 201, fresh.text);
  // Six minutes later (the window is five): the session's login is too old.
  const cookie = client.cookies.get(auth.sessions.cookieName)!;
  const key = sessionKey(cookie.slice(0, cookie.lastIndexOf('.')));
  const record = (await store.get(key))!;
  record.data._authAt = (record.data._authAt as number) - 6 * 60_000;
  await store.set(key, record);
  const stale = await client.post<Problem>('/auth/tokens', { json: { name: 'later' }, headers });
  assert.equal(stale.status, 400);
  assert.match(stale.json().detail, /needs your password/);
  const confirmed = await client.post('/auth/tokens', {
    json: { name: 'later', currentPassword: PASSWORD },
    headers,
  });
  assert.equal(confirmed.status, 201, confirmed.text);
});

test('an API token lives at most API_TOKEN_MAX_AGE (90 days by default), also when no lifetime is asked', async (t) => {
  const { client } = await authApp(t);
  await logIn(client);
  const headers = { 'x-csrf-token': await csrf(client) };
  const decade = await client.post<Problem>('/auth/tokens', {
    json: { name: 'decade', expiresIn: 3650 * 86_400 },
    headers,
  });
  assert.equal(decade.status, 422);
  assert.deepEqual(decade.json().errors?.[0]?.loc, ['body', 'expiresIn']);
  assert.match(decade.json().errors?.[0]?.msg ?? '', /7776000/); // 90 days in seconds
  const unsaid = await client.post<{ expiresAt: string }>('/auth/tokens', {
    json: { name: 'default' },
    headers,
  });
  assert.equal(unsaid.status, 201);
  const days = (Date.parse(unsaid.json().expiresAt) - Date.now()) / 86_400_000;
  assert.ok(days > 89.9 && days <= 90, String(days));

  const { client: strict } = await authApp(t, { app: { apiTokenMaxAge: 30 * 86_400 } });
  await logIn(strict);
  const strictHeaders = { 'x-csrf-token': await csrf(strict) };
  const long = await strict.post('/auth/tokens', {
    json: { name: 'x', expiresIn: 31 * 86_400 },
    headers: strictHeaders,
  });
  assert.equal(long.status, 422);
  const month = await strict.post('/auth/tokens', {
    json: { name: 'x', expiresIn: 30 * 86_400 },
    headers: strictHeaders,
  });
  assert.equal(month.status, 201);
});

test('the re-authentication window is named as it is: 30 s is "30 seconds", 90 s "1 minute 30 seconds", 0 asks always', async (t) => {
  for (const [reauthWindow, said] of [
    [30, 'within the last 30 seconds'],
    [90, 'within the last 1 minute 30 seconds'],
    [2 * 3600, 'within the last 2 hours'],
  ] as const) {
    const { app } = await authApp(t, { auth: { reauthWindow } });
    const api = testClient(app);
    t.after(() => api.close());
    const issued = await api.post<{ access_token: string }>('/auth/token', {
      form: { grant_type: 'password', username: 'alice', password: PASSWORD },
    });
    const headers = { authorization: `Bearer ${issued.json().access_token}` };
    const refused = await api.post<Problem>('/auth/tokens', { json: { name: 'ci' }, headers });
    assert.equal(refused.status, 400);
    assert.ok(refused.json().detail.includes(`${said} counts`), refused.json().detail);
    assert.ok(tokensDescription(app).includes(`${said} may leave it out`));
  }
  const { app } = await authApp(t, { auth: { reauthWindow: 0 } });
  assert.doesNotMatch(tokensDescription(app), /within the last/);
});
