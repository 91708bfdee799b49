/**
 * Signed values: a value plus an HMAC-SHA256 of it, so a value the app handed out (a session
 * id, a password-reset token, a `next` URL) comes back unchanged or is refused. The signature
 * is not encryption: the value stays readable.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

/** Options of {@link Signer}. */
export interface SignerOptions {
  /**
   * What the signatures are for, e.g. `'volt.session'` or `'password-reset'`. Each salt gets its
   * own key, so a value signed for one purpose is refused by a signer for another.
   */
  salt: string;
}

const SEPARATOR = '.';

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** How many verified texts a {@link Signer} remembers. */
const VERIFIED_KEPT = 1024;
/** Longer signed texts (not cookies or tokens) are verified each time, not remembered. */
const VERIFIED_MAX_LENGTH = 512;

/**
 * Signs values with a key derived from the app's secret key and a salt.
 *
 * @example
 * ```ts
 * const signer = new Signer(app.settings.secretKey, { salt: 'password-reset' });
 * const token = signer.signTimestamped(String(user.id));
 * signer.unsignTimestamped(token, 3600); // '42' within the hour (max age in seconds), else undefined
 * ```
 */
export class Signer {
  /** A KeyObject made once: HMAC with a Buffer key converts it on every call (about 10 µs). */
  readonly #key: KeyObject;
  /**
   * Signed strings this signer has verified, with their values: a session cookie is checked on
   * every request of its session, and the same text under the same key verifies the same way.
   * Only texts that passed are kept, at most {@link VERIFIED_KEPT}, the oldest dropped first.
   */
  readonly #verified = new Map<string, string>();

  constructor(secretKey: string, options: SignerOptions) {
    if (typeof secretKey !== 'string' || secretKey === '')
      throw new TypeError('Signer needs a secret key (settings.secretKey)');
    if (typeof options?.salt !== 'string' || options.salt === '')
      throw new TypeError("Signer needs a salt naming what it signs, e.g. { salt: 'password-reset' }");
    // One key per salt: HMAC(secret, "volt.signer:" + salt).
    this.#key = createSecretKey(
      createHmac('sha256', secretKey).update(`volt.signer:${options.salt}`).digest(),
    );
  }

  #signature(value: string): string {
    return base64url(createHmac('sha256', this.#key).update(value).digest());
  }

  /** `value.signature`, the signature an HMAC-SHA256 of `value` in base64url. */
  sign(value: string): string {
    return `${value}${SEPARATOR}${this.#signature(value)}`;
  }

  /** The value of a string made by {@link sign}, or `undefined` when it was altered (constant-time comparison). */
  unsign(signed: string): string | undefined {
    if (typeof signed !== 'string') return undefined;
    const known = this.#verified.get(signed);
    if (known !== undefined) return known;
    const at = signed.lastIndexOf(SEPARATOR);
    if (at === -1) return undefined;
    const value = signed.slice(0, at);
    const given = Buffer.from(signed.slice(at + 1), 'utf8');
    const expected = Buffer.from(this.#signature(value), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (signed.length <= VERIFIED_MAX_LENGTH) {
      if (this.#verified.size >= VERIFIED_KEPT) this.#verified.delete(this.#verified.keys().next().value!);
      this.#verified.set(signed, value);
    }
    return value;
  }

  /** `value.time.signature` (time in milliseconds, base 36): signs the value with the current time, for {@link unsignTimestamped}. */
  signTimestamped(value: string, now = Date.now()): string {
    return this.sign(`${value}${SEPARATOR}${Math.floor(now).toString(36)}`);
  }

  /**
   * The value of a string made by {@link signTimestamped}, or `undefined` when it was altered
   * or signed more than `maxAge` seconds ago (or more than a minute in the future). `now` is in
   * milliseconds since the epoch, as `Date.now()`.
   */
  unsignTimestamped(signed: string, maxAge: number, now = Date.now()): string | undefined {
    const stamped = this.unsign(signed);
    if (stamped === undefined) return undefined;
    const at = stamped.lastIndexOf(SEPARATOR);
    if (at === -1) return undefined;
    const time = Number.parseInt(stamped.slice(at + 1), 36);
    if (!Number.isSafeInteger(time)) return undefined;
    const age = now - time;
    if (age > maxAge * 1000 || age < -60_000) return undefined;
    return stamped.slice(0, at);
  }
}
