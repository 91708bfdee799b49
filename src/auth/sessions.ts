/**
 * Server-side sessions on the request path: the signed cookie, loading the record once per
 * request, creating, rotating and ending sessions, and the session's CSRF token.
 *
 * The cookie holds an opaque random id (32 bytes) and its signature; the store holds the
 * record under the SHA-256 of the id, so neither a forged cookie nor a leaked store gives a
 * live session.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Settings } from '../http/settings.ts';
import { fillRandom } from '../security/random.ts';
import { Signer } from '../security/signing.ts';
import { type SessionRecord, type SessionStore, sessionKey } from './session-store.ts';

/** Session data keys Volt itself uses; applications should leave them alone. */
const USER_HASH = '_authHash';
const CSRF = '_csrf';
/** When the user last typed their password in this session (ms epoch): the login. */
const AUTH_AT = '_authAt';

/**
 * How often (ms) a session's `lastSeen` is written back when an idle timeout is set; more often
 * for a timeout under two minutes (half of it), else a session in use would look idle.
 */
const TOUCH_EVERY = 60_000;

/** The session of one request, as loaded (or created) by {@link Sessions}. */
export interface RequestSession {
  /** The record in the store, or `undefined` when the request has no valid session. */
  record: SessionRecord | undefined;
  /** The store key (SHA-256 of the id) of the record. */
  key: string | undefined;
}

function newId(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Whether a `Cookie` header holds a cookie named exactly `name`: at the start of the header or
 * after `;` (and spaces), so `xvolt_session=…` or a value holding `volt_session=` is not it.
 */
export function hasCookieNamed(header: string | undefined, name: string): boolean {
  if (header === undefined) return false;
  const needle = `${name}=`;
  for (let at = header.indexOf(needle); at !== -1; at = header.indexOf(needle, at + 1)) {
    let before = at - 1;
    while (before >= 0 && (header[before] === ' ' || header[before] === '\t')) before--;
    if (before < 0 || header[before] === ';') return true;
  }
  return false;
}

/** Compares two strings in time independent of where they differ. */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The sessions of an app: reads the cookie, loads the record (once per request), and writes
 * new or changed sessions back with their cookie.
 */
export class Sessions {
  readonly store: SessionStore;
  readonly #settings: Settings;
  readonly #signer: Signer;
  /** Signs password hashes: the session keeps the signature, never the hash. */
  readonly #userHasher: Signer;
  readonly #loaded = new WeakMap<FastifyRequest, Promise<RequestSession>>();

  constructor(store: SessionStore, settings: Settings) {
    this.store = store;
    this.#settings = settings;
    this.#signer = new Signer(settings.secretKey, { salt: 'volt.auth.session' });
    this.#userHasher = new Signer(settings.secretKey, { salt: 'volt.auth.user-hash' });
  }

  /** The cookie's name. */
  get cookieName(): string {
    return this.#settings.sessionCookieName;
  }

  /** Whether the request carries a session cookie at all (valid or not); no store access. */
  hasCookie(request: FastifyRequest): boolean {
    return hasCookieNamed(request.headers.cookie, this.cookieName);
  }

  /** The request's session, loaded from the store on first call and shared afterwards. */
  load(request: FastifyRequest): Promise<RequestSession> {
    let loaded = this.#loaded.get(request);
    if (!loaded) {
      loaded = this.#read(request);
      this.#loaded.set(request, loaded);
    }
    return loaded;
  }

  async #read(request: FastifyRequest): Promise<RequestSession> {
    const header = request.headers.cookie;
    const value = header ? parseCookie(header)[this.cookieName] : undefined;
    const id = value ? this.#signer.unsign(value) : undefined;
    if (!id) return { record: undefined, key: undefined };
    const key = sessionKey(id);
    const record = await this.store.get(key);
    if (!record) return { record: undefined, key: undefined };
    const now = Date.now();
    const idle = this.#settings.sessionIdleTimeout * 1000;
    if (idle > 0) {
      if (now - record.lastSeen > idle) {
        await this.store.destroy(key);
        return { record: undefined, key: undefined };
      }
      if (now - record.lastSeen > Math.min(TOUCH_EVERY, idle / 2)) {
        record.lastSeen = now;
        // Only the time: the record read above may be stale by now (another request of the
        // session saved its data meanwhile), and writing it back whole would undo that save.
        if (this.store.touch) await this.store.touch(key, now);
        else await this.store.set(key, record);
      }
    }
    return { record, key };
  }

  /**
   * Starts a new session for the request (a new id, so an id planted before login is worth
   * nothing), carrying over the data of the current one except Volt's own keys — unless the
   * current one belongs to another user — and ends the current one. Sets the cookie.
   */
  async rotate(
    request: FastifyRequest,
    reply: FastifyReply,
    userId: string | null,
    extra: Record<string, unknown> = {},
  ): Promise<RequestSession> {
    const current = await this.load(request);
    const data: Record<string, unknown> = {};
    // An anonymous session's data becomes the user's; another user's data stays with them.
    const owner = current.record?.userId ?? null;
    if (owner === null || owner === userId)
      for (const [name, value] of Object.entries(current.record?.data ?? {}))
        if (!name.startsWith('_')) data[name] = value;
    Object.assign(data, extra, { [CSRF]: newId() });
    if (current.key) await this.store.destroy(current.key);
    const id = newId();
    const key = sessionKey(id);
    const now = Date.now();
    const record: SessionRecord = {
      userId,
      data,
      expiresAt: now + this.#settings.sessionMaxAge * 1000,
      lastSeen: now,
    };
    await this.store.set(key, record);
    const session = { record, key };
    this.#loaded.set(request, Promise.resolve(session));
    reply.header('set-cookie', this.#cookie(this.#signer.sign(id), this.#settings.sessionMaxAge));
    return session;
  }

  /**
   * The request's session, starting an anonymous one (a new id and its cookie) when there is
   * none: for data kept before a login, like a cart. Login keeps that data.
   *
   * @example
   * ```ts
   * const session = await auth.sessions.ensure(ctx.request, ctx.reply);
   * session.record!.data.cart = [...cart, item];
   * await auth.sessions.save(ctx.request);
   * ```
   */
  async ensure(request: FastifyRequest, reply: FastifyReply): Promise<RequestSession> {
    const session = await this.load(request);
    return session.record ? session : this.rotate(request, reply, null);
  }

  /** Ends the request's session (if any) and clears the cookie. */
  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const current = await this.load(request);
    if (current.key) await this.store.destroy(current.key);
    this.#loaded.set(request, Promise.resolve({ record: undefined, key: undefined }));
    reply.header('set-cookie', this.#cookie('', 0));
  }

  /** Writes the record of the request's session back (after changing its `data`). */
  async save(request: FastifyRequest): Promise<void> {
    const current = await this.load(request);
    if (current.key && current.record) await this.store.set(current.key, current.record);
  }

  /**
   * The request's CSRF token, masked with fresh random bytes on each call (so the token never
   * appears twice alike in responses). Without a session it stores nothing: the CSRF check only
   * runs for requests that carry a live session, so the token of a visitor without one (a login
   * or reset form) is a random value no check reads — and no visitor can fill the store.
   */
  async csrfToken(request: FastifyRequest, _reply: FastifyReply): Promise<string> {
    const session = await this.load(request);
    if (!session.record) return mask(newId());
    const record = session.record;
    let secret = record.data[CSRF];
    if (typeof secret !== 'string') {
      secret = newId();
      record.data[CSRF] = secret;
      await this.store.set(session.key!, record);
    }
    return mask(secret as string);
  }

  /** Whether `given` (masked or not) is the CSRF token of the session. */
  csrfMatches(session: RequestSession, given: string): boolean {
    const secret = session.record?.data[CSRF];
    if (typeof secret !== 'string') return false;
    const plain = given.length === secret.length ? given : unmask(given);
    return plain !== undefined && sameText(plain, secret);
  }

  /** The value kept in the session that ties it to the user's current password hash. */
  userHash(passwordHash: string): string {
    // `hash.signature`: only the signature (an HMAC-SHA256 of the hash, base64url) is kept.
    return this.#userHasher.sign(passwordHash).slice(passwordHash.length + 1);
  }

  /** Whether the session was started under the user's current password. */
  matchesUser(session: RequestSession, passwordHash: string): boolean {
    const kept = session.record?.data[USER_HASH];
    return typeof kept === 'string' && this.#userHasher.unsign(`${passwordHash}.${kept}`) !== undefined;
  }

  /** The data to start a logged-in session with (the user just gave their password). */
  loginData(passwordHash: string): Record<string, unknown> {
    return { [USER_HASH]: this.userHash(passwordHash), [AUTH_AT]: Date.now() };
  }

  /** When the session's user last gave their password (ms epoch), or `undefined`. */
  authenticatedAt(session: RequestSession): number | undefined {
    const at = session.record?.data[AUTH_AT];
    return typeof at === 'number' ? at : undefined;
  }

  #cookie(value: string, maxAge: number): string {
    return stringifySetCookie({
      name: this.cookieName,
      value,
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.#settings.sessionCookieSecure,
      maxAge,
    });
  }
}

/** `mask || (mask XOR secret)`, base64url: the same secret reads differently every time. */
function mask(secret: string): string {
  const plain = Buffer.from(secret, 'base64url');
  const out = Buffer.alloc(plain.length * 2);
  const pad = fillRandom(out.subarray(0, plain.length));
  for (let i = 0; i < plain.length; i++) out[plain.length + i] = plain[i]! ^ pad[i]!;
  return out.toString('base64url');
}

function unmask(masked: string): string | undefined {
  if (masked.length > 200 || !/^[\w-]+$/.test(masked)) return undefined;
  const bytes = Buffer.from(masked, 'base64url');
  if (bytes.length % 2 !== 0 || bytes.length === 0) return undefined;
  const half = bytes.length / 2;
  const plain = Buffer.alloc(half);
  for (let i = 0; i < half; i++) plain[i] = bytes[i]! ^ bytes[half + i]!;
  return plain.toString('base64url');
}
