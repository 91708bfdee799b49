/**
 * Random bytes for values made on every request (a CSP nonce, a CSRF token's mask), drawn
 * from the operating system's CSPRNG a few kilobytes at a time instead of one call each: the
 * same bytes `randomBytes()` gives, at a fraction of the cost. The pool is private to this
 * module; callers get copies or text, never a view of it, and no byte is handed out twice.
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/** Where the next `size` fresh bytes start in the pool (refilled when too few are left). */
function take(size: number): number {
  if (size > POOL_SIZE) throw new RangeError(`random: at most ${POOL_SIZE} bytes at a time`);
  if (offset + size > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += size;
  return start;
}

/** `size` random bytes as text, as `randomBytes(size).toString(encoding)` gives. */
export function randomText(size: number, encoding: 'base64' | 'base64url' | 'hex'): string {
  const start = take(size);
  const text = pool.toString(encoding, start, start + size);
  pool.fill(0, start, start + size);
  return text;
}

/** Fills `target` with random bytes, as `randomFillSync(target)` does. */
export function fillRandom(target: Buffer): Buffer {
  const start = take(target.length);
  pool.copy(target, 0, start, start + target.length);
  pool.fill(0, start, start + target.length);
  return target;
}
