/**
 * The admin as a staff user sees it: log in on its own page, then the notes' change list.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createUser, saveUserFields, User } from '{{volt}}/auth';
import { query } from '{{volt}}/orm';
import { testClient, testDatabase } from '{{volt}}/testing';
import { Note } from '../models.ts';

process.env.VOLT_ENV = 'test'; // quiet logs: set before the app reads its settings
const { app } = await import('../app.ts');

test('a staff user logs in to the admin and finds the notes there', async (t) => {
  const db = await testDatabase({ dialect: '{{dialect}}' });
  // A browser: it keeps the session cookie and sends its Origin with every form.
  const client = testClient(app, { database: db, cookieJar: true, headers: { origin: 'http://localhost' } });
  t.after(async () => {
    await client.close();
    await db.close();
  });
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
