/**
 * Device cookies (OWASP's defence against lockouts used as denial of service): a successful
 * login gives the browser a signed cookie naming the user. Later attempts on that username
 * that carry it are counted per device, not against the username's lockout, so someone
 * failing at a user's password from elsewhere cannot keep the user out of their own browser.
 */
import { randomBytes } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Settings } from '../http/settings.ts';
import { Signer } from '../security/signing.ts';

/** How long a device stays trusted after its last login: a year, in seconds. */
const MAX_AGE = 365 * 24 * 3600;

/**
 * Issues and reads the device cookie of an app: `<SESSION_COOKIE_NAME>_device`, `HttpOnly`,
 * `SameSite=Lax`, `Secure` like the session cookie, holding `<username>.<random id>` signed
 * with `SECRET_KEY`.
 *
 * @example
 * ```ts
 * const devices = new DeviceCookies(app.settings, '/auth');
 * devices.issue(ctx.reply, 'ada');          // at a successful login
 * devices.deviceOf(ctx.request, 'ada');     // the device's id, or undefined
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
    this.#signer = new Signer(settings.secretKey, { salt: 'volt.auth.device' });
  }

  /**
   * The id of the request's device when it carries a valid device cookie naming `username`
   * (compared case-insensitively, as logins are throttled), else `undefined`.
   */
  deviceOf(request: FastifyRequest, username: string): string | undefined {
    const header = request.headers.cookie;
    if (header === undefined || !header.includes(`${this.name}=`)) return undefined;
    const value = parseCookie(header)[this.name];
    const signed = value === undefined ? undefined : this.#signer.unsign(value);
    if (signed === undefined) return undefined;
    const [named, id] = signed.split('.');
    if (named !== encode(username) || !id) return undefined;
    return id;
  }

  /** Sets a new device cookie naming `username` (a new id: the old device's count stays with it). */
  issue(reply: FastifyReply, username: string): void {
    const id = randomBytes(16).toString('base64url');
    reply.header(
      'set-cookie',
      stringifySetCookie({
        name: this.name,
        value: this.#signer.sign(`${encode(username)}.${id}`),
        path: this.#path,
        httpOnly: true,
        sameSite: 'lax',
        secure: this.#secure,
        maxAge: MAX_AGE,
      }),
    );
  }
}

/** The username as the cookie holds it: lower-cased, base64url (no `.` in it). */
function encode(username: string): string {
  return Buffer.from(username.toLowerCase(), 'utf8').toString('base64url');
}
