/**
 * Password hashing with scrypt (node:crypto), stored as `scrypt$N$r$p$salt$hash` (salt and
 * hash in unpadded base64): the parameters travel with each hash, so they can be raised later
 * and old hashes upgraded at the next login (`verifyAndUpgrade`).
 *
 * The defaults (N = 2^15, r = 8, p = 1: 32 MiB of memory) take about 80 ms per hash on the
 * project's 2-core reference machine — slow for a guesser, still fine for a login.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { type Database, query, type Row } from '../orm/index.ts';
import { type PasswordChangeHook, runPasswordChangeHooks, saveUserFields, type UserRow } from './config.ts';
import type { UserModel } from './models.ts';

/** scrypt's cost parameters. */
export interface PasswordParams {
  /** CPU/memory cost, a power of two (default 32768). */
  N: number;
  /** Block size (default 8). */
  r: number;
  /** Parallelization (default 1). */
  p: number;
}

/** The parameters new hashes use: N = 2^15, r = 8, p = 1 (about 80 ms and 32 MiB each). */
export const DEFAULT_PASSWORD_PARAMS: Readonly<PasswordParams> = Object.freeze({ N: 32768, r: 8, p: 1 });

const ALGORITHM = 'scrypt';
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** The prefix of an unusable password: no password matches it. */
const UNUSABLE = '!';

/** `params` over the defaults, checked. */
function withDefaults(params: Partial<PasswordParams> | undefined): PasswordParams {
  return checkParams({ ...DEFAULT_PASSWORD_PARAMS, ...params });
}

function checkParams(params: PasswordParams): PasswordParams {
  const { N, r, p } = params;
  if (!Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0 || N > 2 ** 24)
    throw new RangeError(`scrypt's N must be a power of two from 2 to 2^24, got ${N}`);
  if (!Number.isInteger(r) || r < 1 || r > 64) throw new RangeError(`scrypt's r must be 1 to 64, got ${r}`);
  if (!Number.isInteger(p) || p < 1 || p > 16) throw new RangeError(`scrypt's p must be 1 to 16, got ${p}`);
  return params;
}

function derive(password: string, salt: Buffer, params: PasswordParams, length = KEY_BYTES): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; maxmem leaves room for it (Node's default, 32 MiB, is just short).
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

interface Decoded {
  params: PasswordParams;
  salt: Buffer;
  hash: Buffer;
}

const B64 = /^[A-Za-z0-9+/]+$/u;

/** The parts of an encoded hash, or `undefined` when it is not one this module made. */
function decode(encoded: unknown): Decoded | undefined {
  if (typeof encoded !== 'string' || encoded.startsWith(UNUSABLE)) return undefined;
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== ALGORITHM) return undefined;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  if (!/^\d{1,9}$/u.test(n) || !/^\d{1,3}$/u.test(r) || !/^\d{1,3}$/u.test(p)) return undefined;
  if (!B64.test(salt) || !B64.test(hash)) return undefined;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  try {
    checkParams(params);
  } catch {
    return undefined;
  }
  const decoded = { params, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
  if (decoded.salt.length < 8 || decoded.hash.length < 16 || decoded.hash.length > 64) return undefined;
  return decoded;
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/u, '');
}

/**
 * Hashes `password` with a fresh random salt: `scrypt$32768$8$1$<salt>$<hash>`.
 *
 * @example
 * ```ts
 * const encoded = await hashPassword('correct horse battery staple');
 * await verifyPassword('correct horse battery staple', encoded); // true
 * ```
 */
export async function hashPassword(password: string, options?: Partial<PasswordParams>): Promise<string> {
  if (typeof password !== 'string') throw new TypeError('hashPassword() needs the password as a string');
  const params = withDefaults(options);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params);
  return [ALGORITHM, params.N, params.r, params.p, b64(salt), b64(hash)].join('$');
}

/**
 * `true` when `password` matches `encoded`. The comparison takes the same time wherever the
 * bytes differ (`timingSafeEqual`). An unusable password (`!…`), an empty or malformed hash
 * never matches; a malformed one costs the same work as a real one.
 *
 * @example
 * ```ts
 * if (!(await verifyPassword(body.password, user.password))) throw new HttpError(401);
 * ```
 */
export async function verifyPassword(password: string, encoded: string | null | undefined): Promise<boolean> {
  const decoded = decode(encoded);
  if (!decoded || typeof password !== 'string') {
    await dummyVerify(typeof password === 'string' ? password : '');
    return false;
  }
  const candidate = await derive(password, decoded.salt, decoded.params, decoded.hash.length);
  return timingSafeEqual(candidate, decoded.hash);
}

/** Hashes of a fixed password, one per parameter set, for {@link dummyVerify}. */
const dummies = new Map<string, Promise<Decoded>>();

/**
 * Does the work of one `verifyPassword()` with `params` (the defaults unless given) and returns `false`:
 * call it when the user is unknown, so a login takes as long for a missing user as for a
 * wrong password (which would otherwise tell who has an account).
 *
 * @example
 * ```ts
 * const user = await query(db, User).filter({ username }).first();
 * if (!user) return void (await dummyVerify(password));
 * ```
 */
export async function dummyVerify(password: string, params?: Partial<PasswordParams>): Promise<false> {
  const key = JSON.stringify(params ?? {});
  let made = dummies.get(key);
  if (!made) {
    made = hashPassword('volt dummy password', params).then((encoded) => decode(encoded)!);
    dummies.set(key, made);
  }
  const { salt, hash, params: used } = await made;
  const candidate = await derive(String(password), salt, used, hash.length);
  timingSafeEqual(candidate, hash);
  return false;
}

/**
 * `true` when `encoded` was made with other parameters than `params` (or is not a usable hash
 * at all): hash the password again at the next chance.
 *
 * @example
 * ```ts
 * needsRehash('scrypt$16384$8$1$…', { N: 32768, r: 8, p: 1 }); // true
 * ```
 */
export function needsRehash(encoded: string | null | undefined, options?: Partial<PasswordParams>): boolean {
  const params = withDefaults(options);
  const decoded = decode(encoded);
  if (!decoded) return typeof encoded !== 'string' || !encoded.startsWith(UNUSABLE);
  const { N, r, p } = decoded.params;
  return N !== params.N || r !== params.r || p !== params.p || decoded.hash.length !== KEY_BYTES;
}

/** What {@link verifyAndUpgrade} found. */
export interface VerifyResult {
  /** The password matches. */
  ok: boolean;
  /** A new hash with the current parameters, when the password matched and the old one's differ: save it. */
  newHash?: string;
}

/**
 * Verifies `password`, and when it matches a hash made with other parameters than `params`,
 * hashes it again: save `newHash` in place of the old one (the password is known only now).
 *
 * @example
 * ```ts
 * const { ok, newHash } = await verifyAndUpgrade(password, user.password);
 * if (ok && newHash) await query(db, User).filter({ id: user.id }).update({ password: newHash });
 * ```
 */
export async function verifyAndUpgrade(
  password: string,
  encoded: string | null | undefined,
  params?: Partial<PasswordParams>,
): Promise<VerifyResult> {
  // An unusable or malformed hash costs the work of one of `params`, as an unknown user does:
  // the time of a refusal tells no account without a password from a missing one.
  if (decode(encoded) === undefined) return { ok: await dummyVerify(String(password), params) };
  const ok = await verifyPassword(password, encoded);
  if (!ok || !needsRehash(encoded, params)) return { ok };
  return { ok, newHash: await hashPassword(password, params) };
}

/**
 * A value for the password field that no password matches (`!` and random characters): for
 * users who log in another way, or whose password was taken away.
 *
 * @example
 * ```ts
 * await query(db, User).create({ username: 'sso-user', password: makeUnusablePassword() });
 * ```
 */
export function makeUnusablePassword(): string {
  return `${UNUSABLE}${randomBytes(30).toString('base64url')}`;
}

/** `true` when `encoded` is a hash a password can match (not empty, not unusable, well formed). */
export function isUsablePassword(encoded: string | null | undefined): boolean {
  return decode(encoded) !== undefined;
}

/** Options of {@link setPassword} and {@link savePasswordHash}. */
export interface PasswordChangeOptions {
  /** Hashing parameters (scrypt cost); Volt's defaults otherwise. */
  params?: Partial<PasswordParams> | undefined;
  /** Run after the hash is saved, in its transaction (an auth app's: `users.setPassword()` passes them). */
  hooks?: Iterable<PasswordChangeHook> | undefined;
}

/**
 * Hashes `password` (or, with `null`, makes the password unusable), saves it on `user`, runs
 * the password-change `hooks` given, and resolves to the new hash. Validate the password first
 * (`validatePassword()`): this only stores it. Through an auth app, `users.setPassword(db, row,
 * password)` runs that app's hooks (its sessions of the user end).
 *
 * @example
 * ```ts
 * const user = await query(db, User).get({ username: 'ada' });
 * await setPassword(db, User, user, 'a long new passphrase');
 * ```
 */
export async function setPassword(
  db: Database,
  model: UserModel,
  user: UserRow,
  password: string | null,
  options: PasswordChangeOptions = {},
): Promise<string> {
  const params = options.params;
  const encoded = password === null ? makeUnusablePassword() : await hashPassword(password, params);
  const pk = model.meta.pk.attribute;
  const key = user[pk] ?? user.id;
  if (key === undefined || key === null)
    throw new TypeError(`setPassword() needs a saved user (it has no ${pk})`);
  if (!(await savePasswordHash(db, model, user, encoded, { hooks: options.hooks })))
    throw new Error(`${model.meta.label} ${String(key)} does not exist (any more)`);
  return encoded;
}

/**
 * Saves an already made hash on `user` and runs the password-change hooks, in one
 * transaction. With `expected`, only while the row still holds that hash (compare and set):
 * of two changes racing from the same old password — one reset link confirmed twice at once —
 * one wins and the other changes nothing. Resolves to `false` when no row was changed.
 */
export async function savePasswordHash(
  db: Database,
  model: UserModel,
  user: UserRow,
  encoded: string,
  options: { expected?: string; hooks?: Iterable<PasswordChangeHook> | undefined } = {},
): Promise<boolean> {
  const pk = model.meta.pk;
  const key = user[pk.attribute] ?? user.id;
  // One transaction: a hook that fails in the database (ending sessions, revoking tokens) leaves
  // the old password in place rather than half a change.
  return db.transaction(async (tx) => {
    let updated: number;
    if (options.expected === undefined) {
      updated = await saveUserFields(tx, model, key, { password: encoded });
    } else {
      // The row lock of the UPDATE orders racing changes (PostgreSQL re-reads the row after the
      // first commits; SQLite runs one write transaction at a time): the second finds a new hash.
      const column = model.meta.field('password').column!;
      const result = await tx.kysely
        .updateTable(model.meta.table)
        .set({ [column]: encoded })
        .where(pk.column!, '=', pk.toDb(key as never, tx.dialect) as never)
        .where(column, '=', options.expected)
        .executeTakeFirst();
      updated = Number(result.numUpdatedRows);
    }
    if (updated === 0) return false;
    if (options.hooks) await runPasswordChangeHooks(options.hooks, tx, { ...user, password: encoded }, model);
    return true;
  });
}

/**
 * {@link setPassword} under the name a password-change form reads best with.
 *
 * @example
 * ```ts
 * if (await verifyPassword(body.old, user.password)) await changePassword(db, User, user, body.new);
 * ```
 */
export const changePassword: typeof setPassword = setPassword;

/** What {@link createUser} takes: any fields of the user model, the password in plain text. */
export type NewUser = { readonly username: string; readonly password?: string | null } & Readonly<
  Record<string, unknown>
>;

/**
 * Creates a user in one transaction: the editable fields through the query layer (validated as
 * a request's would be), then the ones requests can never set (`isActive`, `isStaff`,
 * `isSuperuser`, `lastLogin`) and the password, hashed (absent or `null`: unusable). Resolves
 * to the saved row. Validate the password first (`validatePassword()`).
 *
 * @example
 * ```ts
 * const ada = await createUser(db, User, { username: 'ada', email: 'ada@example.com', password: 'a long passphrase' });
 * const root = await createUser(db, User, { username: 'root', password, isStaff: true, isSuperuser: true });
 * ```
 */
export async function createUser<U extends UserModel>(
  db: Database,
  model: U,
  input: NewUser,
  params?: Partial<PasswordParams>,
): Promise<Row<U>> {
  const { password = null, ...fields } = input;
  const encoded = password === null ? makeUnusablePassword() : await hashPassword(password, params);
  const editable: Record<string, unknown> = {};
  const privileged: Record<string, unknown> = { password: encoded };
  for (const [name, value] of Object.entries(fields)) {
    const field = model.meta.hasField(name) ? model.meta.field(name) : undefined;
    if (field && !field.editable && field.column !== null) privileged[name] = value;
    else editable[name] = value;
  }
  return db.transaction(async (tx) => {
    const row = (await query(tx, model).create(editable as never)) as Record<string, unknown>;
    const pk = model.meta.pk.attribute;
    await saveUserFields(tx, model, row[pk], privileged);
    return query(tx, model).get({ [pk]: row[pk] } as never) as Promise<Row<U>>;
  });
}
