/**
 * Signer: values come back only unaltered, only to a signer with the same key and salt, and
 * timestamped values only within their age.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Signer } from '../../src/security/signing.ts';

const KEY = 'a-secret-key-of-fifty-characters-or-more-0123456789';

describe('Signer', () => {
  test('sign gives value.signature (HMAC-SHA256, base64url); unsign gives the value back', () => {
    const signer = new Signer(KEY, { salt: 'session' });
    const signed = signer.sign('user:42');
    assert.match(signed, /^user:42\.[A-Za-z0-9_-]{43}$/);
    assert.equal(signer.unsign(signed), 'user:42');
    assert.equal(signer.unsign(signer.sign('a.b.c')), 'a.b.c');
    assert.equal(signer.unsign(signer.sign('')), '');
  });

  test('an altered value or signature, or a missing signature, is refused', () => {
    const signer = new Signer(KEY, { salt: 'session' });
    const signed = signer.sign('user:42');
    const signature = signed.slice(signed.lastIndexOf('.') + 1);
    for (const forged of [
      `user:43.${signature}`,
      `${signed.slice(0, -1)}${signed.endsWith('A') ? 'B' : 'A'}`,
      `${signed}x`,
      'user:42',
      'user:42.',
      `user:42.${signature.slice(0, 20)}`,
      '',
    ])
      assert.equal(signer.unsign(forged), undefined, forged);
  });

  test('a text verified before is still refused by another salt or key, and altered copies stay refused', () => {
    const session = new Signer(KEY, { salt: 'session' });
    const reset = new Signer(KEY, { salt: 'password-reset' });
    const otherKey = new Signer(`${KEY}!`, { salt: 'session' });
    const signed = session.sign('user:42');
    for (let i = 0; i < 3; i++) assert.equal(session.unsign(signed), 'user:42');
    assert.equal(reset.unsign(signed), undefined);
    assert.equal(otherKey.unsign(signed), undefined);
    assert.equal(session.unsign(`${signed.slice(0, -1)}${signed.endsWith('A') ? 'B' : 'A'}`), undefined);
    assert.equal(session.unsign(signed.replace('42', '43')), undefined);
  });

  test('thousands of distinct values verify, each to its own value, the first ones again after the rest', () => {
    const signer = new Signer(KEY, { salt: 'session' });
    const signed = Array.from({ length: 3000 }, (_, i) => signer.sign(`id-${i}`));
    for (let round = 0; round < 2; round++)
      for (const [i, text] of signed.entries()) assert.equal(signer.unsign(text), `id-${i}`);
    const long = signer.sign('x'.repeat(2000));
    assert.equal(signer.unsign(long), 'x'.repeat(2000));
    assert.equal(signer.unsign(`${long.slice(0, 10)}y${long.slice(11)}`), undefined);
  });

  test('each salt and each key signs differently', () => {
    const session = new Signer(KEY, { salt: 'session' });
    const reset = new Signer(KEY, { salt: 'password-reset' });
    const otherKey = new Signer(`${KEY}!`, { salt: 'session' });
    assert.equal(reset.unsign(session.sign('42')), undefined);
    assert.equal(otherKey.unsign(session.sign('42')), undefined);
    assert.notEqual(session.sign('42'), reset.sign('42'));
  });

  test('timestamped values expire after maxAgeMs and refuse stamps from the future', () => {
    const signer = new Signer(KEY, { salt: 'reset' });
    const now = 1_700_000_000_000;
    const token = signer.signTimestamped('42', now);
    assert.equal(signer.unsignTimestamped(token, 60, now + 59_999), '42');
    assert.equal(signer.unsignTimestamped(token, 60, now + 60_000), '42');
    assert.equal(signer.unsignTimestamped(token, 60, now + 60_001), undefined);
    assert.equal(signer.unsignTimestamped(token, 60, now - 120_000), undefined);
    assert.equal(signer.unsignTimestamped(signer.sign('42'), 60, now), undefined);
    const altered = token.replace(/^42/, '43');
    assert.equal(signer.unsignTimestamped(altered, 60, now), undefined);
    assert.equal(signer.unsignTimestamped(signer.signTimestamped('a.b'), 1), 'a.b');
  });

  test('a missing key or salt is refused', () => {
    assert.throws(() => new Signer('', { salt: 'x' }), /secret key/);
    assert.throws(() => new Signer(KEY, { salt: '' }), /salt/);
  });
});
