/**
 * Password hashes: the encoded form, verification, unusable and malformed hashes, rehashing
 * when the parameters rise, equal work for unknown users, and setPassword with its hooks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auth } from '../../src/auth/auth.ts';
import type { UserRow } from '../../src/auth/config.ts';
import type { UserModel } from '../../src/auth/models.ts';
import { User } from '../../src/auth/models.ts';
import {
  changePassword,
  createUser,
  DEFAULT_PASSWORD_PARAMS,
  dummyVerify,
  hashPassword,
  isUsablePassword,
  makeUnusablePassword,
  needsRehash,
  setPassword,
  verifyAndUpgrade,
  verifyPassword,
} from '../../src/auth/passwords.ts';
import { migrate } from '../../src/orm/migrations/executor.ts';
import { loadMigrations } from '../../src/orm/migrations/loader.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { forEachDialect } from '../../src/testing/database.ts';
import { AUTH_PACKAGED } from './packaged.ts';

// Cheap parameters keep the tests fast; one test uses the defaults.
const FAST = { N: 1024, r: 8, p: 1 };

test('a hash is scrypt$N$r$p$salt$hash with the default parameters, salted afresh each time', async () => {
  const encoded = await hashPassword('correct horse battery staple');
  assert.match(encoded, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.deepEqual(DEFAULT_PASSWORD_PARAMS, { N: 32768, r: 8, p: 1 });
  assert.equal(await verifyPassword('correct horse battery staple', encoded), true);
  assert.notEqual(
    await hashPassword('correct horse battery staple', FAST),
    await hashPassword('correct horse battery staple', FAST),
  );
});

test('verifyPassword: the right password only; Unicode is compared normalized', async () => {
  const encoded = await hashPassword('pässwörd', FAST);
  assert.equal(await verifyPassword('pässwörd', encoded), true);
  assert.equal(await verifyPassword('pa\u0308sswo\u0308rd', encoded), true, 'decomposed form');
  assert.equal(await verifyPassword('passwörd', encoded), false);
  assert.equal(await verifyPassword('', encoded), false);
});

test('unusable, empty and malformed hashes never verify', async () => {
  const unusable = makeUnusablePassword();
  assert.match(unusable, /^!/);
  assert.notEqual(unusable, makeUnusablePassword());
  const good = await hashPassword('x', FAST);
  const malformed = [
    unusable,
    '',
    null,
    undefined,
    'x',
    'pbkdf2$1$2$3$abc$def',
    good.replace('scrypt$1024', 'scrypt$1000'),
    good.replace(/\$[^$]+$/, '$!!!'),
    good.split('$').slice(0, 5).join('$'),
    `!${good}`,
  ];
  for (const encoded of malformed) {
    assert.equal(await verifyPassword('x', encoded), false, String(encoded));
    assert.equal(isUsablePassword(encoded), false, String(encoded));
  }
  assert.equal(isUsablePassword(good), true);
});

test('needsRehash and verifyAndUpgrade: a new hash when the parameters rose and the password matched', async () => {
  const old = await hashPassword('s3cret-words', FAST);
  const higher = { N: 2048, r: 8, p: 1 };
  assert.equal(needsRehash(old, FAST), false);
  assert.equal(needsRehash(old, higher), true);
  assert.equal(needsRehash(old), true, 'against the defaults');
  assert.equal(needsRehash('garbage'), true);
  assert.equal(needsRehash(makeUnusablePassword()), false, 'an unusable password stays unusable');

  assert.deepEqual(await verifyAndUpgrade('s3cret-words', old, FAST), { ok: true });
  assert.deepEqual(await verifyAndUpgrade('wrong', old, higher), { ok: false });
  const upgraded = await verifyAndUpgrade('s3cret-words', old, higher);
  assert.equal(upgraded.ok, true);
  assert.match(upgraded.newHash ?? '', /^scrypt\$2048\$8\$1\$/);
  assert.equal(await verifyPassword('s3cret-words', upgraded.newHash), true);
});

test('parameters may be given in part: the others are the defaults', async () => {
  assert.match(await hashPassword('x', { N: 1024 }), /^scrypt\$1024\$8\$1\$/);
  assert.equal(needsRehash(await hashPassword('x', { N: 1024 }), { N: 1024 }), false);
});

test('bad parameters are refused', async () => {
  await assert.rejects(hashPassword('x', { N: 1000, r: 8, p: 1 }), /N must be a power of two/);
  await assert.rejects(hashPassword('x', { N: 1024, r: 0, p: 1 }), /r must be 1 to 64/);
  await assert.rejects(hashPassword('x', { N: 1024, r: 8, p: 99 }), /p must be 1 to 16/);
  await assert.rejects(hashPassword(undefined as never), /needs the password as a string/);
});

test('dummyVerify does the work of a real verify and never succeeds', async () => {
  const encoded = await hashPassword('pw');
  await dummyVerify('warm-up');
  const time = async (fn: () => Promise<unknown>) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  const real = await time(() => verifyPassword('wrong', encoded));
  const dummy = await time(() => dummyVerify('wrong'));
  assert.equal(await dummyVerify('pw'), false);
  // Same parameters: the same order of time (not a benchmark — a check that work is done).
  assert.ok(dummy > real / 10 && dummy < real * 10, `real ${real} ms, dummy ${dummy} ms`);
  const malformed = await time(() => verifyPassword('wrong', 'not a hash'));
  assert.ok(malformed > real / 10, `malformed ${malformed} ms, real ${real} ms`);
});

forEachDialect((_dialect, open) => {
  test('setPassword hashes and saves; an auth app runs its own password-change hooks, another app’s never', async (t) => {
    const db = await open();
    t.after(() => db.close());
    await migrate(db, await loadMigrations('/nonexistent', { packaged: AUTH_PACKAGED }));
    const ada = await query(db, User).create({ username: 'ada' });
    const seen: { user: UserRow; model: UserModel; inTransaction: boolean }[] = [];
    const hook = (hookDb: typeof db, user: UserRow, model: UserModel) =>
      void seen.push({ user, model, inTransaction: hookDb.inTransaction });
    const users = auth({ passwordParams: FAST });
    const off = users.onPasswordChange(hook);
    users.onPasswordChange(hook); // the same function twice: registered once
    const other = auth();
    other.onPasswordChange(() => {
      throw new Error('the hooks of another app never run');
    });

    const saved = await users.setPassword(db, ada, 'a long passphrase');
    assert.match(saved, /^scrypt\$1024\$8\$1\$/);
    const row = await query(db, User).get({ id: ada.id });
    assert.equal(row.password, saved);
    assert.equal(await verifyPassword('a long passphrase', row.password), true);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.user.id, ada.id);
    assert.equal(seen[0]?.user.password, saved, 'the hook sees the new hash');
    assert.equal(seen[0]?.model, User);

    await users.setPassword(db, row, null);
    const locked = await query(db, User).get({ id: ada.id });
    assert.equal(isUsablePassword(locked.password), false);
    assert.equal(seen.length, 2);
    off();
    await users.setPassword(db, locked, 'another passphrase');
    assert.equal(seen.length, 2, 'unregistered');
    // Without an app, setPassword (and changePassword, the same) runs the hooks it is given only.
    await changePassword(db, User, locked, 'a third passphrase', { params: FAST });
    assert.equal(seen.length, 2);

    await assert.rejects(
      setPassword(db, User, { id: 999 }, 'x', { params: FAST }),
      /auth\.User 999 does not exist/,
    );
    await assert.rejects(setPassword(db, User, {} as never, 'x', { params: FAST }), /needs a saved user/);
  });

  test('createUser saves the editable fields, the privileges and the hashed password in one transaction', async (t) => {
    const db = await open();
    t.after(() => db.close());
    await migrate(db, await loadMigrations('/nonexistent', { packaged: AUTH_PACKAGED }));
    const root = await createUser(
      db,
      User,
      {
        username: 'root',
        email: 'root@example.com',
        password: 'a long passphrase',
        isStaff: true,
        isSuperuser: true,
      },
      FAST,
    );
    assert.equal(root.isStaff && root.isSuperuser && root.isActive, true);
    assert.equal(root.email, 'root@example.com');
    assert.equal(await verifyPassword('a long passphrase', root.password), true);

    const sso = await createUser(db, User, { username: 'sso' });
    assert.equal(isUsablePassword(sso.password), false, 'no password: unusable');

    await assert.rejects(createUser(db, User, { username: 'bad name!', password: 'x' }, FAST), /username/);
    await assert.rejects(
      createUser(db, User, { username: 'half', password: 'x', isStaff: 'yes' }, FAST),
      /isStaff/,
    );
    assert.equal(await query(db, User).filter({ username: 'half' }).count(), 0, 'rolled back');
  });
});
