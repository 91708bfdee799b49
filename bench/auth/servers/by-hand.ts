/**
 * What `auth.requireUser` does, written by hand on `node:sqlite` prepared statements, for the
 * bare Fastify and raw `node:http` peers of the auth benchmark. It follows Volt's code step by
 * step on the same database file and secret key:
 *
 * - bearer token (src/auth/tokens.ts `verifyToken`): the `volt_` shape, SHA-256 (hex) of the
 *   token, the row by `key_hash`, its expiry, `last_used` written at most once a minute;
 * - session cookie (src/auth/sessions.ts): the `volt_session` cookie, its HMAC-SHA256 signature
 *   (src/security/signing.ts `Signer`, salt `volt.auth.session`), the record under the SHA-256
 *   of the id, its expiry, then the user's password HMAC kept in the session (`matchesUser`);
 * - then the user row by primary key, which must be active.
 *
 * Sessions have no idle timeout here (Volt's default, `SESSION_IDLE_TIMEOUT=0`), so neither
 * side writes `last_seen`.
 */
import { createHash, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';

/** The user a request authenticates as. */
export interface BenchUser {
  id: number;
  username: string;
}

const TOKEN_SHAPE = /^volt_[A-Za-z0-9_-]{43}$/;
const BEARER = /^bearer\s/i;
const COOKIE = 'volt_session=';
const LAST_USED_RESOLUTION = 60_000;

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Opens the file with Volt's SQLite pragmas and prepares the lookups. */
export function handAuth(file: string, secretKey: string) {
  if (!secretKey) throw new Error('SECRET_KEY is required');
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA synchronous = NORMAL');
  const tokenByHash = db.prepare(
    'select id, user_id, expires_at, last_used from auth_token where key_hash = ?',
  );
  const touchToken = db.prepare('update auth_token set last_used = ? where id = ?');
  const sessionByKey = db.prepare('select user_id, data, expires_at from auth_session where key = ?');
  const userById = db.prepare('select * from auth_user where id = ?');
  // The keys Volt derives (Signer's per-salt keys: the session cookie's, Sessions' user hash), as KeyObjects made
  // once: keying each HMAC with a Buffer converts the key on every call (~10 µs each).
  const signingKey = createSecretKey(
    createHmac('sha256', secretKey).update('volt.signer:volt.auth.session').digest(),
  );
  const userHashKey = createSecretKey(
    createHmac('sha256', secretKey).update('volt.signer:volt.auth.user-hash').digest(),
  );

  const activeUser = (id: string | null | undefined): Record<string, unknown> | undefined => {
    if (id === null || id === undefined) return undefined;
    const value = Number(id);
    if (!Number.isSafeInteger(value)) return undefined;
    const row = userById.get(value);
    return row && row.is_active === 1 ? row : undefined;
  };

  const byToken = (header: string): BenchUser | undefined => {
    const token = header.replace(/^bearer\s+/i, '').trim();
    if (token.length > 64 || !TOKEN_SHAPE.test(token)) return undefined;
    const row = tokenByHash.get(createHash('sha256').update(token, 'utf8').digest('hex'));
    if (!row) return undefined;
    const now = Date.now();
    if (row.expires_at !== null && Date.parse(row.expires_at as string) <= now) return undefined;
    if (row.last_used === null || now - Date.parse(row.last_used as string) >= LAST_USED_RESOLUTION)
      touchToken.run(new Date(now).toISOString(), row.id as number);
    const user = activeUser(row.user_id as string);
    return user && { id: user.id as number, username: user.username as string };
  };

  const bySession = (header: string): BenchUser | undefined => {
    const start = header.indexOf(COOKIE);
    if (start === -1) return undefined;
    const end = header.indexOf(';', start);
    const signed = header.slice(start + COOKIE.length, end === -1 ? undefined : end).trim();
    const dot = signed.lastIndexOf('.');
    if (dot === -1) return undefined;
    const id = signed.slice(0, dot);
    const expected = createHmac('sha256', signingKey).update(id).digest('base64url');
    if (!sameBytes(Buffer.from(signed.slice(dot + 1)), Buffer.from(expected))) return undefined;
    const session = sessionByKey.get(createHash('sha256').update(id, 'utf8').digest('hex'));
    if (!session || Date.parse(session.expires_at as string) <= Date.now()) return undefined;
    const user = activeUser(session.user_id as string | null);
    if (!user) return undefined;
    const kept = (JSON.parse(session.data as string) as Record<string, unknown>)._authHash;
    const current = createHmac('sha256', userHashKey)
      .update(user.password as string)
      .digest('base64url');
    if (typeof kept !== 'string' || !sameBytes(Buffer.from(kept), Buffer.from(current))) return undefined;
    return { id: user.id as number, username: user.username as string };
  };

  return {
    /**
     * The user of a request: by bearer token when the header names one (an invalid token is
     * `undefined`, no fallback to the cookie, as in Volt), else by session cookie.
     */
    authenticate(authorization: string | undefined, cookie: string | undefined): BenchUser | undefined {
      if (authorization !== undefined && BEARER.test(authorization)) return byToken(authorization);
      return cookie === undefined ? undefined : bySession(cookie);
    },
    close: () => db.close(),
  };
}

/** The 401 problem both peers answer, as Volt does. */
export const UNAUTHORIZED = JSON.stringify({
  type: 'about:blank',
  title: 'Unauthorized',
  status: 401,
  detail: 'Authentication is required: log in or send a bearer token.',
});
