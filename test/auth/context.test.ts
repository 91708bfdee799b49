/**
 * `ctx.user` and `ctx.session` on an app with auth installed: the user resolved once per
 * request (only when it carries credentials), session data saved after the handler without a
 * call, untouched sessions costing nothing; and two apps with two user models in one process.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError, t as schema, volt } from 'voltjs';
import {
  auth,
  createUser,
  Group,
  MemoryMailBackend,
  MemorySessionStore,
  Permission,
  Session,
  Token,
  User,
  userModel,
} from 'voltjs/auth';
import { createRegistry, f, query } from 'voltjs/orm';
import { forEachDialect, testClient } from 'voltjs/testing';
import { createTables } from '../../src/orm/ddl.ts';
import { authApp, FAST, logIn, PASSWORD } from './fixtures.ts';

test('ctx.user is anonymous without credentials, the user with them; resolved once per request', async (t) => {
  const { app, client, auth: users } = await authApp(t);
  let reads = 0;
  const counted = async () => {
    reads++;
  };
  app.get('/who', { deps: { me: users.user, guard: users.requireUser } }, async (ctx) => {
    await counted();
    assert.equal(ctx.deps.me, ctx.user, 'the guard and ctx.user are one resolution');
    return { name: ctx.user.isAuthenticated ? ctx.user.row.username : null };
  });
  app.get('/open', {}, (ctx) => ({ anonymous: !ctx.user.isAuthenticated }));
  assert.deepEqual((await client.get('/open')).json(), { anonymous: true });
  assert.equal((await client.get('/who')).status, 401);
  await logIn(client);
  assert.deepEqual((await client.get('/who')).json(), { name: 'alice' });
  assert.deepEqual((await client.get('/open')).json(), { anonymous: false });
  assert.equal(reads, 1);
});

test('ctx.session: changed data is saved after the handler without a call; untouched sessions write nothing', async (t) => {
  const store = new MemorySessionStore();
  const writes: string[] = [];
  const set = store.set.bind(store);
  store.set = async (key, record) => {
    writes.push(key);
    return set(key, record);
  };
  const { app, client } = await authApp(t, { auth: { sessions: store } });
  app.post('/cart', { body: schema.Object({ item: schema.String() }) }, async (ctx) => {
    const cart = (await ctx.session.get<string[]>('cart')) ?? [];
    ctx.session.set('cart', [...cart, ctx.body.item]);
    return { size: cart.length + 1 };
  });
  app.get('/cart', {}, async (ctx) => ({ cart: (await ctx.session.get<string[]>('cart')) ?? [] }));
  app.delete('/cart', { status: 204 }, (ctx) => {
    ctx.session.delete('cart');
  });
  // A visitor without a session: reading starts nothing.
  assert.deepEqual((await client.get('/cart')).json(), { cart: [] });
  assert.equal(writes.length, 0);
  assert.equal(client.cookies.has('volt_session'), false);
  // Setting starts an (anonymous) session and its cookie, saved after the handler.
  const csrfFree = await client.post('/cart', { json: { item: 'pen' } });
  assert.equal(csrfFree.status, 200, csrfFree.text);
  assert.ok(client.cookies.has('volt_session'));
  const token = (await client.get<{ csrfToken: string }>('/auth/csrf')).json().csrfToken;
  await client.post('/cart', { json: { item: 'ink' }, headers: { 'x-csrf-token': token } });
  assert.deepEqual((await client.get('/cart')).json(), { cart: ['pen', 'ink'] });
  const before = writes.length;
  await client.get('/cart');
  await client.get('/open-nothing');
  assert.equal(writes.length, before, 'untouched: nothing written');
  // The login keeps the anonymous data, and the user's later changes are saved as well.
  await logIn(client);
  assert.deepEqual((await client.get('/cart')).json(), { cart: ['pen', 'ink'] });
  const again = (await client.get<{ csrfToken: string }>('/auth/csrf')).json().csrfToken;
  assert.equal((await client.delete('/cart', { headers: { 'x-csrf-token': again } })).status, 204);
  assert.deepEqual((await client.get('/cart')).json(), { cart: [] });
});

test('ctx.session changed by a beforeHandler hook is saved when the hook, the validation or the handler fails', async (t) => {
  const { app, client } = await authApp(t);
  app.on('beforeHandler', async (ctx) => {
    if (!ctx.request.url.startsWith('/visit')) return;
    const seen = (await ctx.session.get<number>('seen')) ?? 0;
    ctx.session.set('seen', seen + 1);
    if (ctx.request.url === '/visit/refused') throw new HttpError(403, { detail: 'not here' });
  });
  // After the handler it is too late to change: said, not lost silently.
  let late = '';
  app.on('response', (ctx) => {
    if (!ctx.request.url.includes('late')) return;
    try {
      ctx.session.set('seen', 0);
    } catch (error) {
      late = (error as Error).message;
    }
  });
  app.get('/visit/refused', {}, () => ({}));
  app.get('/visit/checked', { query: schema.Object({ n: schema.Integer() }) }, () => ({}));
  app.get('/visit/broken', {}, () => {
    throw new HttpError(409);
  });
  app.get('/visit/count', {}, async (ctx) => ({ seen: await ctx.session.get<number>('seen') }));
  app.get('/visit/late', {}, () => ({}));
  app.get('/late-first', {}, () => ({}));
  assert.equal((await client.get('/visit/refused')).status, 403);
  assert.ok(client.cookies.has('volt_session'), 'the session the hook started has its cookie');
  assert.equal((await client.get('/visit/checked?n=x')).status, 422);
  assert.equal((await client.get('/visit/broken')).status, 409);
  assert.deepEqual((await client.get('/visit/count')).json(), { seen: 4 });
  assert.equal((await client.get('/visit/late')).status, 200);
  assert.match(late, /ctx\.session changed after the response was prepared/);
  late = '';
  // Read for the first time after the handler: the same.
  assert.equal((await client.get('/late-first')).status, 200);
  assert.match(late, /ctx\.session changed after the response was prepared/);
  assert.deepEqual((await client.get('/visit/count')).json(), { seen: 6 });
});

test('a login in the handler makes the user current even after a bad bearer token; a hook that reads ctx.user too early is told so', async (t) => {
  const { app, client, auth: users, alice } = await authApp(t);
  let early = '';
  app.on('request', (ctx) => {
    if (ctx.request.url !== '/early') return;
    try {
      void ctx.user;
    } catch (error) {
      early = (error as Error).message;
    }
  });
  app.post('/sign-in', {}, async (ctx) => {
    await users.login(ctx, alice as never);
    return { name: ctx.user.isAuthenticated ? ctx.user.row.username : null };
  });
  app.get('/early', {}, (ctx) => ({ anonymous: !ctx.user.isAuthenticated }));
  const refused = await client.post('/sign-in', { headers: { authorization: 'Bearer not-a-token' } });
  assert.deepEqual(refused.json(), { name: 'alice' });
  assert.deepEqual((await client.get('/early')).json(), { anonymous: false });
  assert.match(early, /ctx\.user is read before auth resolved it/);
  early = '';
  const stranger = testClient(app);
  t.after(() => stranger.close());
  assert.deepEqual((await stranger.get('/early')).json(), { anonymous: true });
  assert.equal(early, '', 'without credentials the user is known to be anonymous at once');
});

test("onPasswordChange(): a remover removes its own registration once, never another caller's", async (t) => {
  const { auth: users, db, alice } = await authApp(t);
  const calls: string[] = [];
  const hook = () => void calls.push('hook');
  const offFirst = users.onPasswordChange(hook);
  const offSecond = users.onPasswordChange(hook);
  offSecond();
  await users.setPassword(db, alice as never, 'another horse battery staple');
  assert.deepEqual(calls, ['hook'], "the second call's remover leaves the first registration");
  offFirst();
  offFirst();
  await users.setPassword(db, alice as never, 'a third horse battery staple');
  assert.deepEqual(calls, ['hook']);
});

test("ctx.session refuses Volt's own keys; an app without auth has no ctx.user", async (t) => {
  const { app, client } = await authApp(t);
  app.get('/own', {}, (ctx) => {
    ctx.session.set('_authHash', 'forged');
    return {};
  });
  assert.equal((await client.get('/own')).status, 500);
  const bare = volt({ docs: false, logger: false, envFile: false });
  let message = '';
  bare.get('/me', {}, (ctx) => {
    try {
      return String((ctx as unknown as { user?: unknown }).user);
    } catch (error) {
      message = (error as Error).message;
      throw error;
    }
  });
  const other = testClient(bare);
  t.after(() => other.close());
  assert.equal((await other.get('/me')).status, 500);
  assert.match(message, /ctx\.user needs auth\(\) among the app's installed apps/);
});

forEachDialect((dialect, open) => {
  test(`${dialect}: two apps with two user models in one process, each its own users, policies and hooks`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const registry = createRegistry();
    const Member = userModel(
      'club.Member',
      { nickname: f.string({ maxLength: 20, default: '' }) },
      { registry },
    );
    await createTables(db, [Permission, Group, User, Member, Session, Token]);
    const { auth: staffAuth, client: staff } = await authApp(t, { db });
    const members = auth({ user: Member, mail: new MemoryMailBackend(), passwordParams: FAST });
    const club = volt({ docs: false, logger: false, envFile: false, database: db, apps: [members] });
    club.get('/me', { deps: { me: members.requireUser } }, async (ctx) =>
      // Inside a transaction, asked through the user's view of it.
      db.transaction(async (tx) => ({
        nickname: ctx.user.isAuthenticated ? ctx.user.row.nickname : null,
        can: await ctx.deps.me.using(tx).can('view', Member),
      })),
    );
    await createUser(db, Member, { username: 'alice', nickname: 'ally', password: PASSWORD }, FAST);
    const hooked: string[] = [];
    members.onPasswordChange(() => void hooked.push('club'));
    staffAuth.onPasswordChange(() => void hooked.push('staff'));
    members.definePolicy(Member, { canView: () => true });
    const client = testClient(club, { cookieJar: true });
    t.after(() => client.close());
    assert.equal((await logIn(client)).status, 200);
    assert.deepEqual((await client.get('/me')).json(), { nickname: 'ally', can: true });
    assert.equal((await logIn(staff)).status, 200);
    assert.equal((await staff.get('/private')).status, 200);
    const row = await query(db, Member).get({ username: 'alice' });
    await members.setPassword(db, row, 'a brand new passphrase');
    assert.deepEqual(hooked, ['club']);
  });
});

test('a request without credentials on an app with auth calls no session store and installs no onSend hook', async (t) => {
  const store = new MemorySessionStore();
  const calls: string[] = [];
  for (const name of ['get', 'set', 'touch', 'destroy'] as const) {
    const original = (store[name] as (...args: unknown[]) => unknown).bind(store);
    (store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      calls.push(name);
      return original(...args);
    };
  }
  const { app, client } = await authApp(t, { auth: { sessions: store } });
  app.get('/open', {}, () => ({ ok: true }));
  app.post('/open', { body: schema.Object({ n: schema.Number() }) }, (ctx) => ({ n: ctx.body.n }));
  await app.ready();
  // Saving ctx.session is part of the compiled handler: no onSend hook on any route but
  // Fastify's own on the HEAD routes it adds.
  const hooks = app.fastify.printRoutes({ includeHooks: true, commonPrefix: false });
  assert.match(hooks, /\/open \(GET\)/);
  assert.doesNotMatch(hooks, /\(onSend\) \[(?!"headRouteOnSendHandler\(\)"\])/);
  const open = await client.get('/open');
  assert.deepEqual(open.json(), { ok: true });
  assert.equal(open.headers['cache-control'], undefined, 'no credentials: nothing to keep private');
  assert.equal((await client.post('/open', { json: { n: 1 } })).status, 200);
  assert.deepEqual(calls, []);
});

test('ctx.session changed by a handler that then fails is saved with the error response', async (t) => {
  const { app, client } = await authApp(t);
  app.post('/fails', {}, (ctx) => {
    ctx.session.set('seen', true);
    throw new Error('boom');
  });
  app.get('/seen', {}, async (ctx) => ({ seen: (await ctx.session.get('seen')) ?? false }));
  const failed = await client.post('/fails');
  assert.equal(failed.status, 500);
  assert.ok(client.cookies.has('volt_session'), 'the new session cookie went with the error');
  assert.deepEqual((await client.get('/seen')).json(), { seen: true });
});
