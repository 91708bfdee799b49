/**
 * The site: its login (staff only, Django's message otherwise, `next` kept within the admin,
 * another origin refused), logout and password change; CSRF on every post; the strict CSP of
 * every page; refusals as admin pages; no admin route in the API's document; and `register()`
 * checking names when the model is registered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { volt } from 'voltjs';
import { AdminDefinitionError, admin } from 'voltjs/admin';
import { auth, User } from 'voltjs/auth';
import { query } from 'voltjs/orm';
import { Book, catalog, csrfOf, fill, logIn, messagesOf, ORIGIN, PASSWORD } from './fixture.ts';

const WRONG =
  'Please enter the correct username and password for a staff account. Note that both fields may be case-sensitive.';

test('a staff user logs in through the form and lands on the dashboard', async (t) => {
  const cat = await catalog(t);
  const client = cat.browser();
  const res = await logIn(client, 'viewer');
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/admin/');
  const home = await client.get('/admin/');
  assert.equal(home.status, 200);
  assert.match(home.text, /Welcome, <strong>viewer<\/strong>/u);
  assert.match(home.text, /<h1>Site administration<\/h1>/u);
});

test('a wrong password is refused with Django’s message and keeps the username typed', async (t) => {
  const cat = await catalog(t);
  const res = await logIn(cat.browser(), 'viewer', 'not the password');
  assert.equal(res.status, 400);
  assert.ok(res.text.includes(WRONG), res.text);
  assert.match(res.text, /id="id_username" name="username" value="viewer"/u);
});

test('a user who is not staff is refused with the same message as a wrong password', async (t) => {
  const cat = await catalog(t);
  const client = cat.browser();
  const res = await logIn(client, 'outsider');
  assert.equal(res.status, 400);
  assert.ok(res.text.includes(WRONG));
  const home = await client.get('/admin/');
  assert.equal(home.status, 302);
  assert.match(String(home.headers.location), /^\/admin\/login\?next=/u);
});

test('an inactive staff user is refused with the same message as a wrong password', async (t) => {
  const cat = await catalog(t);
  const res = await logIn(cat.browser(), 'gone');
  assert.equal(res.status, 400);
  assert.ok(res.text.includes(WRONG));
});

test('an anonymous visitor is sent to the login page with next, and comes back there after logging in', async (t) => {
  const cat = await catalog(t);
  const client = cat.browser();
  const res = await client.get('/admin/catalog/book?q=Book&status__exact=draft');
  assert.equal(res.status, 302);
  const location = String(res.headers.location);
  const url = new URL(location, ORIGIN);
  assert.equal(url.pathname, '/admin/login');
  assert.equal(url.searchParams.get('next'), '/admin/catalog/book?q=Book&status__exact=draft');
  const login = await client.get(location);
  assert.match(login.text, /name="next" value="\/admin\/catalog\/book\?q=Book&amp;status__exact=draft"/u);
  const done = await logIn(client, 'viewer', PASSWORD, url.searchParams.get('next')!);
  assert.equal(done.status, 303);
  assert.equal(done.headers.location, '/admin/catalog/book?q=Book&status__exact=draft');
});

test('a next pointing at another site or outside the admin is ignored', async (t) => {
  const cat = await catalog(t);
  for (const next of [
    'https://evil.example/admin/',
    '//evil.example/admin/',
    '/\\evil.example',
    '/auth/me',
  ]) {
    const client = cat.browser();
    const res = await logIn(client, 'viewer', PASSWORD, next);
    assert.equal(res.status, 303, next);
    assert.equal(res.headers.location, '/admin/', next);
  }
});

test('a login posted from another origin is refused and logs nobody in', async (t) => {
  const cat = await catalog(t);
  const client = cat.browser();
  const page = await client.get('/admin/login');
  const res = await client.post('/admin/login', {
    form: { csrf_token: csrfOf(page.text), username: 'root', password: PASSWORD },
    headers: { origin: 'https://evil.example' },
  });
  assert.equal(res.status, 403);
  assert.equal((await client.get('/admin/')).status, 302);
});

test('logging out ends the session: the admin asks for the login again', async (t) => {
  const cat = await catalog(t);
  const root = await cat.as('root');
  const home = await root.get('/admin/');
  const action = /<form class="inline-form" method="post" action="([^"]+)">/u.exec(home.text)![1]!;
  const res = await root.post(action);
  assert.equal(res.status, 303, res.text);
  assert.equal(res.headers.location, '/admin/login?logged_out=1');
  const login = await root.get(String(res.headers.location));
  assert.deepEqual(messagesOf(login.text), ['You are logged out.']);
  assert.equal((await root.get('/admin/')).status, 302);
});

test('the header’s password-change link opens the password form', async (t) => {
  const cat = await catalog(t);
  const root = await cat.as('root');
  const home = await root.get('/admin/');
  const href = /<a href="([^"]+)">Change password<\/a>/u.exec(home.text)![1]!;
  const res = await root.get(href);
  assert.equal(res.status, 200);
  assert.match(res.text, /<h1>Password change<\/h1>/u);
});

test('changing one’s password needs the old one and a valid new one, then the new one logs in', async (t) => {
  const cat = await catalog(t);
  const viewer = await cat.as('viewer');
  const wrongOld = await viewer.post('/admin/password_change', {
    oldPassword: 'nope',
    newPassword1: 'a brand new secret',
    newPassword2: 'a brand new secret',
  });
  assert.equal(wrongOld.status, 400);
  assert.match(wrongOld.text, /Your old password was entered incorrectly/u);
  const weak = await viewer.post('/admin/password_change', {
    oldPassword: PASSWORD,
    newPassword1: '12345678',
    newPassword2: '12345678',
  });
  assert.equal(weak.status, 400);
  assert.match(weak.text, /id="id_newPassword1"[^>]*aria-invalid="true"/u);
  const mismatch = await viewer.post('/admin/password_change', {
    oldPassword: PASSWORD,
    newPassword1: 'a brand new secret',
    newPassword2: 'another new secret',
  });
  assert.equal(mismatch.status, 400);
  assert.match(mismatch.text, /didn’t match/u);
  const done = await viewer.post('/admin/password_change', {
    oldPassword: PASSWORD,
    newPassword1: 'a brand new secret',
    newPassword2: 'a brand new secret',
  });
  assert.equal(done.status, 303, done.text);
  assert.deepEqual(messagesOf((await viewer.get('/admin/')).text), ['Your password was changed.']);
  assert.equal((await logIn(cat.browser(), 'viewer')).status, 400);
  assert.equal((await logIn(cat.browser(), 'viewer', 'a brand new secret')).status, 303);
});

test('every post of a logged-in user needs the session’s CSRF token', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const book = data.books[0].id;
  const before = await query(cat.db, Book).get({ id: book });
  const posts: [string, Record<string, string>][] = [
    ['/admin/logout', {}],
    ['/admin/theme', { theme: 'dark' }],
    [
      '/admin/password_change',
      { oldPassword: PASSWORD, newPassword1: 'x new secret', newPassword2: 'x new secret' },
    ],
    ['/admin/catalog/book', { action: 'publish', _selected_action: String(book) }],
    ['/admin/catalog/book/settings', { columns: 'title' }],
    ['/admin/catalog/book/add', { title: 'Forged', isbn: 'F-1', author: String(data.ada.id) }],
    [`/admin/catalog/book/${book}/change`, { title: 'Forged', isbn: 'F-1', author: String(data.ada.id) }],
    [`/admin/catalog/book/${book}/delete`, {}],
    [`/admin/catalog/book/${book}/history/1/revert`, { field: 'title' }],
    [
      `/admin/auth/user/${cat.users.viewer.id}/password`,
      { password1: 'x new secret', password2: 'x new secret' },
    ],
  ];
  for (const [path, form] of posts) {
    const missing = await root.client.post(path, { form, headers: { origin: ORIGIN } });
    assert.equal(missing.status, 403, `${path} without a token: ${missing.status}`);
    const wrong = await root.client.post(path, {
      form: { ...form, csrf_token: 'not-the-token' },
      headers: { origin: ORIGIN },
    });
    assert.equal(wrong.status, 403, `${path} with a wrong token: ${wrong.status}`);
  }
  assert.deepEqual(await query(cat.db, Book).get({ id: book }), before);
  assert.equal(await query(cat.db, Book).count(), data.books.length);
  // Still logged in, with the same password.
  assert.equal((await root.get('/admin/')).status, 200);
  assert.equal((await logIn(cat.browser(), 'viewer')).status, 303);
});

test('a post refused by the CSRF check answers an admin page, not JSON', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const res = await root.client.post(`/admin/catalog/book/${data.books[0].id}/delete`, {
    form: { csrf_token: 'not-the-token' },
    headers: { origin: ORIGIN },
  });
  assert.equal(res.status, 403);
  assert.match(String(res.headers['content-type']), /^text\/html/u);
  assert.match(res.text, /<h1>CSRF check failed<\/h1>/u);
  assert.match(res.text, /reload the page/u);
  // The API keeps its problem+json.
  const api = await root.client.post('/auth/logout', { headers: { origin: ORIGIN } });
  assert.equal(api.status, 403);
  assert.match(String(api.headers['content-type']), /^application\/problem\+json/u);
});

test('every page has a strict Content-Security-Policy and a nonce on its stylesheet and script', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const anonymous = cat.browser();
  const root = await cat.as('root');
  const viewer = await cat.as('viewer');
  const book = data.books[0].id;
  const pages: [typeof root.client, string, number][] = [
    [anonymous, '/admin/login', 200],
    [root.client, '/admin/', 200],
    [root.client, '/admin/catalog', 200],
    [root.client, '/admin/catalog/book', 200],
    [root.client, '/admin/catalog/book/add', 200],
    [root.client, `/admin/catalog/book/${book}/change`, 200],
    [root.client, `/admin/catalog/book/${book}/delete`, 200],
    [root.client, `/admin/catalog/book/${book}/history`, 200],
    [root.client, '/admin/password_change', 200],
    [root.client, `/admin/auth/user/${cat.users.viewer.id}/password`, 200],
    [root.client, '/admin/catalog/book/99999/change', 404],
    [viewer.client, '/admin/catalog/book/add', 403],
  ];
  for (const [client, path, status] of pages) {
    const res = await client.get(path);
    assert.equal(res.status, status, path);
    const csp = String(res.headers['content-security-policy'] ?? '');
    assert.match(csp, /default-src 'none'/u, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/u, path);
    const nonce = /script-src 'self' 'nonce-([^']+)'/u.exec(csp)?.[1];
    assert.ok(nonce, `${path}: no nonce in ${csp}`);
    assert.ok(csp.includes(`style-src 'self' 'nonce-${nonce}'`), `${path}: ${csp}`);
    const links = [...res.text.matchAll(/<(?:link rel="stylesheet"|script\b)[^>]*>/gu)].map((m) => m[0]);
    assert.ok(links.length >= 2, path);
    for (const tag of links) assert.ok(tag.includes(`nonce="${nonce}"`), `${path}: ${tag}`);
    assert.doesNotMatch(res.text, /<script>|<style>|\sstyle="|\son\w+="/u, path);
  }
});

test('the admin’s routes are not in the OpenAPI document', async (t) => {
  const cat = await catalog(t);
  const res = await cat.browser().get('/openapi.json');
  assert.equal(res.status, 200);
  const paths = Object.keys((res.json() as { paths: Record<string, unknown> }).paths ?? {});
  assert.ok(paths.length > 0, 'the document lists the auth routes');
  assert.deepEqual(
    paths.filter((p) => p.startsWith('/admin')),
    [],
  );
});

test('a missing page or a refusal is an admin page with its status, not a JSON problem', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const viewer = await cat.as('viewer');
  const cases: [string, number, RegExp][] = [
    ['/admin/catalog/nothing', 404, /<h1>Not found<\/h1>/u],
    ['/admin/nothing', 404, /<h1>Not found<\/h1>/u],
    ['/admin/catalog/book/99999/change', 404, /doesn’t exist/u],
    ['/admin/catalog/book/abc/change', 404, /<h1>Not found<\/h1>/u],
    ['/admin/catalog/book/add', 403, /<h1>Permission denied<\/h1>/u],
  ];
  for (const [path, status, body] of cases) {
    const res = await viewer.get(path);
    assert.equal(res.status, status, path);
    assert.match(String(res.headers['content-type']), /^text\/html/u, path);
    assert.match(res.text, /^<!doctype html>/u, path);
    assert.match(res.text, body, path);
  }
});

test('register() with a name the model does not have throws, naming the closest one', () => {
  const site = admin();
  assert.throws(
    () => site.register(Book, { list: ['title', 'auther'] }),
    (error: unknown) =>
      error instanceof AdminDefinitionError &&
      /has no field 'auther'/u.test(error.message) &&
      /did you mean 'author'\?/u.test(error.message),
  );
  assert.throws(
    () => site.register(Book, { search: ['titel'] }),
    (error: unknown) =>
      error instanceof AdminDefinitionError && /did you mean 'title'\?/u.test(error.message),
  );
  assert.throws(
    () => site.register(Book, { filters: ['statsu'] }),
    (error: unknown) =>
      error instanceof AdminDefinitionError && /did you mean 'status'\?/u.test(error.message),
  );
  assert.throws(
    () => site.register(Book, { readOnly: ['isbm'] }),
    (error: unknown) => error instanceof AdminDefinitionError && /did you mean 'isbn'\?/u.test(error.message),
  );
});

test('an autocomplete on a model registered without search stops the start', async () => {
  const site = admin();
  site.register(Book, { autocomplete: ['author'] });
  const app = volt({
    logger: false,
    envFile: false,
    docs: false,
    database: 'sqlite::memory:',
    apps: [auth(), site],
  });
  await assert.rejects(app.ready(), AdminDefinitionError);
  await app.close().catch(() => {});
  void User;
});
