/**
 * The pooled random bytes behind CSP nonces and CSRF masks: the sizes and encodings asked for,
 * no value handed out twice, across refills of the pool.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fillRandom, randomText } from '../../src/security/random.ts';

describe('random', () => {
  test('randomText gives the size and encoding asked for, never the same value twice', () => {
    const seen = new Set<string>();
    // 10,000 × 16 bytes: the pool is refilled dozens of times.
    for (let i = 0; i < 10_000; i++) {
      const nonce = randomText(16, 'base64');
      assert.equal(Buffer.from(nonce, 'base64').length, 16);
      assert.ok(!seen.has(nonce), 'a nonce came out twice');
      seen.add(nonce);
    }
    assert.match(randomText(32, 'base64url'), /^[A-Za-z0-9_-]{43}$/);
    assert.match(randomText(8, 'hex'), /^[0-9a-f]{16}$/);
  });

  test('fillRandom fills the whole buffer given and returns it; bytes differ from one call to the next', () => {
    const a = fillRandom(Buffer.alloc(32));
    const b = fillRandom(Buffer.alloc(32));
    assert.equal(a.length, 32);
    assert.notDeepEqual(a, b);
    assert.notDeepEqual(a, Buffer.alloc(32));
    // Over many buffers every byte value shows up: the bytes are not stuck or zeroed.
    const counts = new Set<number>();
    for (let i = 0; i < 200; i++) for (const byte of fillRandom(Buffer.alloc(64))) counts.add(byte);
    assert.equal(counts.size, 256);
  });

  test('more than the pool at once is refused with a clear error', () => {
    assert.throws(() => randomText(5000, 'hex'), /at most 4096 bytes/);
  });
});
