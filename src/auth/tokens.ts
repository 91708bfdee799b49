/**
 * API tokens: long random secrets a client sends as `Authorization: Bearer volt_…`. Only their
 * SHA-256 is stored (`auth.Token.keyHash`), so the table never holds a usable token; the token
 * itself is shown once, when created.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Database, query, ValidationError } from '../orm/index.ts';
import { orUndefined } from './found.ts';
import { Token } from './models.ts';

/** What every token starts with, so leaked ones are easy to scan for. */
export const TOKEN_PREFIX = 'volt_';

/** How many characters of a token are kept to show it in a list (`volt_AbCdEfG`). */
const DISPLAY_LENGTH = 12;
/** `volt_` and 32 random bytes in base64url (43 characters). */
const TOKEN_SHAPE = /^volt_[A-Za-z0-9_-]{43}$/;
const MAX_TOKEN_LENGTH = 64;
/** lastUsed is written at most this often per token, so verifying is a read, not a write. */
const LAST_USED_RESOLUTION = 60_000;

/** A stored token, without its hash: what lists and `verifyToken` return. */
export interface TokenRecord {
  /** The token's id, for revoking it. */
  id: number;
  /** The name its owner gave it (`deploy script`). */
  name: string;
  /** Its first characters (`volt_AbCdEfG`), to recognise it in a list. */
  prefix: string;
  /** The owning user's primary key, as a string. */
  userId: string;
  /** When it was created. */
  created: Date;
  /** When it stops working, or `null` for never. */
  expiresAt: Date | null;
  /** When it was last verified (to the minute), or `null`. */
  lastUsed: Date | null;
}

/** Options of {@link createToken}. */
export interface CreateTokenOptions {
  /** A name to recognise it by, up to 100 characters. */
  name: string;
  /** Seconds until it expires (fractions allowed); none means it never does. */
  expiresIn?: number;
}

const COLUMNS = ['id', 'name', 'prefix', 'userId', 'created', 'expiresAt', 'lastUsed'] as const;

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function toRecord(row: Record<(typeof COLUMNS)[number], unknown>): TokenRecord {
  return {
    id: Number(row.id),
    name: row.name as string,
    prefix: row.prefix as string,
    userId: row.userId as string,
    created: row.created as Date,
    expiresAt: row.expiresAt as Date | null,
    lastUsed: row.lastUsed as Date | null,
  };
}

/**
 * Creates a token for a user. Returns the token — give it to the user now, it cannot be shown
 * again — and its record. A bad name or `expiresIn` is a `ValidationError` (422).
 *
 * @example
 * ```ts
 * const { token, record } = await createToken(db, String(user.id), { name: 'CI', expiresIn: 90 * 86_400 }); // 90 days, in seconds
 * // token: 'volt_Xq3…' (48 characters); record.prefix: 'volt_Xq3…' (12)
 * ```
 */
export async function createToken(
  db: Database,
  userId: string | number | bigint,
  options: CreateTokenOptions,
): Promise<{ token: string; record: TokenRecord }> {
  const { expiresIn } = options;
  if (
    expiresIn !== undefined &&
    (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0)
  )
    throw new ValidationError([
      { loc: ['expiresIn'], msg: 'must be a number of seconds above 0', type: 'greater_than' },
    ]);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row = await query(db, Token).create({
    keyHash: hashToken(token),
    prefix: token.slice(0, DISPLAY_LENGTH),
    name: options.name,
    userId: String(userId),
    expiresAt: expiresIn === undefined ? null : new Date(Date.now() + Math.round(expiresIn * 1000)),
  });
  return { token, record: toRecord(row) };
}

/**
 * The record of a valid token, or `undefined` when it is unknown, malformed, too long or
 * expired. Looks the token up by its hash (a unique index); updates `lastUsed` at most once a
 * minute.
 *
 * @example
 * ```ts
 * const bearer = /^Bearer (.+)$/.exec(ctx.headers.authorization ?? '')?.[1];
 * const record = bearer ? await verifyToken(db, bearer) : undefined;
 * if (!record) throw new HttpError(401, { headers: { 'WWW-Authenticate': 'Bearer' } });
 * ```
 */
export async function verifyToken(db: Database, token: unknown): Promise<TokenRecord | undefined> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token))
    return undefined;
  // get() by a unique column takes the ORM's cached single-row plan (this runs on every request).
  const row = await orUndefined(query(db, Token).get({ keyHash: hashToken(token) }));
  if (!row) return undefined;
  const record = toRecord(row);
  const now = Date.now();
  if (record.expiresAt && record.expiresAt.getTime() <= now) return undefined;
  if (!record.lastUsed || now - record.lastUsed.getTime() >= LAST_USED_RESOLUTION) {
    record.lastUsed = new Date(now);
    await query(db, Token).filter({ id: record.id }).update({ lastUsed: record.lastUsed });
  }
  return record;
}

/**
 * A user's tokens, newest first, never with their hash.
 *
 * @example
 * ```ts
 * const tokens = await listTokens(db, String(user.id)); // [{ id, name, prefix, created, expiresAt, lastUsed, userId }]
 * ```
 */
export async function listTokens(db: Database, userId: string | number | bigint): Promise<TokenRecord[]> {
  const rows = await query(db, Token)
    .filter({ userId: String(userId) })
    .orderBy('-created', '-id')
    .values(...COLUMNS);
  return rows.map(toRecord);
}

/**
 * Deletes one of a user's tokens; `false` when the user has no token with that id (another
 * user's token is never touched).
 *
 * @example
 * ```ts
 * if (!(await revokeToken(db, String(user.id), ctx.params.id))) throw new HttpError(404);
 * ```
 */
export async function revokeToken(
  db: Database,
  userId: string | number | bigint,
  id: number | string,
): Promise<boolean> {
  const key = typeof id === 'string' && /^\d{1,15}$/.test(id) ? Number(id) : id;
  if (typeof key !== 'number' || !Number.isSafeInteger(key)) return false;
  return (
    (await query(db, Token)
      .filter({ id: key, userId: String(userId) })
      .delete()) > 0
  );
}

/**
 * Deletes every token of a user (on a password change or deactivation, say); returns how many.
 *
 * @example
 * ```ts
 * await revokeUserTokens(db, String(user.id));
 * ```
 */
export async function revokeUserTokens(db: Database, userId: string | number | bigint): Promise<number> {
  return query(db, Token)
    .filter({ userId: String(userId) })
    .delete();
}
