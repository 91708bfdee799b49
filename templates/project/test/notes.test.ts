/**
 * The notes as a client sees them: through the API, and in the admin as a staff user. Each test
 * has a fresh database with the migrations applied; requests go through the whole app without
 * a socket.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createUser, saveUserFields, User } from '{{volt}}/auth';
import { query } from '{{volt}}/orm';
import { testClient, testDatabase } from '{{volt}}/testing';
import { Note } from '../models.ts';

process.env.VOLT_ENV = 'test'; // quiet logs: set before the app reads its settings
const { app } = await import('../app.ts');
after(() => app.close()); // runs the shutdown hooks, once the file's tests are done

test('a logged-in user adds notes, anyone lists them', async (t) => {
  // A fresh database: SQLite in memory, or a throwaway schema on VOLT_TEST_POSTGRES.
  const db = await testDatabase({ dialect: '{{dialect}}' });
  const client = testClient(app, { database: db }); // the app uses it instead of DATABASE_URL's
  t.after(() => db.close());
  await app.ready();
  await app.migrate({ root: fileURLToPath(new URL('../migrations', import.meta.url)) });
  await createUser(db, User, { username: 'ada', password: 'a long walk by the sea' });

  const anonymous = await client.post('/notes', { json: { title: 'Hello' } });
  assert.equal(anonymous.status, 401);

  const token = await client.post<{ access_token: string }>('/auth/token', {
    form: { grant_type: 'password', username: 'ada', password: 'a long walk by the sea' },
  });
  assert.equal(token.status, 200, token.text);
  const authorization = `Bearer ${token.json().access_token}`;
  const created = await client.post<{ id: number; title: string; body: string }>('/notes', {
    json: { title: 'Hello', body: 'The first note' },
    headers: { authorization },
  });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json().title, 'Hello');

  const untitled = await client.post('/notes', { json: { body: 'No title' }, headers: { authorization } });
  assert.equal(untitled.status, 422);

  const list = await client.get<{ results: { title: string; body: string }[] }>('/notes?search=first');
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.json().results.map((note) => [note.title, note.body]),
    [['Hello', 'The first note']],
  );

  // Changing a note needs the model permission (notes.change_note); ada has none.
  const changed = await client.patch(`/notes/${created.json().id}`, {
    json: { title: 'Hi' },
    headers: { authorization },
  });
  assert.equal(changed.status, 403);
});

test('a staff user logs in to the admin and finds the notes there', async (t) => {
  const db = await testDatabase({ dialect: '{{dialect}}' });
  // A browser: it keeps the session cookie and sends its Origin with every form.
  const client = testClient(app, { database: db, cookieJar: true, headers: { origin: 'http://localhost' } });
  t.after(() => db.close());
  await app.ready();
  await app.migrate({ root: fileURLToPath(new URL('../migrations', import.meta.url)) });
  const staff = await createUser(db, User, { username: 'grace', password: 'a long walk by the sea' });
  await saveUserFields(db, User, staff.id, { isStaff: true, isSuperuser: true });
  await query(db, Note).create({ title: 'Shopping list' });

  const login = await client.get('/admin/login');
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(login.text)![1]!;
  const loggedIn = await client.post('/admin/login', {
    form: { csrf_token: csrf, username: 'grace', password: 'a long walk by the sea', next: '/admin/' },
  });
  assert.equal(loggedIn.status, 303, loggedIn.text);

  const list = await client.get('/admin/notes/note', { query: { q: 'shopping' } });
  assert.equal(list.status, 200);
  assert.match(list.text, /Shopping list/);
  // Its stylesheet comes from the app itself.
  const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(list.text)![1]!;
  assert.equal((await client.get(stylesheet)).status, 200);
});
