/**
 * Device cookies (OWASP's defence against lockouts used as denial of service): a successful
 * login gives the browser a signed cookie naming the user. Later attempts on that username
 * that carry it are counted per device, not against the username's lockout, so someone
 * failing at a user's password from elsewhere cannot keep the user out of their own browser.
 * The cookie names the username exactly as written (`Alice` and `alice` are two accounts) and
 * the account's primary key, so that a username given up and taken by another account does
 * not bring the old owner's devices along.
 */
import { randomBytes } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Settings } from '../http/settings.ts';
import { Signer } from '../security/signing.ts';
import { hasCookieNamed } from './sessions.ts';

/** How long a device stays trusted after its last login: a year, in seconds. */
const MAX_AGE = 365 * 24 * 3600;

/**
 * Issues and reads the device cookie of an app: `<SESSION_COOKIE_NAME>_device`, `HttpOnly`,
 * `SameSite=Lax`, `Secure` like the session cookie, holding `<username>.<user id>.<random id>`
 * signed with `SECRET_KEY`.
 *
 * @example
 * ```ts
 * const devices = new DeviceCookies(app.settings, '/auth');
 * devices.issue(ctx.reply, 'ada', '42');    // at a successful login of ada, whose id is 42
 * devices.deviceOf(ctx.request, 'ada');     // { id, userId: '42' }, or undefined
 * ```
 */
export class DeviceCookies {
  /** The cookie's name. */
  readonly name: string;
  readonly #path: string;
  readonly #secure: boolean;
  readonly #signer: Signer;

  /** `path`: where the browser sends the cookie (the login routes' prefix, `/` for all). */
  constructor(settings: Settings, path = '/') {
    this.name = `${settings.sessionCookieName}_device`;
    // A `__Host-` cookie must have Path=/ (the browser refuses it otherwise).
    this.#path = this.name.startsWith('__Host-') ? '/' : path;
    this.#secure = settings.sessionCookieSecure;
    // Its own salt: cookies of the earlier format, which named only a lower-cased username, are void.
    this.#signer = new Signer(settings.secretKey, { salt: 'volt.auth.device-user' });
  }

  /**
   * The request's device when it carries a valid device cookie naming `username` (compared
   * exactly): its id, and the primary key (as text) of the account it was issued for; else
   * `undefined`. The caller checks that key against the account the username names now.
   */
  deviceOf(request: FastifyRequest, username: string): { id: string; userId: string } | undefined {
    const header = request.headers.cookie;
    if (!hasCookieNamed(header, this.name)) return undefined;
    const value = parseCookie(header!)[this.name];
    const signed = value === undefined ? undefined : this.#signer.unsign(value);
    if (signed === undefined) return undefined;
    const [named, userId, id] = signed.split('.');
    if (named !== encode(username) || userId === undefined || !id) return undefined;
    return { id, userId: decode(userId) };
  }

  /**
   * Sets a new device cookie naming `username` and its account's primary key `userId` (a new
   * id: the old device's count stays with it).
   */
  issue(reply: FastifyReply, username: string, userId: string): void {
    const id = randomBytes(16).toString('base64url');
    reply.header(
      'set-cookie',
      stringifySetCookie({
        name: this.name,
        value: this.#signer.sign(`${encode(username)}.${encode(userId)}.${id}`),
        path: this.#path,
        httpOnly: true,
        sameSite: 'lax',
        secure: this.#secure,
        maxAge: MAX_AGE,
      }),
    );
  }
}

/** Text as the cookie holds it: base64url (no `.` in it), exactly as given. */
function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function decode(text: string): string {
  return Buffer.from(text, 'base64url').toString('utf8');
}
