/**
 * Device cookies (OWASP's defence against lockouts used as denial of service): a successful
 * login gives the browser a signed cookie naming the user by primary key. Later attempts on
 * that user that carry it are counted per device, not against the user's lockout, so someone
 * failing at a user's password from elsewhere cannot keep the user out of their own browser.
 * The key, not the username: two accounts never share it (`Alice` and `alice` are two users),
 * and a username given up and taken by someone else does not bring the old owner's devices.
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
 * `SameSite=Lax`, `Secure` like the session cookie, holding `<user id>.<random id>` signed
 * with `SECRET_KEY`.
 *
 * @example
 * ```ts
 * const devices = new DeviceCookies(app.settings, '/auth');
 * devices.issue(ctx.reply, '42');           // at a successful login of the user with id 42
 * devices.deviceOf(ctx.request, '42');      // the device's id, or undefined
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
    // Its own salt: cookies of the earlier format, which named a lower-cased username, are void.
    this.#signer = new Signer(settings.secretKey, { salt: 'volt.auth.device-user' });
  }

  /**
   * The id of the request's device when it carries a valid device cookie naming the user
   * `userId` (the primary key as text, compared exactly), else `undefined`.
   */
  deviceOf(request: FastifyRequest, userId: string): string | undefined {
    const header = request.headers.cookie;
    if (!hasCookieNamed(header, this.name)) return undefined;
    const value = parseCookie(header!)[this.name];
    const signed = value === undefined ? undefined : this.#signer.unsign(value);
    if (signed === undefined) return undefined;
    const [named, id] = signed.split('.');
    if (named !== encode(userId) || !id) return undefined;
    return id;
  }

  /** Sets a new device cookie naming the user `userId` (a new id: the old device's count stays with it). */
  issue(reply: FastifyReply, userId: string): void {
    const id = randomBytes(16).toString('base64url');
    reply.header(
      'set-cookie',
      stringifySetCookie({
        name: this.name,
        value: this.#signer.sign(`${encode(userId)}.${id}`),
        path: this.#path,
        httpOnly: true,
        sameSite: 'lax',
        secure: this.#secure,
        maxAge: MAX_AGE,
      }),
    );
  }
}

/** The user id as the cookie holds it: base64url (no `.` in it), exactly as given. */
function encode(userId: string): string {
  return Buffer.from(userId, 'utf8').toString('base64url');
}
