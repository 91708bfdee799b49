/**
 * `volt()` composes an app: its database (opened at startup before the startup hooks, closed at
 * shutdown after the shutdown hooks, `ctx.db` in handlers and dependencies), and its installed
 * apps (routes, settings, checks, migrations, post-migrate hooks).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defineApp } from '../src/apps/define-app.ts';
import { dependency } from '../src/http/dependencies.ts';
import { SettingsError } from '../src/http/settings.ts';
import { t as types } from '../src/openapi/t.ts';
import { f } from '../src/orm/fields/index.ts';
import { model } from '../src/orm/model.ts';
import { query } from '../src/orm/query/queryset.ts';
import { createRegistry } from '../src/orm/registry.ts';
import { testClient } from '../src/testing/client.ts';
import { forEachDialect, testPostgresUrl } from '../src/testing/database.ts';
import { volt } from '../src/volt.ts';

const base = mkdtempSync(join(tmpdir(), 'volt-compose-'));
after(() => rmSync(base, { recursive: true, force: true }));

test('the database opens at startup before the startup hooks, and closes after the shutdown hooks', async () => {
  const app = volt({ database: 'sqlite::memory:', logger: false, envFile: false });
  assert.throws(() => app.db, /opens when the app starts: await app\.ready\(\)/);
  const seen: string[] = [];
  app.onStartup(async () => {
    seen.push(`startup ${(await app.db.get<{ one: number }>('select 1 as one'))?.one}`);
  });
  app.onShutdown(async () => {
    seen.push(`shutdown ${(await app.db.get<{ two: number }>('select 2 as two'))?.two}`);
  });
  await app.ready();
  const db = app.db;
  await app.close();
  assert.deepEqual(seen, ['startup 1', 'shutdown 2']);
  assert.throws(() => app.db, /was closed when the app shut down/);
  await assert.rejects(db.get('select 1'), 'the connection is closed');
});

test("the TIME_ZONE setting is the app database's time zone, unless its options name one", async () => {
  const paris = volt({
    database: 'sqlite::memory:',
    timeZone: 'Europe/Paris',
    logger: false,
    envFile: false,
  });
  await paris.ready();
  assert.equal(paris.db.timeZone, 'Europe/Paris');
  assert.deepEqual(paris.databaseConfig?.options, { timeZone: 'Europe/Paris', max: 10 });
  await paris.close();
  const own = volt({
    database: { url: 'sqlite::memory:', timeZone: 'Asia/Tokyo' },
    timeZone: 'Europe/Paris',
    logger: false,
    envFile: false,
  });
  await own.ready();
  assert.equal(own.db.timeZone, 'Asia/Tokyo');
  await own.close();
  const utc = volt({ database: 'sqlite::memory:', logger: false, envFile: false });
  await utc.ready();
  assert.equal(utc.db.timeZone, 'UTC');
  await utc.close();
  const wrong = volt({
    database: 'sqlite::memory:',
    timeZone: 'Europe/Pariss',
    logger: false,
    envFile: false,
  });
  await assert.rejects(wrong.ready(), /"Europe\/Pariss" is not a time zone/);
});

test('an app without a database says so when ctx.db or app.db is read', async (t) => {
  const app = volt({ logger: false, envFile: false });
  assert.throws(() => app.db, /This app has no database: pass volt\(\{ database/);
  app.get('/', {}, (ctx) => ctx.db.dialect);
  const client = testClient(app);
  t.after(() => client.close());
  assert.equal((await client.get('/')).status, 500);
});

forEachDialect((dialect, open) => {
  test(`${dialect}: ctx.db in a handler, behind an async dependency, and in a transaction`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    await db.run(`create table notes (title text not null)`);
    const app = volt({ database: db, logger: false, envFile: false });
    const slowGuard = dependency(async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return ctx.db.dialect;
    });
    const place = dialect === 'sqlite' ? '?' : '$1';
    app.post('/notes', { deps: { seen: slowGuard }, body: types.Object({ title: types.String() }) }, (ctx) =>
      ctx.db.transaction(async (tx) => {
        await tx.run(`insert into notes (title) values (${place})`, [ctx.body.title]);
        return { dialect: ctx.deps.seen, count: (await tx.all('select * from notes')).length };
      }),
    );
    const client = testClient(app);
    t.after(() => client.close());
    const res = await client.post('/notes', { json: { title: 'one' } });
    assert.deepEqual(res.json(), { dialect, count: 1 });
    await client.close();
    assert.equal((await db.all('select * from notes')).length, 1, 'an open Database given stays open');
  });
});

test('the database: a URL, { url, options }, true for DATABASE_URL, or DATABASE_URL when an installed app has models', () => {
  const registry = createRegistry();
  const Thing = model('things.Thing', { name: f.string({ maxLength: 10 }) }, { registry });
  const things = defineApp({ name: 'things', models: [Thing] });
  const url = `sqlite:${join(base, 'x.db')}`;
  // The options carry the TIME_ZONE setting, so the CLI opens the database as the app does.
  assert.deepEqual(volt({ database: url, logger: false, envFile: false }).databaseConfig, {
    url,
    options: { timeZone: 'UTC', max: 10 },
  });
  assert.deepEqual(
    volt({ database: { url, busyTimeoutMs: 10 }, logger: false, envFile: false }).databaseConfig,
    { url, options: { timeZone: 'UTC', max: 10, busyTimeoutMs: 10 } },
  );
  // DATABASE_POOL_SIZE and DATABASE_STATEMENT_CACHE_SIZE, unless the options name max and statementCacheSize.
  const tuned = {
    databasePoolSize: 25,
    databaseStatementCacheSize: 0,
    logger: false,
    envFile: false,
  } as const;
  assert.deepEqual(volt({ database: url, ...tuned }).databaseConfig?.options, {
    timeZone: 'UTC',
    max: 25,
    statementCacheSize: 0,
  });
  assert.deepEqual(
    volt({ database: { url, max: 3, statementCacheSize: 7 }, ...tuned }).databaseConfig?.options,
    { timeZone: 'UTC', max: 3, statementCacheSize: 7 },
  );
  const fromSetting = volt({ apps: [things], databaseUrl: url, logger: false, envFile: false });
  assert.equal(fromSetting.databaseConfig?.url, url);
  assert.equal(volt({ logger: false, envFile: false }).hasDatabase, false);
  assert.equal(volt({ apps: [things], database: false, logger: false, envFile: false }).hasDatabase, false);
  assert.equal(
    volt({ database: true, databaseUrl: url, logger: false, envFile: false }).databaseConfig?.url,
    url,
  );
});

test('an installed app adds routes, reads its settings, brings checks, migrations and a post-migrate hook', async (t) => {
  const registry = createRegistry();
  const Widget = model('shop.Widget', { name: f.string({ maxLength: 20 }) }, { registry });
  mkdirSync(join(base, 'pkg', 'shop'), { recursive: true });
  const ran: string[] = [];
  const shop = defineApp({
    name: 'shop',
    models: [Widget],
    migrations: join(base, 'pkg'),
    settings: types.Object({
      SHOP_CURRENCY: types.String({ default: 'EUR' }),
      SHOP_LIMIT: types.Integer({ default: 3 }),
    }),
    checks: [
      {
        id: 'shop.W001',
        title: 'a currency',
        run: (app) => (app.routes.length ? [] : [{ level: 'warning', message: 'no routes', fix: 'add one' }]),
      },
    ],
    postMigrate: async () => void ran.push('post-migrate'),
    setup(app) {
      app.get('/widgets', {}, (ctx) => query(ctx.db, Widget).all());
    },
  });
  const app = volt({ apps: [shop], database: 'sqlite::memory:', logger: false, envFile: false });
  assert.deepEqual(app.settingsOf(shop), { SHOP_CURRENCY: 'EUR', SHOP_LIMIT: 3 });
  assert.deepEqual(
    app.apps.map((installed) => installed.name),
    ['security', 'shop', 'docs'],
  );
  assert.deepEqual(app.migrationSources(), [{ app: 'shop', folder: join(base, 'pkg') }]);
  assert.deepEqual(
    app.postMigrateHooks().map(([name]) => name),
    ['shop'],
  );
  assert.deepEqual(
    await app
      .checks()
      .find((c) => c.id === 'shop.W001')!
      .run(app),
    [],
  );
  assert.ok(app.checks().some((c) => c.id === 'security.S001' && c.deploy));
  assert.ok(app.routes.some((route) => route.path === '/widgets'));
  await app.ready();
  await app.migrate({ root: join(base, 'none') });
  assert.deepEqual(ran, ['post-migrate']);
  await app.close();
  // The settings are read from the environment and checked.
  const env = { SHOP_CURRENCY: 'CHF', SHOP_LIMIT: '7' };
  const before = { ...process.env };
  Object.assign(process.env, env);
  t.after(() => {
    for (const name of Object.keys(env)) delete process.env[name];
    Object.assign(process.env, before);
  });
  assert.deepEqual(volt({ apps: [shop], logger: false, envFile: false, database: false }).settingsOf(shop), {
    SHOP_CURRENCY: 'CHF',
    SHOP_LIMIT: 7,
  });
  process.env.SHOP_LIMIT = 'many';
  assert.throws(
    () => volt({ apps: [shop], logger: false, envFile: false, database: false }),
    (error: Error) => error instanceof SettingsError && /SHOP_LIMIT/.test(error.message),
  );
});

test('docs: false leaves the docs app out; names must be unique and requirements installed first', () => {
  const one = defineApp({ name: 'one' });
  const two = defineApp({ name: 'two', requires: ['one'] });
  assert.deepEqual(
    volt({ apps: [one, two], docs: false, logger: false, envFile: false }).apps.map((a) => a.name),
    ['security', 'one', 'two'],
  );
  assert.throws(() => volt({ apps: [two, one], logger: false, envFile: false }), /'two' requires 'one'/);
  assert.throws(
    () => volt({ apps: [one, one], logger: false, envFile: false }),
    /two installed apps are named 'one'/,
  );
  assert.throws(() => defineApp({ name: 'Bad Name' }), /not an app name/);
});

void testPostgresUrl;
