/**
 * Password reset tokens: URL-safe, bound to the user, expiring, and single use because a new
 * password or a login invalidates them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkResetToken, makeResetToken, resetTokenUserId } from '../../src/auth/reset-tokens.ts';

const SECRET = 'a-test-secret-key-that-is-long-enough-for-production-0123456789';
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const ada = { id: 42, password: 'pbkdf2_sha256$600000$salt$hash', lastLogin: new Date(NOW - 86_400_000) };

test('a token is URL-safe: <uid>.<timestamp>.<hmac>', () => {
  const token = makeResetToken(SECRET, ada, NOW);
  assert.match(token, /^[A-Za-z0-9_-]+\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
  assert.equal(encodeURIComponent(token), token);
  const [uid, timestamp] = token.split('.');
  assert.equal(Buffer.from(uid!, 'base64url').toString(), '42');
  assert.equal(Number.parseInt(timestamp!, 36), NOW / 1000);
  assert.equal(makeResetToken(SECRET, ada, NOW), token, 'the same inputs give the same token');
});

test('checkResetToken accepts a fresh token for its user', () => {
  const token = makeResetToken(SECRET, ada, NOW);
  assert.equal(checkResetToken(SECRET, ada, token, { now: NOW }), true);
  assert.equal(checkResetToken(SECRET, ada, token, { now: NOW + 3_599_000 }), true);
  // The same user read back from a database: id as text, lastLogin as an ISO string.
  const reread = { id: '42', password: ada.password, lastLogin: ada.lastLogin.toISOString() };
  assert.equal(checkResetToken(SECRET, reread, token, { now: NOW }), true);
});

test('a token expires after maxAgeSeconds (default one hour)', () => {
  const token = makeResetToken(SECRET, ada, NOW);
  assert.equal(checkResetToken(SECRET, ada, token, { now: NOW + 3_601_000 }), false);
  assert.equal(checkResetToken(SECRET, ada, token, { now: NOW + 86_000_000, maxAgeSeconds: 86_400 }), true);
  assert.equal(checkResetToken(SECRET, ada, token, { now: NOW + 11_000, maxAgeSeconds: 10 }), false);
  // Dated in the future beyond a minute of clock skew: refused.
  assert.equal(checkResetToken(SECRET, ada, makeResetToken(SECRET, ada, NOW + 120_000), { now: NOW }), false);
  assert.equal(checkResetToken(SECRET, ada, makeResetToken(SECRET, ada, NOW + 30_000), { now: NOW }), true);
});

test('a new password or a login makes earlier tokens invalid: single use', () => {
  const token = makeResetToken(SECRET, ada, NOW);
  assert.equal(
    checkResetToken(SECRET, { ...ada, password: 'pbkdf2_sha256$600000$salt$other' }, token, { now: NOW }),
    false,
  );
  assert.equal(checkResetToken(SECRET, { ...ada, lastLogin: new Date(NOW) }, token, { now: NOW }), false);
  const never = { ...ada, lastLogin: null };
  const first = makeResetToken(SECRET, never, NOW);
  assert.equal(checkResetToken(SECRET, never, first, { now: NOW }), true);
  assert.equal(checkResetToken(SECRET, { ...never, lastLogin: NOW }, first, { now: NOW }), false);
});

test('a new email address makes earlier tokens invalid: a link mailed to the old address stops working', () => {
  const withEmail = { ...ada, email: 'ada@old.example' };
  const token = makeResetToken(SECRET, withEmail, NOW);
  assert.equal(checkResetToken(SECRET, withEmail, token, { now: NOW }), true);
  assert.equal(
    checkResetToken(SECRET, { ...withEmail, email: 'ada@new.example' }, token, { now: NOW }),
    false,
  );
});

test('a token is bound to its user and to the secret key', () => {
  const token = makeResetToken(SECRET, ada, NOW);
  assert.equal(checkResetToken(SECRET, { ...ada, id: 43 }, token, { now: NOW }), false);
  assert.equal(checkResetToken(`${SECRET}x`, ada, token, { now: NOW }), false);
  // Grace's token with Ada's uid swapped in fails.
  const grace = { id: 7, password: ada.password, lastLogin: ada.lastLogin };
  const [, ts, mac] = makeResetToken(SECRET, grace, NOW).split('.');
  const forged = `${Buffer.from('42').toString('base64url')}.${ts}.${mac}`;
  assert.equal(checkResetToken(SECRET, ada, forged, { now: NOW }), false);
  // Changing the timestamp breaks the HMAC.
  const [uid, , adaMac] = token.split('.');
  assert.equal(
    checkResetToken(SECRET, ada, `${uid}.${(NOW / 1000 + 1).toString(36)}.${adaMac}`, { now: NOW }),
    false,
  );
});

test('malformed tokens are false, never an exception', () => {
  const token = makeResetToken(SECRET, ada, NOW);
  for (const bad of [
    '',
    'a.b',
    `${token}.x`,
    `${token}x`,
    token.slice(0, -1),
    token.replace('.', '..'),
    `${'A'.repeat(300)}.${token}`,
    token.toUpperCase(),
    null,
    undefined,
    42,
    {},
  ])
    assert.equal(checkResetToken(SECRET, ada, bad, { now: NOW }), false, String(bad));
});

test('a missing secret key is refused', () => {
  assert.throws(() => makeResetToken('', ada, NOW), /SECRET_KEY/);
  assert.throws(() => checkResetToken('', ada, 'x.y.z'), /SECRET_KEY/);
});

test('resetTokenUserId reads the uid, or undefined for a malformed token', () => {
  assert.equal(resetTokenUserId(makeResetToken(SECRET, ada, NOW)), '42');
  assert.equal(resetTokenUserId(makeResetToken(SECRET, { ...ada, id: 'c0ffee-ü' }, NOW)), 'c0ffee-ü');
  assert.equal(
    resetTokenUserId(makeResetToken(SECRET, { ...ada, id: 12345678901234567890n }, NOW)),
    '12345678901234567890',
  );
  const [, rest] = makeResetToken(SECRET, ada, NOW).split(/\.(.*)/s);
  for (const bad of [
    '',
    'x',
    `!!.${rest}`,
    `${'A'.repeat(200)}.${rest}`,
    `NDJ.${rest}`,
    `.${rest}`,
    'x'.repeat(100_000),
    null,
    7,
  ])
    assert.equal(resetTokenUserId(bad), undefined, String(bad).slice(0, 40));
});

test('ids too long for a token are refused when making one', () => {
  assert.throws(() => makeResetToken(SECRET, { ...ada, id: 'x'.repeat(200) }, NOW), /at most 96 bytes/);
});
