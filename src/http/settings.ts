/**
 * One typed settings object, read from the environment and `.env`, checked at startup.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseEnv } from 'node:util';
import { DEFAULT_JSON_MAX_ARRAY_LENGTH, DEFAULT_JSON_MAX_DEPTH } from './json-body.ts';
import { maskUrl } from './mask-url.ts';

/** Where the app runs. `production` turns on strict checks. */
export type VoltEnv = 'development' | 'production' | 'test';

/** Log levels of the app's logger. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The app's settings. Every field has an environment variable (in parentheses). */
export interface Settings {
  /** `development`, `production` or `test` (`VOLT_ENV`). Default `development`. */
  env: VoltEnv;
  /** Error details and stack traces in responses (`DEBUG`). Default false; refused in production. */
  debug: boolean;
  /** Key for signing (`SECRET_KEY`). Production requires 50+ characters with 5+ distinct ones. */
  secretKey: string;
  /** Interface to listen on (`HOST`). Default `127.0.0.1`. */
  host: string;
  /** Port to listen on (`PORT`). Default 8000. */
  port: number;
  /** Database location (`DATABASE_URL`). Default `sqlite:./data/app.db`. */
  databaseUrl: string;
  /**
   * PostgreSQL: connections in the app database's pool (`DATABASE_POOL_SIZE`), unless the
   * `database` option names `max`. Default 10.
   */
  databasePoolSize: number;
  /**
   * Prepared statements the app's database keeps (`DATABASE_STATEMENT_CACHE_SIZE`): per
   * connection, least recently used dropped; on PostgreSQL 0 sends every statement unnamed (for
   * PgBouncer before 1.21 in transaction mode). Unless the `database` option names
   * `statementCacheSize`. Default 100 (PostgreSQL), 500 (SQLite).
   */
  databaseStatementCacheSize: number | undefined;
  /**
   * The IANA time zone (`TIME_ZONE`, e.g. `Europe/Paris`) the ORM's `trunc()` and `extract()`
   * read datetimes in, as Django's `TIME_ZONE`; datetimes are stored in UTC whatever it is.
   * Default `UTC`.
   */
  timeZone: string;
  /** Host names the app answers to (`ALLOWED_HOSTS`, comma-separated). Default `localhost,127.0.0.1,[::1]`. */
  allowedHosts: string[];
  /** Log level (`LOG_LEVEL`). Default `info`, `silent` under test. */
  logLevel: LogLevel;
  /** Largest accepted request body in bytes (`BODY_LIMIT`). Default 1 MiB. */
  bodyLimit: number;
  /** Deepest nesting of objects and arrays accepted in a JSON body (`JSON_MAX_DEPTH`). Default 64. */
  jsonMaxDepth: number;
  /** Seconds allowed to receive a whole request, body included (`REQUEST_TIMEOUT`); 0 for no limit. Default 30. */
  requestTimeout: number;
  /** Seconds allowed to receive a request's headers (`HEADERS_TIMEOUT`); at most `requestTimeout`. Default 10 (or `requestTimeout` if lower). */
  headersTimeout: number;
  /**
   * Seconds a connection may pass with no traffic either way before it is closed
   * (`SOCKET_IDLE_TIMEOUT`), e.g. a client that stopped reading its response; 0 for no limit.
   * Also cuts a handler that sends nothing for that long, and an SSE stream whose heartbeat is
   * longer. Default 60.
   */
  socketIdleTimeout: number;
  /** Seconds `close()` waits for in-flight requests before cutting connections (`SHUTDOWN_TIMEOUT`). Default 10. */
  shutdownTimeout: number;
  /** Serve `/openapi.json`, `/docs` and `/redoc` (`DOCS`). Default true. */
  docs: boolean;
  /** Most elements accepted in any one array of a JSON body (`JSON_MAX_ARRAY_LENGTH`). Default 10 000. */
  jsonMaxArrayLength: number;
  /** Most rows a page of a model resource may hold, whatever `limit` asks (`API_MAX_PAGE_SIZE`). Default 100. */
  apiMaxPageSize: number;
  /** The public address of the site, used in links sent by mail (`SITE_URL`), e.g. `https://shop.example.com`. Default: none (links then use the request's checked Host, outside production). */
  siteUrl: string;
  /**
   * Which proxies in front to believe about the client (`TRUST_PROXY`): `false` (none: the
   * socket's address is the client), a hop count (`1`: the right-most `X-Forwarded-For` entry,
   * written by the one proxy in front), or the proxies' addresses and CIDR ranges
   * (`10.0.0.0/8,loopback`). `true` believes every hop, so the client's own left-most entry
   * decides (`volt check --deploy` warns). Default false. Fastify's `trustProxy`.
   */
  trustProxy: TrustProxy;
  /** Seconds of `Strict-Transport-Security` (`HSTS_SECONDS`). Default one year in production, 0 (no header) elsewhere. */
  hstsSeconds: number;
  /** Name of the session cookie (`SESSION_COOKIE_NAME`). Default `volt_session`. */
  sessionCookieName: string;
  /** Send the session cookie only over HTTPS (`SESSION_COOKIE_SECURE`). Default true in production. */
  sessionCookieSecure: boolean;
  /** Seconds a session lives after login (`SESSION_MAX_AGE`). Default two weeks. */
  sessionMaxAge: number;
  /** Seconds without a request after which a session ends (`SESSION_IDLE_TIMEOUT`); 0 for none. Default 0. */
  sessionIdleTimeout: number;
  /** Origins (`https://app.example.com`) allowed to send unsafe requests with the session cookie besides the site itself (`CSRF_TRUSTED_ORIGINS`, comma-separated). Default none. */
  csrfTrustedOrigins: string[];
  /** Where a Redis server is, for the Redis stores (`REDIS_URL`). Default: none. */
  redisUrl: string;
  /** Longest lifetime, in seconds, of an API token made at `POST /auth/tokens` (`API_TOKEN_MAX_AGE`). Default 90 days. */
  apiTokenMaxAge: number;
  /** How mail is sent (`EMAIL_BACKEND`): `console`, `file`, `memory` or `smtp`. Default `console`. */
  emailBackend: 'console' | 'file' | 'memory' | 'smtp';
  /** The SMTP server for `EMAIL_BACKEND=smtp` (`EMAIL_URL`), e.g. `smtps://user:pass@mail.example.com:465`. */
  emailUrl: string;
  /** Folder the `file` backend writes messages to (`EMAIL_FILE_PATH`). Default `./data/mail`. */
  emailFilePath: string;
  /** Sender of mail the app sends (`DEFAULT_FROM_EMAIL`). Default `webmaster@localhost`. */
  defaultFromEmail: string;
}

/** What `TRUST_PROXY` may be: see {@link Settings.trustProxy}. */
export type TrustProxy = boolean | number | string[];

/**
 * `TRUST_PROXY` as Fastify's `trustProxy` option. Fastify treats a bare hop count as "trust
 * nothing" (it cannot tell a proxy from a client that connected directly); Volt keeps the
 * count's meaning, as proxy-addr defines it: the nearest `hops` addresses (the socket's peer
 * first) are proxies. Safe when only the proxies can connect (HOST=127.0.0.1 behind a local
 * proxy, or a private network); otherwise list their addresses.
 *
 * @example
 * ```ts
 * Fastify({ trustProxy: fastifyTrustProxy(settings.trustProxy) });
 * ```
 */
export function fastifyTrustProxy(
  value: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_address, hop) => hop < value : value;
}

/** The stable code of one settings problem (see docs/reference/errors.md). */
export type SettingsProblemCode =
  /** A variable's value cannot be read (`PORT=eighty`, `REQUEST_TIMEOUT=30x`). */
  | 'VOLT_SETTINGS_INVALID_VALUE'
  /** An installed app's required setting is not set. */
  | 'VOLT_SETTINGS_REQUIRED'
  /** Two settings contradict each other (`HEADERS_TIMEOUT` longer than `REQUEST_TIMEOUT`). */
  | 'VOLT_SETTINGS_CONFLICT'
  /** `DEBUG` is on in production. */
  | 'VOLT_SETTINGS_DEBUG_IN_PRODUCTION'
  /** `SECRET_KEY` is missing or too weak for production. */
  | 'VOLT_SETTINGS_WEAK_SECRET_KEY'
  /** `ALLOWED_HOSTS` contains `*` in production. */
  | 'VOLT_SETTINGS_WILDCARD_HOST';

/** One bad setting: its stable code, the variable it concerns and a sentence about it. */
export interface SettingsProblem {
  code: SettingsProblemCode;
  /** The environment variable, e.g. `PORT` (empty when the problem concerns no single one). */
  setting: string;
  message: string;
}

/**
 * Thrown when settings are invalid (code `VOLT_SETTINGS_INVALID`): `issues` lists each bad value
 * with its code, `problems` their messages.
 */
export class SettingsError extends Error {
  readonly code = 'VOLT_SETTINGS_INVALID';
  /** One message per bad value. */
  readonly problems: string[];
  /** One coded problem per bad value, in the order of `problems`. */
  readonly issues: SettingsProblem[];
  constructor(problems: ReadonlyArray<SettingsProblem | string>) {
    const issues = problems.map(
      (p): SettingsProblem =>
        typeof p === 'string' ? { code: 'VOLT_SETTINGS_INVALID_VALUE', setting: '', message: p } : p,
    );
    super(`Invalid settings:\n${issues.map((p) => `  - ${p.message}`).join('\n')}`);
    this.name = 'SettingsError';
    this.issues = issues;
    this.problems = issues.map((p) => p.message);
  }
}

/** A parser's verdict on a bad raw value. */
class Invalid {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

type Parser<T> = (raw: string) => T | Invalid;

/**
 * A bad value as a message shows it: URLs by scheme and host only (a database, mail or Redis
 * URL holds a password), and cut short.
 */
function shown(raw: string): string {
  const value = maskUrl(raw);
  return value.length > 100 ? `${value.slice(0, 100)}…` : value;
}

const asBool: Parser<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  return new Invalid(`must be true or false, got "${shown(raw)}"`);
};

const asInt =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    const n = Number(raw);
    if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
      return new Invalid(`must be a whole number from ${min} to ${max}, got "${shown(raw)}"`);
    }
    return n;
  };

/** Seconds in each unit a duration may be written in. */
const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * A duration as settings write it, in seconds: a number of seconds (`30`, `0.5`) or a number
 * with a unit (`500ms`, `30s`, `15m`, `2h`, `14d`). `undefined` when `raw` is neither.
 *
 * @example
 * ```ts
 * parseDuration('15m'); // 900
 * parseDuration('500ms'); // 0.5
 * parseDuration('30x'); // undefined
 * ```
 */
export function parseDuration(raw: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
  if (!match) return undefined;
  const seconds = Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!;
  // Whole milliseconds: what timers can honour, and no float noise (0.1 * 3 …).
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) / 1000 : undefined;
}

/**
 * A duration setting in seconds (see {@link parseDuration}), from `min` to `max` seconds;
 * `whole` for those sent as whole seconds (a cookie's Max-Age, HSTS's max-age).
 */
const asDuration =
  (min: number, max: number, whole = false): Parser<number> =>
  (raw) => {
    const seconds = parseDuration(raw);
    if (seconds === undefined)
      return new Invalid(
        `must be a duration: seconds (30, 0.5) or a number with a unit ms, s, m, h or d (500ms, 15m, 14d), got "${shown(raw)}"`,
      );
    if (seconds < min || seconds > max)
      return new Invalid(`must be from ${min} to ${max} seconds, got "${shown(raw)}"`);
    if (whole && !Number.isInteger(seconds)) return new Invalid(`must be whole seconds, got "${shown(raw)}"`);
    return seconds;
  };

const asList: Parser<string[]> = (raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const oneOf =
  <T extends string>(values: readonly T[]): Parser<T> =>
  (raw) =>
    (values as readonly string[]).includes(raw)
      ? (raw as T)
      : new Invalid(`must be one of ${values.join(', ')}, got "${shown(raw)}"`);

const asString: Parser<string> = (raw) => raw;

/** proxy-addr's names of address ranges, which Fastify's `trustProxy` accepts in a list. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, a CIDR range (`10.0.0.0/8`, `fd00::/8`) or a named range, else `undefined`. */
function proxyAddress(entry: string): string | undefined {
  if (PROXY_RANGES.includes(entry)) return entry;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return undefined;
  if (bits === undefined) return entry;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max ? entry : undefined;
}

const asTrustProxy: Parser<TrustProxy> = (raw) => {
  const value = raw.trim().toLowerCase();
  if (['true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(value)) return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops <= 100 ? hops : new Invalid(`must be a hop count from 1 to 100, got "${shown(raw)}"`);
  }
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const wrong = entries.filter((entry) => proxyAddress(entry) === undefined);
  if (wrong.length === 0) return entries;
  return new Invalid(
    `must be false, a hop count (1 for one proxy in front), or a comma list of proxy addresses and CIDR ranges (e.g. 10.0.0.0/8,loopback); "${shown(wrong[0]!)}" is none of these`,
  );
};

const asDatabaseUrl: Parser<string> = (raw) =>
  /^(sqlite:|postgres(ql)?:\/\/)/.test(raw)
    ? raw
    : new Invalid(`must start with sqlite: or postgres:// (e.g. sqlite:./data/app.db), got "${shown(raw)}"`);

/**
 * An IANA time zone name Node's Intl knows, spelled canonically (`europe/paris` →
 * `Europe/Paris`). Offsets (`+02:00`) are refused: PostgreSQL reads their sign the other way
 * round. (The ORM checks `connect()`'s `timeZone` alike, in `orm/time-zone.ts`.)
 */
const asTimeZone: Parser<string> = (raw) => {
  const name = raw.trim();
  if (/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/u.test(name))
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    } catch {}
  return new Invalid(
    `must be an IANA time zone name like UTC, Europe/Paris or America/New_York, got "${shown(raw)}"`,
  );
};

const asSiteUrl: Parser<string> = (raw) => {
  if (raw === '') return raw;
  try {
    const url = new URL(raw);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.pathname === '/' && !url.search)
      return url.origin;
  } catch {}
  return new Invalid(`must be an http(s) origin like https://shop.example.com, got "${shown(raw)}"`);
};

const asCookieName: Parser<string> = (raw) =>
  /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(raw)
    ? raw
    : new Invalid(`must be a cookie name (letters, digits, - and _), got "${shown(raw)}"`);

/** The longest timer Node runs (2^31 - 1 ms), in seconds. */
const MAX_TIMER = 2_147_483;

const SOURCES: { [K in keyof Settings]: [env: string, parse: Parser<Settings[K]>] } = {
  env: ['VOLT_ENV', oneOf(['development', 'production', 'test'] as const)],
  debug: ['DEBUG', asBool],
  secretKey: ['SECRET_KEY', asString],
  host: ['HOST', asString],
  port: ['PORT', asInt(0, 65535)],
  databaseUrl: ['DATABASE_URL', asDatabaseUrl],
  databasePoolSize: ['DATABASE_POOL_SIZE', asInt(1, 10_000)],
  databaseStatementCacheSize: ['DATABASE_STATEMENT_CACHE_SIZE', asInt(0, 100_000)],
  timeZone: ['TIME_ZONE', asTimeZone],
  allowedHosts: ['ALLOWED_HOSTS', asList],
  logLevel: ['LOG_LEVEL', oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const)],
  bodyLimit: ['BODY_LIMIT', asInt(1, 2 ** 31)],
  jsonMaxDepth: ['JSON_MAX_DEPTH', asInt(1, 10_000)],
  requestTimeout: ['REQUEST_TIMEOUT', asDuration(0, MAX_TIMER)],
  headersTimeout: ['HEADERS_TIMEOUT', asDuration(0.001, MAX_TIMER)],
  socketIdleTimeout: ['SOCKET_IDLE_TIMEOUT', asDuration(0, MAX_TIMER)],
  shutdownTimeout: ['SHUTDOWN_TIMEOUT', asDuration(0, MAX_TIMER)],
  docs: ['DOCS', asBool],
  jsonMaxArrayLength: ['JSON_MAX_ARRAY_LENGTH', asInt(1, 2 ** 31)],
  apiMaxPageSize: ['API_MAX_PAGE_SIZE', asInt(1, 10_000)],
  siteUrl: ['SITE_URL', asSiteUrl],
  trustProxy: ['TRUST_PROXY', asTrustProxy],
  hstsSeconds: ['HSTS_SECONDS', asDuration(0, 2 ** 31, true)],
  sessionCookieName: ['SESSION_COOKIE_NAME', asCookieName],
  sessionCookieSecure: ['SESSION_COOKIE_SECURE', asBool],
  sessionMaxAge: ['SESSION_MAX_AGE', asDuration(60, 2 ** 31, true)],
  sessionIdleTimeout: ['SESSION_IDLE_TIMEOUT', asDuration(0, 2 ** 31, true)],
  csrfTrustedOrigins: ['CSRF_TRUSTED_ORIGINS', asList],
  redisUrl: ['REDIS_URL', asString],
  apiTokenMaxAge: ['API_TOKEN_MAX_AGE', asDuration(60, 3650 * 86_400, true)],
  emailBackend: ['EMAIL_BACKEND', oneOf(['console', 'file', 'memory', 'smtp'] as const)],
  emailUrl: ['EMAIL_URL', asString],
  emailFilePath: ['EMAIL_FILE_PATH', asString],
  defaultFromEmail: ['DEFAULT_FROM_EMAIL', asString],
};

// Slow-header clients (slowloris) hold a socket for this long at most; a person's browser sends
// its headers in one round trip.
const DEFAULT_HEADERS_TIMEOUT = 10;

// Twice REQUEST_TIMEOUT's default, as nginx's proxy timeouts: no client reading a response, nor
// a healthy handler or stream, stays silent that long.
const DEFAULT_SOCKET_IDLE_TIMEOUT = 60;

/** The prefix of the development-only secret key generated when none is set. */
export const INSECURE_KEY_PREFIX = 'volt-insecure-';

function defaults(env: VoltEnv): Settings {
  return {
    env,
    debug: false,
    secretKey: '',
    host: '127.0.0.1',
    port: 8000,
    databaseUrl: 'sqlite:./data/app.db',
    databasePoolSize: 10,
    databaseStatementCacheSize: undefined,
    timeZone: 'UTC',
    allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
    logLevel: env === 'test' ? 'silent' : 'info',
    bodyLimit: 1024 * 1024,
    jsonMaxDepth: DEFAULT_JSON_MAX_DEPTH,
    requestTimeout: 30,
    headersTimeout: DEFAULT_HEADERS_TIMEOUT,
    socketIdleTimeout: DEFAULT_SOCKET_IDLE_TIMEOUT,
    shutdownTimeout: 10,
    docs: true,
    jsonMaxArrayLength: DEFAULT_JSON_MAX_ARRAY_LENGTH,
    apiMaxPageSize: 100,
    siteUrl: '',
    trustProxy: false,
    hstsSeconds: env === 'production' ? 31_536_000 : 0,
    sessionCookieName: 'volt_session',
    sessionCookieSecure: env === 'production',
    sessionMaxAge: 14 * 24 * 3600,
    sessionIdleTimeout: 0,
    csrfTrustedOrigins: [],
    redisUrl: '',
    apiTokenMaxAge: 90 * 86_400,
    emailBackend: 'console',
    emailUrl: '',
    emailFilePath: './data/mail',
    defaultFromEmail: 'webmaster@localhost',
  };
}

/** Tells why a secret key is too weak for production, or `undefined` when it is strong enough. */
export function secretKeyWeakness(key: string): string | undefined {
  if (!key) return 'SECRET_KEY is not set';
  if (key.startsWith(INSECURE_KEY_PREFIX)) return 'SECRET_KEY is the generated development key';
  if (key.length < 50) return `SECRET_KEY must have at least 50 characters (it has ${key.length})`;
  if (new Set(key).size < 5) return 'SECRET_KEY must have at least 5 distinct characters';
  return undefined;
}

/** Options of {@link loadSettings}. */
export interface LoadSettingsOptions {
  /** Variables to read; `process.env` by default. */
  env?: Record<string, string | undefined>;
  /** A dotenv file read under the variables (they win); `.env` in the working directory by default, `false` for none. */
  envFile?: string | false;
  /** Values that win over the environment, e.g. from code or tests. */
  overrides?: Partial<Settings>;
}

/**
 * The variables settings are read from: the dotenv file under the environment (the environment
 * wins). Installed apps read their own settings from the same place.
 *
 * @example
 * ```ts
 * readEnvironment({ envFile: '.env' }).STRIPE_KEY;
 * ```
 */
export function readEnvironment(
  options: Pick<LoadSettingsOptions, 'env' | 'envFile'> = {},
): Record<string, string | undefined> {
  const fileVars: Record<string, string | undefined> = {};
  const envFile = options.envFile ?? '.env';
  if (envFile !== false && existsSync(envFile))
    Object.assign(fileVars, parseEnv(readFileSync(envFile, 'utf8')));
  return { ...fileVars, ...(options.env ?? process.env) };
}

/**
 * Reads and checks the settings. Throws a {@link SettingsError} naming every bad value.
 *
 * @example
 * ```ts
 * const settings = loadSettings({ overrides: { port: 3000 } });
 * ```
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const vars = readEnvironment(options);
  const problems: SettingsProblem[] = [];
  const problem = (code: SettingsProblemCode, setting: string, message: string) =>
    problems.push({ code, setting, message });

  const parsedEnv = SOURCES.env[1](options.overrides?.env ?? vars.VOLT_ENV ?? 'development');
  const settings = defaults(parsedEnv instanceof Invalid ? 'development' : parsedEnv);
  const target = settings as unknown as Record<string, unknown>;

  for (const [key, [name, parse]] of Object.entries(SOURCES) as Array<
    [keyof Settings, [string, Parser<unknown>]]
  >) {
    const raw = vars[name];
    if (raw === undefined) continue;
    const value = parse(raw);
    if (value instanceof Invalid) problem('VOLT_SETTINGS_INVALID_VALUE', name, `${name} ${value.reason}`);
    else target[key] = value;
  }
  Object.assign(settings, stripUndefined(options.overrides ?? {}));

  // Node refuses a headers timeout longer than the request timeout: a lower REQUEST_TIMEOUT
  // lowers the default, and an explicit HEADERS_TIMEOUT above it is a mistake to name.
  const headersGiven = vars.HEADERS_TIMEOUT !== undefined || options.overrides?.headersTimeout !== undefined;
  if (settings.requestTimeout > 0 && settings.headersTimeout > settings.requestTimeout) {
    if (headersGiven) {
      problem(
        'VOLT_SETTINGS_CONFLICT',
        'HEADERS_TIMEOUT',
        `HEADERS_TIMEOUT (${settings.headersTimeout}) must not be longer than REQUEST_TIMEOUT (${settings.requestTimeout})`,
      );
    } else {
      settings.headersTimeout = settings.requestTimeout;
    }
  }

  if (settings.env === 'production') {
    if (settings.debug)
      problem('VOLT_SETTINGS_DEBUG_IN_PRODUCTION', 'DEBUG', 'DEBUG must be off when VOLT_ENV=production');
    const weakness = secretKeyWeakness(settings.secretKey);
    if (weakness)
      problem(
        'VOLT_SETTINGS_WEAK_SECRET_KEY',
        'SECRET_KEY',
        `${weakness}; production needs a random key of 50+ characters`,
      );
    if (settings.allowedHosts.includes('*'))
      problem(
        'VOLT_SETTINGS_WILDCARD_HOST',
        'ALLOWED_HOSTS',
        'ALLOWED_HOSTS must not contain "*" when VOLT_ENV=production',
      );
  }
  if (problems.length > 0) throw new SettingsError(problems);
  if (!settings.secretKey) {
    // Development only: an ephemeral key, so signed values do not survive a restart.
    settings.secretKey = INSECURE_KEY_PREFIX + crypto.randomUUID() + crypto.randomUUID();
  }
  return settings;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
