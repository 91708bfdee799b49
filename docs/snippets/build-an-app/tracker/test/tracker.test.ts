/**
 * The tracker as a client sees it: a fresh database with the migrations applied, requests
 * through the whole app without a socket.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createUser, Permission, User } from 'voltjs/auth';
import { query } from 'voltjs/orm';
import { testClient, testDatabase } from 'voltjs/testing';

process.env.VOLT_ENV = 'test'; // quiet logs: set before the app reads its settings
const { app } = await import('../app.ts');

test('users add tasks to projects; only the owner changes one', async (t) => {
  const db = await testDatabase({ dialect: 'sqlite' }); // SQLite in memory
  const client = testClient(app, { database: db }); // the app uses it instead of DATABASE_URL's
  t.after(async () => {
    await client.close();
    await db.close();
  });
  await app.ready();
  await app.migrate({ root: fileURLToPath(new URL('../migrations', import.meta.url)) });

  // Ada is a superuser (as `npm run createsuperuser` makes); Bob is a plain user.
  await createUser(db, User, { username: 'ada', password: 'a long walk by the sea', isSuperuser: true });
  await createUser(db, User, { username: 'bob', password: 'bob likes long passwords' });
  const login = async (username: string, password: string) => {
    const token = await client.post<{ access_token: string }>('/auth/token', {
      form: { grant_type: 'password', username, password },
    });
    assert.equal(token.status, 200, token.text);
    return { authorization: `Bearer ${token.json().access_token}` };
  };
  const ada = await login('ada', 'a long walk by the sea');
  const bob = await login('bob', 'bob likes long passwords');

  // Adding a project needs tracker.add_project: Bob lacks it, Ada is a superuser.
  assert.equal((await client.post('/projects', { json: { name: 'Website' } })).status, 401);
  assert.equal((await client.post('/projects', { json: { name: 'Website' }, headers: bob })).status, 403);
  const project = await client.post<{ id: number }>('/projects', { json: { name: 'Website' }, headers: ada });
  assert.equal(project.status, 201, project.text);
  const tasksUrl = `/projects/${project.json().id}/tasks`;

  // Any logged-in user adds tasks; the model's schema validates the title.
  const task = await client.post<{ id: number; ownerId: number }>(tasksUrl, {
    json: { title: 'Write the home page' },
    headers: bob,
  });
  assert.equal(task.status, 201, task.text);
  const tooLong = await client.post(tasksUrl, { json: { title: 'x'.repeat(201) }, headers: bob });
  assert.equal(tooLong.status, 422);
  assert.equal(
    (await client.post('/projects/99/tasks', { json: { title: 'Lost' }, headers: bob })).status,
    404,
  );

  // The list names each task's owner, through the foreign key.
  assert.deepEqual((await client.get(tasksUrl)).json(), [
    { id: task.json().id, title: 'Write the home page', done: false, owner: 'bob' },
  ]);

  // Bob owns the task, so the policy lets him change it; Carol may not, until she is given
  // the tracker.change_task permission.
  await createUser(db, User, { username: 'carol', password: 'carol reads the docs' });
  const carol = await login('carol', 'carol reads the docs');
  const taskUrl = `/tasks/${task.json().id}`;
  assert.equal((await client.patch(taskUrl, { json: { done: true }, headers: carol })).status, 403);
  const changeTask = await query(db, Permission).get({ app: 'tracker', codename: 'change_task' });
  const carolRow = await query(db, User).get({ username: 'carol' });
  await query(db, User).related(carolRow, 'userPermissions', Permission).add(changeTask);
  assert.equal((await client.patch(taskUrl, { json: { done: true }, headers: carol })).status, 200);
  const done = await client.patch<{ done: boolean }>(taskUrl, { json: { done: false }, headers: bob });
  assert.equal(done.json().done, false);

  // Deleting needs tracker.delete_task, which only Ada has (as a superuser).
  assert.equal((await client.delete(taskUrl, { headers: bob })).status, 403);
  assert.equal((await client.delete(taskUrl, { headers: ada })).status, 204);
});
