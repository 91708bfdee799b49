/**
 * The notes API as a client sees it: a fresh database with the migrations applied, requests
 * through the whole app without a socket.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createUser, User } from '{{volt}}/auth';
import { testClient, testDatabase } from '{{volt}}/testing';

process.env.VOLT_ENV = 'test'; // quiet logs: set before the app reads its settings
const { app } = await import('../app.ts');

test('a logged-in user adds notes, anyone lists them', async (t) => {
  // A fresh database: SQLite in memory, or a throwaway schema on VOLT_TEST_POSTGRES.
  const db = await testDatabase({ dialect: '{{dialect}}' });
  const client = testClient(app, { database: db }); // the app uses it instead of DATABASE_URL's
  t.after(async () => {
    await client.close(); // runs the shutdown hooks
    await db.close();
  });
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
