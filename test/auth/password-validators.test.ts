/**
 * Password validators: minimum length, the shipped common-password list, similarity to the
 * user's attributes, all-numeric; messages in order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  commonPassword,
  commonPasswordList,
  minimumLength,
  numericPassword,
  similarity,
  userAttributeSimilarity,
  validatePassword,
} from '../../src/auth/password-validators.ts';

test('a good password passes every default validator', () => {
  assert.deepEqual(
    validatePassword('plum-orbit-gazette-41', { user: { username: 'ada', email: 'ada@example.com' } }),
    [],
  );
});

test('too short: the message names the minimum', () => {
  assert.deepEqual(validatePassword('Zq9!xw'), [
    'This password is too short. It must contain at least 8 characters.',
  ]);
  assert.equal(
    minimumLength(12).validate('Zq9!xwZq9!x', {}),
    'This password is too short. It must contain at least 12 characters.',
  );
  assert.equal(
    minimumLength(1).validate('', {}),
    'This password is too short. It must contain at least 1 character.',
  );
  assert.equal(minimumLength(8).validate('ŝŝŝŝŝŝŝŝ', {}), undefined, 'characters, not bytes');
  assert.throws(() => minimumLength(0), /whole number ≥ 1/);
});

test('the shipped common-password list is real and large, and is compared case-insensitively', () => {
  const list = commonPasswordList();
  assert.ok(list.size >= 19_000, `${list.size} entries`);
  for (const entry of ['password', '123456', 'qwerty', 'letmein', 'iloveyou'])
    assert.ok(list.has(entry), entry);
  assert.ok(!list.has(''), 'the header is not an entry');
  assert.ok(![...list].some((entry) => entry.startsWith('# ')), 'the header is not an entry');
  assert.deepEqual(validatePassword('Password1'), ['This password is too common.']);
  assert.deepEqual(validatePassword(' LETMEIN1 '), ['This password is too common.']);
  assert.equal(
    commonPassword(['Blue-Harbor-77']).validate('blue-harbor-77', {}),
    'This password is too common.',
  );
  assert.equal(
    commonPassword(['Blue-Harbor-77']).validate('password', {}),
    undefined,
    'the own list replaces the shipped one',
  );
});

test('too like the username, email or names', () => {
  const user = {
    username: 'adalovelace',
    email: 'countess@analytical.example',
    firstName: 'Augusta',
    lastName: 'King',
  };
  assert.deepEqual(validatePassword('AdaLovelace!', { user }), [
    'The password is too similar to the username.',
  ]);
  assert.deepEqual(validatePassword('analytical', { user }), [
    'The password is too similar to the email address.',
  ]);
  assert.deepEqual(validatePassword('augusta12', { user }), [
    'The password is too similar to the first name.',
  ]);
  assert.deepEqual(validatePassword('Zebra-Quartz-Lantern', { user }), []);
  assert.equal(userAttributeSimilarity({ maxSimilarity: 1 }).validate('adalovelace1', { user }), undefined);
  assert.equal(
    userAttributeSimilarity({ attributes: { nickname: 'nickname' } }).validate('sparkle99', {
      user: { nickname: 'Sparkle' },
    }),
    'The password is too similar to the nickname.',
  );
  assert.throws(() => userAttributeSimilarity({ maxSimilarity: 0 }), /maxSimilarity must be from 0\.1 to 1/);
  assert.equal(similarity('abc', 'abc'), 1);
  assert.equal(similarity('abc', 'xyz'), 0);
});

test('entirely numeric, and every failing message in order', () => {
  assert.equal(numericPassword().validate('20251125', {}), 'This password is entirely numeric.');
  assert.equal(numericPassword().validate('2025x1125', {}), undefined);
  assert.deepEqual(validatePassword('1234'), [
    'This password is too short. It must contain at least 8 characters.',
    'This password is too common.',
    'This password is entirely numeric.',
  ]);
  assert.deepEqual(validatePassword('1234', {}, [numericPassword()]), ['This password is entirely numeric.']);
  assert.deepEqual(validatePassword(42 as never), ['The password must be a string.']);
});
