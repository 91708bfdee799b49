/**
 * `volt changepassword`, end to end on a SQLite file with piped standard input.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { verifyPassword } from '../../src/auth/passwords.ts';
import { createToken } from '../../src/auth/tokens.ts';
import { connect } from '../../src/orm/database.ts';
import { finished, root, STACK_LINE, spawnVolt, volt } from './support.ts';

const base = mkdtempSync(join(tmpdir(), 'volt-changepassword-'));
after(() => rmSync(base, { recursive: true, force: true }));
let projects = 0;

async function project(migrated = true) {
  const dir = join(base, `p${++projects}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'app.ts'),
    [
      `import { volt } from '${pathToFileURL(join(root, 'src', 'index.ts')).href}';`,
      `import { auth } from '${pathToFileURL(join(root, 'src', 'auth', 'index.ts')).href}';`,
      'export const app = volt({ logger: false, apps: [auth()] });',
      '',
    ].join('\n'),
  );
  const env = { DATABASE_URL: `sqlite:${join(dir, 'app.db')}` };
  const typed = (args: string[], lines: string[]) => {
    const child = spawnVolt(args, { cwd: dir, env });
    child.stdin.end(lines.map((line) => `${line}\n`).join(''));
    return finished(child);
  };
  const password = () => {
    const db = new DatabaseSync(join(dir, 'app.db'));
    try {
      return (
        db.prepare("select password from auth_user where username = 'ada'").get() as { password: string }
      ).password;
    } finally {
      db.close();
    }
  };
  if (migrated) {
    assert.equal((await volt(['migrate'], { cwd: dir, env })).code, 0);
    const made = await volt(['createsuperuser', '--no-input', '--username', 'ada'], {
      cwd: dir,
      env: { ...env, VOLT_SUPERUSER_PASSWORD: 'first-pass-phrase-1' },
    });
    assert.equal(made.code, 0, made.stderr);
  }
  return { typed, password, url: env.DATABASE_URL };
}

test('asks the new password twice, again when they differ or fail validation, and saves it', async () => {
  const p = await project();
  const result = await p.typed(
    ['changepassword', 'ada'],
    ['new-pass-1', 'new-pass-2', '12345678', '12345678', 'quiet-meadow-sparrow-8', 'quiet-meadow-sparrow-8'],
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Changing password for user 'ada'\n(Password: Password \(again\): ){3}/);
  assert.match(result.stdout, /Password changed successfully for user 'ada'\.\n$/);
  assert.equal(
    result.stderr,
    'Passwords do not match. Please try again.\nThis password is too common.\nThis password is entirely numeric.\n',
  );
  assert.equal(await verifyPassword('quiet-meadow-sparrow-8', p.password()), true);
  assert.equal(await verifyPassword('first-pass-phrase-1', p.password()), false);
});

test('gives up after three attempts and changes nothing', async () => {
  const p = await project();
  const before = p.password();
  const result = await p.typed(['changepassword', 'ada'], ['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Aborting password change for user 'ada' after 3 attempts/);
  assert.doesNotMatch(result.stderr, STACK_LINE);
  assert.equal(p.password(), before);
});

test('an unknown user, and tables not migrated yet, are clear errors', async () => {
  const p = await project();
  const unknown = await p.typed(['changepassword', 'nobody'], []);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /The user 'nobody' does not exist/);
  const fresh = await project(false);
  const early = await fresh.typed(['changepassword', 'ada'], []);
  assert.equal(early.code, 1);
  assert.match(early.stderr, /does not exist yet: run volt migrate first/);
});

test("the app's auth app runs its password-change hooks: the change ends the user's sessions", async () => {
  const p = await project();
  const dir = join(base, `p${projects}`);
  const db = new DatabaseSync(join(dir, 'app.db'));
  const id = (db.prepare("select id from auth_user where username = 'ada'").get() as { id: number }).id;
  const now = Date.now();
  db.prepare(
    'insert into auth_session (key, user_id, data, expires_at, last_seen) values (?, ?, ?, ?, ?)',
  ).run(
    'a'.repeat(64),
    String(id),
    '{}',
    new Date(now + 3_600_000).toISOString(),
    new Date(now).toISOString(),
  );
  db.close();
  const result = await p.typed(
    ['changepassword', 'ada'],
    ['quiet-meadow-sparrow-8', 'quiet-meadow-sparrow-8'],
  );
  assert.equal(result.code, 0, result.stderr);
  const after = new DatabaseSync(join(dir, 'app.db'));
  try {
    assert.equal((after.prepare('select count(*) as n from auth_session').get() as { n: number }).n, 0);
  } finally {
    after.close();
  }
  assert.ok(await verifyPassword('quiet-meadow-sparrow-8', p.password()));
});

test("the change revokes the user's API tokens unless --keep-api-tokens is given", async () => {
  const p = await project();
  const tokens = async () => {
    const db = await connect(p.url);
    try {
      return (await db.all<{ name: string }>('select name from auth_token order by name')).map((r) => r.name);
    } finally {
      await db.close();
    }
  };
  const mint = async (name: string) => {
    const db = await connect(p.url);
    try {
      const { id } = (await db.get<{ id: number }>("select id from auth_user where username = 'ada'"))!;
      await createToken(db, String(id), { name });
    } finally {
      await db.close();
    }
  };
  await mint('deploy');
  const kept = await p.typed(
    ['changepassword', 'ada', '--keep-api-tokens'],
    ['quiet-meadow-sparrow-8', 'quiet-meadow-sparrow-8'],
  );
  assert.equal(kept.code, 0, kept.stderr);
  assert.deepEqual(await tokens(), ['deploy']);

  await mint('laptop');
  const revoked = await p.typed(
    ['changepassword', 'ada'],
    ['amber-harbour-lantern-3', 'amber-harbour-lantern-3'],
  );
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /Revoked 2 API tokens of 'ada'\./);
  assert.deepEqual(await tokens(), []);
});
