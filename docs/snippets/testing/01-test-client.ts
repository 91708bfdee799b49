import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dependency, t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

const currentUser = dependency(() => ({ name: 'from the real session' }));

function buildApp() {
  const app = volt({ logger: false });
  app.get(
    '/me',
    { deps: { user: currentUser }, response: { 200: t.Object({ name: t.String() }) } },
    (ctx) => ctx.deps.user,
  );
  return app;
}

test('GET /me answers the current user', async () => {
  const app = buildApp();
  app.overrideDependency(
    currentUser,
    dependency(() => ({ name: 'Ada' })),
  );
  const client = testClient(app);
  const res = await client.get<{ name: string }>('/me');
  assert.equal(res.status, 200);
  assert.equal(res.json().name, 'Ada'); // typed as { name: string }
  await client.close();
});
