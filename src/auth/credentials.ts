/**
 * The one password check of the auth routes: a login, and the current password asked before a
 * sensitive change (a new password, a new email address, an API token). Every check is
 * limited and counted the same way:
 *
 * - from a browser holding a device cookie of that user (it logged in as that user before):
 *   per device only;
 * - from anywhere else: per username, and per client IP (an IPv6 client per /64 network).
 *
 * The username exactly as written: usernames are unique as written (`Alice` and `alice` may be
 * two accounts, as in Django) and a login looks them up exactly, so nothing here folds case. A
 * username no account has is counted the same way, after the same lookup and password hash. A
 * device cookie names the account by username and primary key: it counts only while the
 * username still belongs to that account.
 *
 * Checks on one key run one after another in this process: sent all at once, a burst of
 * parallel guesses would pass the limit before its first failure was counted.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.ts';
import type { Database } from '../orm/database.ts';
import { query } from '../orm/query/queryset.ts';
import { clientKey } from '../security/client-ip.ts';
import { Throttle, type ThrottleStore } from '../security/throttle.ts';
import { saveUserFields } from './config.ts';
import type { DeviceCookies } from './device-cookies.ts';
import type { UserModel } from './models.ts';
import { dummyVerify, type PasswordParams, verifyAndUpgrade } from './passwords.ts';

/** Limits on failed password checks (logins and current passwords alike). */
export interface LoginLimits {
  /** Failed attempts on one username, from clients without its device cookie, before it is locked for them. Default 5. */
  perUser: number;
  /** Failed attempts from one IP (an IPv6 /64), without a device cookie, before it is locked. Default 20. */
  perIp: number;
  /** Failed attempts from one browser holding a device cookie of the user before that browser is locked. Default 5. */
  perDevice: number;
  /** The window, in seconds. Default 15 minutes (900). */
  window: number;
}

/** The default {@link LoginLimits}. */
export const DEFAULT_LOGIN_LIMITS: Readonly<LoginLimits> = Object.freeze({
  perUser: 5,
  perIp: 20,
  perDevice: 5,
  window: 15 * 60,
});

/** The answer to a wrong username or password (the same for each, so neither is revealed). */
export const LOGIN_FAILED = 'Invalid username or password.';

/** The answer to a wrong username or password. */
export function loginFailed(): HttpError {
  return new HttpError(401, {
    code: 'VOLT_AUTH_LOGIN_FAILED',
    detail: LOGIN_FAILED,
    headers: { 'www-authenticate': 'Bearer' },
  });
}

/** The 429 problem of a throttled attempt (`what`: "failed login attempts"). */
function tooManyAttempts(what: string, retryAfter: number): HttpError {
  return new HttpError(429, {
    code: 'VOLT_AUTH_TOO_MANY_ATTEMPTS',
    detail: `Too many ${what}. Try again in ${retryAfter} seconds.`,
    headers: { 'retry-after': String(retryAfter) },
  });
}

/** What a {@link CredentialCheck} needs. */
export interface CredentialCheckOptions {
  db: () => Database;
  user: UserModel;
  passwordParams: Partial<PasswordParams> | undefined;
  limits: LoginLimits;
  store: ThrottleStore;
  devices: DeviceCookies;
}

type Limit = readonly [Throttle, string];

/** Checks passwords under the limits; see the module comment. Made by `auth()`. */
export class CredentialCheck {
  readonly #options: CredentialCheckOptions;
  readonly #perUser: Throttle;
  readonly #perIp: Throttle;
  readonly #perDevice: Throttle;
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: CredentialCheckOptions) {
    this.#options = options;
    const { limits, store } = options;
    this.#perUser = new Throttle({ limit: limits.perUser, window: limits.window, store });
    this.#perIp = new Throttle({ limit: limits.perIp, window: limits.window, store });
    this.#perDevice = new Throttle({ limit: limits.perDevice, window: limits.window, store });
  }

  /**
   * Checks a login. The same work and answer (401) whether the user exists, is inactive or
   * typed a wrong password; 429 while locked. Resolves to the user row.
   */
  async login(request: FastifyRequest, username: string, password: string): Promise<Record<string, any>> {
    const { db, user: User, passwordParams } = this.#options;
    // No username holds a NUL, and PostgreSQL refuses one in a query: no user, no query.
    const find = async () =>
      username.includes('\0')
        ? undefined
        : ((await query(db(), User)
            .filter({ username } as never)
            .first()) as Record<string, any> | undefined);
    // A browser whose device cookie names this username: the account is looked up first, and
    // the cookie counts only if it names that account's key too (a username given up and taken
    // by another account brings no trust along). Anyone else is limited before any lookup, so a
    // locked-out client costs no query.
    const cookie = this.#options.devices.deviceOf(request, username);
    let row = cookie ? await find() : undefined;
    const device = cookie && row && this.#idOf(row) === cookie.userId ? cookie.id : undefined;
    const ok = await this.#attempt(request, username, device, 'failed login attempts', async () => {
      if (!cookie) row = await find();
      // The same work whether the user exists or not: no answer or timing tells them apart.
      const checked = row
        ? await verifyAndUpgrade(password, row.password, passwordParams)
        : { ok: await dummyVerify(password, passwordParams), newHash: undefined };
      if (!row || !checked.ok || !row.isActive) return false;
      if (checked.newHash) {
        await saveUserFields(db(), User, row[User.meta.pk.attribute], { password: checked.newHash });
        row.password = checked.newHash;
      }
      return true;
    });
    if (!ok || !row) throw loginFailed();
    return row;
  }

  /**
   * Checks the current password of the logged-in user `row` before a sensitive change: a
   * 400 on `body.<field>` when it is missing or wrong, 429 while locked.
   */
  async confirm(
    request: FastifyRequest,
    row: Record<string, any>,
    password: string | undefined,
    field = 'currentPassword',
  ): Promise<void> {
    const wrong = (msg: string, type: string) =>
      new HttpError(400, {
        code: 'VOLT_AUTH_PASSWORD_CONFIRMATION',
        detail: msg,
        errors: [{ loc: ['body', field], msg, type }],
      });
    if (password === undefined)
      throw wrong('The current password is required for this change.', 'password_required');
    const cookie = this.#options.devices.deviceOf(request, String(row.username));
    const device = cookie?.userId === this.#idOf(row) ? cookie.id : undefined;
    const ok = await this.#attempt(request, String(row.username), device, 'failed attempts', async () => {
      const checked = await verifyAndUpgrade(password, row.password, this.#options.passwordParams);
      return checked.ok;
    });
    if (!ok) throw wrong('The current password is incorrect.', 'password_incorrect');
  }

  /** Lifts the lockout of the user `row` for clients without its device cookie (after a reset). */
  async unlock(row: Record<string, any>): Promise<void> {
    await this.#perUser.reset(userKey(String(row.username)));
  }

  /** The primary key of the user `row`, as text (what device cookies hold). */
  #idOf(row: Record<string, any>): string {
    return String(row[this.#options.user.meta.pk.attribute]);
  }

  /** Runs one check under the limits of the request's client; counts a `false`. */
  #attempt(
    request: FastifyRequest,
    username: string,
    device: string | undefined,
    what: string,
    check: () => Promise<boolean>,
  ): Promise<boolean> {
    const limits: Limit[] = device
      ? [[this.#perDevice, `login:device:${device}`]]
      : [
          [this.#perUser, userKey(username)],
          [this.#perIp, `login:ip:${clientKey(request.ip)}`],
        ];
    return this.#oneAtATime(
      limits.map(([, key]) => key),
      async () => {
        for (const [throttle, key] of limits) {
          const verdict = await throttle.check(key);
          if (!verdict.allowed) throw tooManyAttempts(what, verdict.retryAfter);
        }
        const ok = await check();
        if (!ok) for (const [throttle, key] of limits) await throttle.fail(key);
        // A success clears the count it was checked against: the username's, or the device's
        // (a login on a trusted device leaves the username's count to the clients that made it).
        else await limits[0]![0].reset(limits[0]![1]);
        return ok;
      },
    );
  }

  /**
   * Runs `attempt` after every earlier attempt holding any of `keys` ended. Keys are always
   * taken in the same order (username or device, then IP): no two attempts wait in a circle.
   */
  #oneAtATime<T>(keys: readonly string[], attempt: () => Promise<T>): Promise<T> {
    if (keys.length === 0) return attempt();
    const [key, ...rest] = keys as [string, ...string[]];
    const run = (this.#queues.get(key) ?? Promise.resolve()).then(() => this.#oneAtATime(rest, attempt));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(key, settled);
    return run.finally(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
  }
}

/** The throttle key of one username's failures: the username exactly as written. */
function userKey(username: string): string {
  return `login:user:${username}`;
}
