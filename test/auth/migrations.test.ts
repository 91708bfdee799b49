/**
 * The auth app's packaged migrations: brought by the apps that install auth(), loaded with the project's,
 * matching the auth models, depended on by project migrations that point at auth models,
 * never written by makemigrations; and the post-migrate hook that creates permission rows.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { auth } from '../../src/auth/auth.ts';
import { Group, Permission, Session, Token, User } from '../../src/auth/models.ts';
import { createPermissions } from '../../src/auth/permissions.ts';
import { makeMigrations } from '../../src/cli/commands/makemigrations.ts';
import { CliError } from '../../src/cli/errors.ts';
import { f } from '../../src/orm/fields/index.ts';
import { detectChanges, planMigrations } from '../../src/orm/migrations/autodetector.ts';
import { MigrationError, migrate } from '../../src/orm/migrations/executor.ts';
import { orderMigrations } from '../../src/orm/migrations/graph.ts';
import { loadMigrations, MigrationLoadError } from '../../src/orm/migrations/loader.ts';
import type { NamedPostMigrateHook } from '../../src/orm/migrations/post-migrate.ts';
import { NonInteractiveQuestioner } from '../../src/orm/migrations/questioner.ts';
import { tableExists } from '../../src/orm/migrations/recorder.ts';
import { migrationSource, migrationSources } from '../../src/orm/migrations/sources.ts';
import { ProjectState } from '../../src/orm/migrations/state.ts';
import { model } from '../../src/orm/model.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { createRegistry } from '../../src/orm/registry.ts';
import { forEachDialect } from '../../src/testing/database.ts';
import { volt } from '../../src/volt.ts';
import { AUTH_HOOKS, AUTH_PACKAGED } from './packaged.ts';

const base = mkdtempSync(join(tmpdir(), 'volt-auth-migrations-'));
after(() => rmSync(base, { recursive: true, force: true }));
const emptyRoot = join(base, 'none');
const authModels = [Permission, Group, User, Session, Token];

test('an app installing auth() brings its migrations folder; importing the models registers nothing', () => {
  const app = volt({ apps: [auth()], logger: false, envFile: false, database: false });
  const source = app.migrationSources().find((s) => s.app === 'auth');
  assert.equal(source?.folder, join(import.meta.dirname, '..', '..', 'src', 'auth', 'migrations'));
  assert.deepEqual(volt({ logger: false, envFile: false }).migrationSources(), []);
});

test('loadMigrations includes the packaged migrations it is given, only those', async () => {
  const loaded = await loadMigrations(emptyRoot, { packaged: AUTH_PACKAGED });
  assert.deepEqual(
    loaded.map((m) => m.id),
    ['auth/0001_initial'],
  );
  assert.deepEqual(await loadMigrations(emptyRoot), []);
});

test('the auth models and their packaged migrations agree: there is nothing to make', async () => {
  const from = ProjectState.fromMigrations(
    orderMigrations(await loadMigrations(emptyRoot, { packaged: AUTH_PACKAGED })),
  );
  const changes = await detectChanges(
    from,
    ProjectState.fromModels(authModels),
    new NonInteractiveQuestioner(),
    { apps: ['auth'] },
  );
  assert.equal(
    changes.size,
    0,
    [...changes.values()]
      .flat()
      .map((o) => o.describe())
      .join('\n'),
  );
});

test('a project migration pointing at auth.User and auth.Group depends on auth/0001_initial', async () => {
  const registry = createRegistry();
  for (const m of authModels) registry.register(m);
  const Book = model(
    'shelf.Book',
    {
      title: f.string({ maxLength: 100 }),
      owner: f.foreignKey('auth.User', { onDelete: 'cascade' }),
      editors: f.manyToMany('auth.Group'),
    },
    { registry },
  );
  const existing = orderMigrations(await loadMigrations(emptyRoot, { packaged: AUTH_PACKAGED }));
  const changes = await detectChanges(
    ProjectState.fromMigrations(existing),
    ProjectState.fromModels([...authModels, Book]),
    new NonInteractiveQuestioner(),
  );
  assert.deepEqual([...changes.keys()], ['shelf']);
  const [planned] = planMigrations(changes, existing);
  assert.equal(planned?.id, 'shelf/0001_initial');
  assert.deepEqual(planned?.dependencies, ['auth/0001_initial']);
});

test('a project folder named like a packaged app is refused', async () => {
  const root = join(base, 'clash');
  mkdirSync(join(root, 'auth'), { recursive: true });
  await assert.rejects(loadMigrations(root, { packaged: AUTH_PACKAGED }), (error: Error) => {
    assert.ok(error instanceof MigrationLoadError);
    assert.match(error.message, /the app 'auth' comes with its migrations .*remove this folder/);
    return true;
  });
});

test('migrationSources: absolute folders with the app folder, one folder per app', () => {
  assert.throws(() => migrationSource('extra', 'relative/migrations'), /must be absolute/);
  assert.throws(() => migrationSource('extra', base), /has no migrations folder/);
  assert.throws(() => migrationSource('Bad', base), /not an app label/);
  mkdirSync(join(base, 'pkg', 'extra'), { recursive: true });
  mkdirSync(join(base, 'pkg2', 'extra'), { recursive: true });
  const twice = migrationSources([
    { app: 'extra', folder: join(base, 'pkg') },
    { app: 'extra', folder: join(base, 'pkg') },
  ]);
  assert.equal(twice.length, 1, 'same folder again: counted once');
  assert.throws(
    () =>
      migrationSources([
        { app: 'extra', folder: join(base, 'pkg') },
        { app: 'extra', folder: join(base, 'pkg2') },
      ]),
    /has its migrations in/,
  );
});

test('makemigrations never writes into a packaged app', async () => {
  const root = join(base, 'project');
  const registry = createRegistry();
  const Extra = model('auth.Badge', { name: f.string({ maxLength: 20 }) }, { registry });
  const options = {
    models: [...authModels, Extra],
    migrationsRoot: root,
    packaged: AUTH_PACKAGED,
    questioner: new NonInteractiveQuestioner(),
    cwd: base,
    stdout: () => {},
  };
  await assert.rejects(makeMigrations(options), (error: Error) => {
    assert.ok(error instanceof CliError);
    assert.match(error.message, /The models of 'auth' differ from the migrations its package ships/);
    assert.match(error.message, /Create model auth\.Badge/);
    return true;
  });
  await assert.rejects(
    makeMigrations({ ...options, models: authModels, empty: 'auth' }),
    /'auth' comes with its migrations in its package/,
  );
  let printed = '';
  const code = await makeMigrations({ ...options, models: authModels, stdout: (t) => (printed += t) });
  assert.equal(code, 0);
  assert.equal(printed, 'No changes detected\n');
});

forEachDialect((_dialect, open) => {
  test('migrate creates the auth tables and a permission row for every registered model, once', async (t) => {
    const db = await open();
    t.after(() => db.close());
    assert.equal(await createPermissions(db), 0, 'no table yet: nothing to do');
    let printed = '';
    await migrate(db, await loadMigrations(emptyRoot, { packaged: AUTH_PACKAGED }), {
      log: (text) => (printed += text),
      hooks: AUTH_HOOKS,
    });
    assert.ok(await tableExists(db, 'auth_user'));
    assert.match(printed, /Applying auth\/0001_initial\.\.\. OK\nCreated 20 permissions\.\n/);
    const perms = await query(db, Permission).values('app', 'codename', 'name', 'model');
    assert.equal(perms.length, 20);
    assert.ok(
      perms.some(
        (p) =>
          p.app === 'auth' &&
          p.codename === 'change_user' &&
          p.name === 'Can change user' &&
          p.model === 'user',
      ),
    );

    // Idempotent, and removes nothing.
    await query(db, Permission).create({ name: 'Old', app: 'gone', codename: 'old_thing' });
    await query(db, Permission).filter({ app: 'auth', codename: 'view_token' }).delete();
    printed = '';
    await migrate(db, await loadMigrations(emptyRoot, { packaged: AUTH_PACKAGED }), {
      log: (text) => (printed += text),
      hooks: AUTH_HOOKS,
    });
    assert.equal(printed, 'Created 1 permission.\n');
    assert.equal(await query(db, Permission).count(), 21);
    assert.equal(await query(db, Permission).filter({ app: 'gone' }).count(), 1);
  });

  test('a failing post-migrate hook fails migrate; without hooks none runs', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const failing: NamedPostMigrateHook = [
      'test.failing',
      () => {
        throw new Error('boom');
      },
    ];
    await assert.rejects(
      migrate(db, await loadMigrations(emptyRoot, { packaged: AUTH_PACKAGED }), { hooks: [failing] }),
      (error: Error) => {
        assert.ok(error instanceof MigrationError);
        assert.match(error.message, /The post-migrate hook 'test\.failing' failed: boom/);
        return true;
      },
    );
    assert.ok(await tableExists(db, 'auth_user'), 'the migrations themselves were applied');
    await migrate(db, await loadMigrations(emptyRoot, { packaged: AUTH_PACKAGED }));
    assert.equal(await query(db, Permission).count(), 0);
    await migrate(db, await loadMigrations(emptyRoot, { packaged: AUTH_PACKAGED }), { hooks: AUTH_HOOKS });
    assert.equal(await query(db, Permission).count(), 20);
  });
});
