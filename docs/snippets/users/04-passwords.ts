import assert from 'node:assert/strict';
import {
  dummyVerify,
  hashPassword,
  makeUnusablePassword,
  needsRehash,
  validatePassword,
  verifyAndUpgrade,
  verifyPassword,
} from 'voltjs/auth';

// scrypt, with its parameters in the hash: scrypt$N$r$p$salt$hash.
const encoded = await hashPassword('plum-orbit-gazette-41');
assert.match(encoded, /^scrypt\$32768\$8\$1\$/);
assert.equal(await verifyPassword('plum-orbit-gazette-41', encoded), true);
assert.equal(await verifyPassword('wrong', encoded), false);

// Raising the parameters later: old hashes are upgraded when their password is next typed.
const stronger = { N: 65536, r: 8, p: 1 };
assert.equal(needsRehash(encoded, stronger), true);
const { ok, newHash } = await verifyAndUpgrade('plum-orbit-gazette-41', encoded, stronger);
assert.ok(ok && newHash?.startsWith('scrypt$65536$8$1$')); // save newHash in place of the old one

// No password matches an unusable one; an unknown user costs a login as much as a wrong password.
assert.equal(await verifyPassword('', makeUnusablePassword()), false);
assert.equal(await dummyVerify('whatever was typed'), false);

// Validators: every message, in Django's words; [] means acceptable.
assert.deepEqual(
  validatePassword('plum-orbit-gazette-41', { user: { username: 'ada', email: 'ada@example.com' } }),
  [],
);
assert.deepEqual(validatePassword('1234567', { user: { username: 'ada' } }), [
  'This password is too short. It must contain at least 8 characters.',
  'This password is too common.',
  'This password is entirely numeric.',
]);
assert.deepEqual(validatePassword('adalovelace', { user: { username: 'ada.lovelace' } }), [
  'The password is too similar to the username.',
]);
