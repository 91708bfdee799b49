/**
 * Password reset tokens: `<uid>.<timestamp>.<hmac>`, stateless and single use.
 *
 * Nothing is stored. The HMAC covers the user's id, the time the token was made, the user's
 * password hash, last login and email address: setting a new password (or logging in) changes
 * what the HMAC covers, so every token made before stops working — a token is single use
 * without a table — and so does a new address (a link mailed to the old one is void).
 */
import { Signer } from '../security/signing.ts';

/** The user fields a reset token depends on. */
export interface ResetTokenUser {
  /** The primary key (any type; it is stringified). */
  id: string | number | bigint;
  /** The stored password hash ('' for a user without a usable password). */
  password: string;
  /** The last login (a `Date`, ISO string or ms), or `null` for never. */
  lastLogin: Date | string | number | null;
  /** The email address the link is mailed to; a new one voids earlier tokens. */
  email?: string | null;
}

/** Options of {@link checkResetToken}. */
export interface CheckResetTokenOptions {
  /** How long a token is valid, in seconds. Default 3600 (one hour). */
  maxAgeSeconds?: number;
  /** The current time in ms (for tests). Default `Date.now()`. */
  now?: number;
}

// The Signer's salt: its key is derived from SECRET_KEY and this salt, so a MAC made for another
// purpose with the same secret can never pass as a reset token.
const SALT = 'volt.auth.reset-tokens';
const MAX_TOKEN_LENGTH = 256;
const MAX_UID_PART = 128;
const TOKEN_SHAPE = /^([A-Za-z0-9_-]{1,128})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;
/** A token dated a little in the future is accepted (clocks of several servers differ). */
const CLOCK_SKEW_SECONDS = 60;

/** The signer of the last secret key used: its key is derived once, not per token. */
let cached: { secretKey: string; signer: Signer } | undefined;

function signerFor(secretKey: string): Signer {
  if (typeof secretKey !== 'string' || secretKey === '')
    throw new TypeError('Reset tokens need the SECRET_KEY setting (settings.secretKey)');
  if (cached?.secretKey !== secretKey) cached = { secretKey, signer: new Signer(secretKey, { salt: SALT }) };
  return cached.signer;
}

function lastLoginMs(value: ResetTokenUser['lastLogin']): string {
  if (value === null || value === undefined) return '';
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? String(ms) : '';
}

/** What the token's MAC covers. */
function payload(uid: string, timestamp: string, user: ResetTokenUser): string {
  // JSON of a list: no two different inputs serialize alike, whatever the password hash holds.
  return JSON.stringify([
    uid,
    timestamp,
    String(user.password ?? ''),
    lastLoginMs(user.lastLogin),
    String(user.email ?? ''),
  ]);
}

/**
 * A URL-safe password reset token for `user`: `<uid base64url>.<timestamp base36>.<hmac>`.
 * Put it in the link you mail; {@link checkResetToken} verifies it.
 *
 * @example
 * ```ts
 * const token = makeResetToken(settings.secretKey, user);
 * const link = `${settings.siteUrl}/reset/${token}`;
 * ```
 */
export function makeResetToken(secretKey: string, user: ResetTokenUser, now: number = Date.now()): string {
  const uid = Buffer.from(String(user.id), 'utf8').toString('base64url');
  if (uid.length > MAX_UID_PART) throw new TypeError('A user id for a reset token must be at most 96 bytes');
  const timestamp = Math.floor(now / 1000).toString(36);
  const signer = signerFor(secretKey);
  const covered = payload(uid, timestamp, user);
  // `covered.signature`: the token carries only the signature (base64url HMAC-SHA256).
  const mac = signer.sign(covered).slice(covered.length + 1);
  return `${uid}.${timestamp}.${mac}`;
}

/**
 * Whether `token` is a valid reset token for `user`: made for this user, with this password
 * hash, last login and email, less than `maxAgeSeconds` old. Compares in constant time; never throws
 * on a malformed token (only on a missing secret key).
 *
 * @example
 * ```ts
 * const id = resetTokenUserId(token);
 * const user = id === undefined ? undefined : await query(db, User).filter({ id: Number(id) }).first();
 * if (!user || !checkResetToken(settings.secretKey, user, token)) throw new HttpError(400, 'This link is invalid or has expired');
 * ```
 */
export function checkResetToken(
  secretKey: string,
  user: ResetTokenUser,
  token: unknown,
  options: CheckResetTokenOptions = {},
): boolean {
  // First: a missing secret key is a configuration error, whatever the token.
  const signer = signerFor(secretKey);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return false;
  const parts = TOKEN_SHAPE.exec(token);
  if (!parts) return false;
  const [, uid, timestamp, given] = parts as unknown as [string, string, string, string];
  if (uid !== Buffer.from(String(user.id), 'utf8').toString('base64url')) return false;
  const made = Number.parseInt(timestamp, 36);
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const maxAge = options.maxAgeSeconds ?? 3600;
  if (!Number.isSafeInteger(made) || made > now + CLOCK_SKEW_SECONDS || now - made > maxAge) return false;
  return signer.unsign(`${payload(uid, timestamp, user)}.${given}`) !== undefined;
}

/**
 * The user id a reset token names (as the string it was made from), or `undefined` when the
 * token is malformed. Says nothing about validity: look the user up, then call
 * {@link checkResetToken}. Never throws.
 *
 * @example
 * ```ts
 * resetTokenUserId(makeResetToken(key, { id: 42, password: 'x', lastLogin: null })); // '42'
 * ```
 */
export function resetTokenUserId(token: unknown): string | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = TOKEN_SHAPE.exec(token);
  if (!parts) return undefined;
  const uid = parts[1]!;
  const bytes = Buffer.from(uid, 'base64url');
  // Only the one canonical spelling: a token cannot name the same user two ways.
  if (bytes.toString('base64url') !== uid) return undefined;
  const id = bytes.toString('utf8');
  if (Buffer.from(id, 'utf8').toString('base64url') !== uid || id === '') return undefined;
  return id;
}
