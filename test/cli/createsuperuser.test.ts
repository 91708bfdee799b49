/**
 * `volt createsuperuser`, end to end on a SQLite file: --no-input from flags and variables,
 * interactive through piped standard input (re-asking after each mistake, the bypass
 * question), a custom user model, and the error before the tables exist.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { verifyPassword } from '../../src/auth/passwords.ts';
import { finished, root, STACK_LINE, spawnVolt, volt } from './support.ts';

const base = mkdtempSync(join(tmpdir(), 'volt-createsuperuser-'));
after(() => rmSync(base, { recursive: true, force: true }));
const auth = (file: string) => pathToFileURL(join(root, 'src', 'auth', file)).href;
let projects = 0;

/** A project depending on volt (a symlink, as an installed one), with `app` as its app module. */
function project(
  app = `import { volt } from 'voltjs';\nimport { auth } from 'voltjs/auth';\nexport const app = volt({ logger: false, apps: [auth()] });\n`,
) {
  const dir = join(base, `p${++projects}`);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(root, join(dir, 'node_modules', 'voltjs'), 'dir');
  writeFileSync(join(dir, 'app.ts'), app);
  const database = `sqlite:${join(dir, 'app.db')}`;
  const env = { DATABASE_URL: database };
  return {
    dir,
    run: (args: string[], extra: Record<string, string> = {}) =>
      volt(args, { cwd: dir, env: { ...env, ...extra } }),
    /** Runs with `lines` piped to standard input. */
    typed: (args: string[], lines: string[]) => {
      const child = spawnVolt(args, { cwd: dir, env });
      child.stdin.end(lines.map((line) => `${line}\n`).join(''));
      return finished(child);
    },
    rows: <T>(sql: string) => {
      const db = new DatabaseSync(join(dir, 'app.db'));
      try {
        return db.prepare(sql).all() as T[];
      } finally {
        db.close();
      }
    },
  };
}

type UserRow = { username: string; email: string; password: string; is_staff: number; is_superuser: number };

test('before volt migrate, it says to run it', async () => {
  const p = project();
  const result = await p.run(['createsuperuser', '--no-input', '--username', 'admin'], {
    VOLT_SUPERUSER_PASSWORD: 'plum-orbit-gazette-41',
  });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /The table auth_user of auth\.User does not exist yet: run volt migrate first/);
  assert.doesNotMatch(result.stderr, STACK_LINE);
});

test('--no-input creates a staff superuser from the flags and variables, and names what is missing', async () => {
  const p = project();
  const migrated = await p.run(['migrate']);
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.match(migrated.stdout, /Applying auth\/0001_initial\.\.\. OK\nCreated 20 permissions\.\n/);
  assert.equal(p.rows("select * from auth_permission where codename = 'add_user'").length, 1);
  const missing = await p.run(['createsuperuser', '--no-input']);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /--no-input needs the username \(--username or VOLT_SUPERUSER_USERNAME\) and the password \(VOLT_SUPERUSER_PASSWORD\)/,
  );
  const noPassword = await p.run(['createsuperuser', '--no-input', '--username', 'admin']);
  assert.match(noPassword.stderr, /--no-input needs the password \(VOLT_SUPERUSER_PASSWORD\)\n/);

  const env = {
    VOLT_SUPERUSER_USERNAME: 'admin',
    VOLT_SUPERUSER_EMAIL: 'admin@example.com',
    VOLT_SUPERUSER_PASSWORD: 'plum-orbit-gazette-41',
  };
  const created = await p.run(['createsuperuser', '--no-input'], env);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout, 'Superuser created successfully.\n');
  const [admin] = p.rows<UserRow>('select * from auth_user');
  assert.equal(admin?.username, 'admin');
  assert.equal(admin?.email, 'admin@example.com');
  assert.equal(admin?.is_staff, 1);
  assert.equal(admin?.is_superuser, 1);
  assert.equal(await verifyPassword('plum-orbit-gazette-41', admin?.password), true);

  const again = await p.run(['createsuperuser', '--no-input'], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /Error: username 'admin': That username is already taken\./);
  const common = await p.run(['createsuperuser', '--no-input', '--username', 'root'], {
    VOLT_SUPERUSER_PASSWORD: 'password123',
  });
  assert.equal(common.code, 1);
  assert.match(
    common.stderr,
    /The password of VOLT_SUPERUSER_PASSWORD is refused: This password is too common\./,
  );
  const badEmail = await p.run(['createsuperuser', '--no-input', '--username', 'root', '--email', 'nope'], {
    VOLT_SUPERUSER_PASSWORD: 'plum-orbit-gazette-41',
  });
  assert.match(badEmail.stderr, /Error: email 'nope': /);
  assert.equal(p.rows('select * from auth_user').length, 1);
});

test('interactive: asks again after each mistake, and a refused password is re-asked unless bypassed', async () => {
  const p = project();
  assert.equal((await p.run(['migrate'])).code, 0);
  const first = await p.typed(
    ['createsuperuser'],
    [
      '',
      'bad name!',
      'ada',
      'not-an-email',
      'ada@example.com',
      'one',
      'two',
      '',
      '',
      'password',
      'password',
      'n',
      'plum-orbit-gazette-41',
      'plum-orbit-gazette-41',
    ],
  );
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    first.stdout,
    /^Username: Username: Username: Email address: Email address: Password: Password \(again\): /,
  );
  assert.match(first.stdout, /Bypass password validation and create user anyway\? \[y\/N\]: /);
  assert.match(first.stdout, /Superuser created successfully\.\n$/);
  const errors = first.stderr.split('\n');
  assert.equal(errors[0], 'Error: This field cannot be blank.');
  assert.match(errors[1] ?? '', /^Error: /);
  assert.match(errors[2] ?? '', /^Error: /);
  assert.deepEqual(errors.slice(3), [
    "Error: Your passwords didn't match.",
    "Error: Blank passwords aren't allowed.",
    'This password is too common.',
    '',
  ]);
  const [ada] = p.rows<UserRow>("select * from auth_user where username = 'ada'");
  assert.equal(await verifyPassword('plum-orbit-gazette-41', ada?.password), true);

  const bypassed = await p.typed(
    ['createsuperuser', '--email', 'bo@example.com'],
    ['ada', 'bo', 'bo', 'bo', 'y'],
  );
  assert.equal(bypassed.code, 0, bypassed.stderr);
  assert.match(
    bypassed.stderr,
    /Error: That username is already taken\.\nThe password is too similar to the username\.\nThis password is too short\. It must contain at least 8 characters\.\n/,
  );
  const [bo] = p.rows<UserRow>("select * from auth_user where username = 'bo'");
  assert.equal(bo?.email, 'bo@example.com');
  assert.equal(await verifyPassword('bo', bo?.password), true);

  const ended = await p.typed(['createsuperuser'], ['carol']);
  assert.equal(ended.code, 1);
  assert.match(
    ended.stderr,
    /The input ended before 'Email address:' was answered \(for scripts, use --no-input\)/,
  );
  assert.doesNotMatch(ended.stderr, STACK_LINE);
});

test('the user model of the installed auth app is the one it fills', async () => {
  const p = project(
    `import { defineApp, volt } from 'voltjs';
import { f } from 'voltjs/orm';
import { auth } from 'voltjs/auth';
import { userModel } from '${auth('models.ts')}';
export const Customer = userModel('shop.Customer', { phone: f.string({ maxLength: 20, default: '' }) });
const shop = defineApp({ name: 'shop', models: [Customer] });
export const app = volt({ logger: false, apps: [auth({ user: Customer }), shop] });
`,
  );
  const made = await p.run(['makemigrations', '--no-input']);
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /migrations\/shop\/0001_initial\.ts/);
  // The project's migration points at auth.Group and auth.Permission: it depends on auth's.
  assert.match(
    readFileSync(join(p.dir, 'migrations', 'shop', '0001_initial.ts'), 'utf8'),
    /dependencies: \['auth\/0001_initial'\]/,
  );
  assert.equal((await p.run(['migrate'])).code, 0);
  const shown = await p.run(['showmigrations']);
  assert.equal(shown.stdout, '[X] auth/0001_initial\n[X] shop/0001_initial\n');
  const sql = await p.run(['sqlmigrate', 'auth/0001_initial']);
  assert.match(sql.stdout, /create table "auth_user"/i);
  const created = await p.run(['createsuperuser', '--no-input', '--username', 'owner'], {
    VOLT_SUPERUSER_PASSWORD: 'plum-orbit-gazette-41',
  });
  assert.equal(created.code, 0, created.stderr);
  assert.deepEqual(
    p.rows<{ username: string }>('select username from shop_customer').map((r) => r.username),
    ['owner'],
  );
  assert.equal(p.rows('select * from auth_user').length, 0);
});
