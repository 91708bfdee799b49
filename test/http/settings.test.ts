/**
 * Settings: defaults, environment variables, `.env` files and the production checks.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { VoltApp } from '../../src/http/app.ts';
import {
  loadSettings,
  parseDuration,
  type Settings,
  SettingsError,
  secretKeyWeakness,
} from '../../src/http/settings.ts';

const STRONG_KEY = randomBytes(48).toString('base64url');

/** Loads settings from exactly these variables, with no `.env` file. */
function fromEnv(env: Record<string, string>, overrides: Partial<Settings> = {}): Settings {
  return loadSettings({ env, envFile: false, overrides });
}

/** The problems a load reports, or a failure if it succeeds. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    fromEnv(env);
  } catch (error) {
    assert.ok(error instanceof SettingsError);
    return error.problems;
  }
  assert.fail('expected a SettingsError');
}

const tempDirs: string[] = [];
function envFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'volt-settings-'));
  tempDirs.push(dir);
  const file = join(dir, '.env');
  writeFileSync(file, content);
  return file;
}
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('defaults', () => {
  test('with no variables every setting has its default', () => {
    const { secretKey, ...rest } = fromEnv({});
    assert.deepEqual(rest, {
      env: 'development',
      debug: false,
      host: '127.0.0.1',
      port: 8000,
      databaseUrl: 'sqlite:./data/app.db',
      databasePoolSize: 10,
      databaseStatementCacheSize: undefined,
      timeZone: 'UTC',
      allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
      logLevel: 'info',
      bodyLimit: 1024 * 1024,
      jsonMaxDepth: 64,
      requestTimeout: 30,
      headersTimeout: 10,
      socketIdleTimeout: 60,
      shutdownTimeout: 10,
      docs: true,
      jsonMaxArrayLength: 10_000,
      apiMaxPageSize: 100,
      siteUrl: '',
      trustProxy: false,
      hstsSeconds: 0,
      sessionCookieName: 'volt_session',
      sessionCookieSecure: false,
      sessionMaxAge: 1_209_600,
      sessionIdleTimeout: 0,
      csrfTrustedOrigins: [],
      redisUrl: '',
      apiTokenMaxAge: 90 * 86_400,
      emailBackend: 'console',
      emailUrl: '',
      emailFilePath: './data/mail',
      defaultFromEmail: 'webmaster@localhost',
    });
    assert.match(secretKey, /^volt-insecure-/);
  });

  test('development gets a fresh random key on each load', () => {
    const a = fromEnv({}).secretKey;
    const b = fromEnv({}).secretKey;
    assert.notEqual(a, b);
    assert.ok(a.length >= 50);
  });

  test('the test environment logs nothing by default', () => {
    assert.equal(fromEnv({ VOLT_ENV: 'test' }).logLevel, 'silent');
  });
});

describe('environment variables', () => {
  test('each variable sets its setting', () => {
    const settings = fromEnv({
      VOLT_ENV: 'test',
      DEBUG: 'true',
      SECRET_KEY: 'my key',
      HOST: '0.0.0.0',
      PORT: '3000',
      DATABASE_URL: 'postgres://user@db/app',
      DATABASE_POOL_SIZE: '20',
      DATABASE_STATEMENT_CACHE_SIZE: '0',
      ALLOWED_HOSTS: ' example.com, api.example.com ,,',
      LOG_LEVEL: 'debug',
      BODY_LIMIT: '2048',
      JSON_MAX_DEPTH: '8',
      REQUEST_TIMEOUT: '5',
      HEADERS_TIMEOUT: '4',
      SOCKET_IDLE_TIMEOUT: '5',
      SHUTDOWN_TIMEOUT: '0',
      DOCS: 'off',
      JSON_MAX_ARRAY_LENGTH: '50',
      API_MAX_PAGE_SIZE: '30',
      SITE_URL: 'https://shop.example.com/',
      TRUST_PROXY: 'yes',
      HSTS_SECONDS: '600',
      SESSION_COOKIE_NAME: 'sid',
      SESSION_COOKIE_SECURE: 'true',
      SESSION_MAX_AGE: '3600',
      SESSION_IDLE_TIMEOUT: '900',
      CSRF_TRUSTED_ORIGINS: 'https://app.example.com, https://admin.example.com',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      API_TOKEN_MAX_AGE: '30d',
      EMAIL_BACKEND: 'smtp',
      EMAIL_URL: 'smtps://u:p@mail.example.com:465',
      EMAIL_FILE_PATH: '/tmp/mail',
      DEFAULT_FROM_EMAIL: 'shop@example.com',
      TIME_ZONE: 'europe/paris',
    });
    assert.deepEqual(settings, {
      env: 'test',
      debug: true,
      secretKey: 'my key',
      host: '0.0.0.0',
      port: 3000,
      databaseUrl: 'postgres://user@db/app',
      databasePoolSize: 20,
      databaseStatementCacheSize: 0,
      timeZone: 'Europe/Paris',
      allowedHosts: ['example.com', 'api.example.com'],
      logLevel: 'debug',
      bodyLimit: 2048,
      jsonMaxDepth: 8,
      requestTimeout: 5,
      headersTimeout: 4,
      socketIdleTimeout: 5,
      shutdownTimeout: 0,
      docs: false,
      jsonMaxArrayLength: 50,
      apiMaxPageSize: 30,
      siteUrl: 'https://shop.example.com',
      trustProxy: true,
      hstsSeconds: 600,
      sessionCookieName: 'sid',
      sessionCookieSecure: true,
      sessionMaxAge: 3600,
      sessionIdleTimeout: 900,
      csrfTrustedOrigins: ['https://app.example.com', 'https://admin.example.com'],
      redisUrl: 'redis://127.0.0.1:6379/2',
      apiTokenMaxAge: 30 * 86_400,
      emailBackend: 'smtp',
      emailUrl: 'smtps://u:p@mail.example.com:465',
      emailFilePath: '/tmp/mail',
      defaultFromEmail: 'shop@example.com',
    });
  });

  test('TIME_ZONE is an IANA name, spelled canonically; offsets and unknown names stop the start', () => {
    assert.equal(fromEnv({ TIME_ZONE: 'America/New_York' }).timeZone, 'America/New_York');
    assert.equal(fromEnv({ TIME_ZONE: ' utc ' }).timeZone, 'UTC');
    for (const raw of ['Mars/Olympus', '+02:00', 'UTC; drop table x', ''])
      assert.deepEqual(problemsOf({ TIME_ZONE: raw }), [
        `TIME_ZONE must be an IANA time zone name like UTC, Europe/Paris or America/New_York, got "${raw}"`,
      ]);
  });

  test('HEADERS_TIMEOUT is at most REQUEST_TIMEOUT: a lower request timeout lowers the default', () => {
    assert.equal(fromEnv({ REQUEST_TIMEOUT: '3' }).headersTimeout, 3);
    assert.equal(fromEnv({ REQUEST_TIMEOUT: '0' }).headersTimeout, 10);
    assert.equal(fromEnv({ REQUEST_TIMEOUT: '3', HEADERS_TIMEOUT: '3' }).headersTimeout, 3);
    assert.deepEqual(problemsOf({ REQUEST_TIMEOUT: '3', HEADERS_TIMEOUT: '5' }), [
      'HEADERS_TIMEOUT (5) must not be longer than REQUEST_TIMEOUT (3)',
    ]);
    assert.deepEqual(problemsOf({ HEADERS_TIMEOUT: '0' }), [
      'HEADERS_TIMEOUT must be from 0.001 to 2147483 seconds, got "0"',
    ]);
  });

  describe('durations are seconds, or a number with a unit', () => {
    for (const [raw, seconds] of [
      ['45', 45],
      ['0.5', 0.5],
      ['500ms', 0.5],
      ['30s', 30],
      ['15m', 900],
      ['2h', 7200],
      ['1.5h', 5400],
      [' 3 s ', 3],
    ] as const) {
      test(`REQUEST_TIMEOUT=${raw.trim()} is ${seconds} seconds`, () => {
        assert.equal(fromEnv({ REQUEST_TIMEOUT: raw }).requestTimeout, seconds);
        assert.equal(parseDuration(raw), seconds);
      });
    }

    test('SESSION_MAX_AGE=14d is two weeks in seconds; API_TOKEN_MAX_AGE=30d a month', () => {
      const settings = fromEnv({ SESSION_MAX_AGE: '14d', API_TOKEN_MAX_AGE: '30d' });
      assert.equal(settings.sessionMaxAge, 14 * 86_400);
      assert.equal(settings.apiTokenMaxAge, 30 * 86_400);
    });

    test('REQUEST_TIMEOUT=30x is refused with a message naming the units', () => {
      assert.deepEqual(problemsOf({ REQUEST_TIMEOUT: '30x' }), [
        'REQUEST_TIMEOUT must be a duration: seconds (30, 0.5) or a number with a unit ms, s, m, h or d (500ms, 15m, 14d), got "30x"',
      ]);
      assert.equal(parseDuration('30x'), undefined);
      assert.equal(parseDuration('-5'), undefined);
      assert.equal(parseDuration(''), undefined);
    });

    test('a duration sent as whole seconds (a cookie Max-Age) must be whole', () => {
      assert.deepEqual(problemsOf({ SESSION_MAX_AGE: '90.5' }), [
        'SESSION_MAX_AGE must be whole seconds, got "90.5"',
      ]);
      assert.equal(fromEnv({ SESSION_MAX_AGE: '90000ms' }).sessionMaxAge, 90);
    });
  });

  test('booleans accept the usual spellings', () => {
    for (const yes of ['1', 'true', 'TRUE', 'yes', 'on', ' On '])
      assert.equal(fromEnv({ DEBUG: yes }).debug, true, yes);
    for (const no of ['0', 'false', 'no', 'off', '']) assert.equal(fromEnv({ DEBUG: no }).debug, false, no);
  });

  test('sqlite and postgresql URLs are accepted', () => {
    assert.equal(fromEnv({ DATABASE_URL: 'sqlite::memory:' }).databaseUrl, 'sqlite::memory:');
    assert.equal(fromEnv({ DATABASE_URL: 'postgresql://h/db' }).databaseUrl, 'postgresql://h/db');
  });

  test('overrides from code win over variables', () => {
    const settings = fromEnv({ PORT: '3000', DEBUG: 'true' }, { port: 4000, debug: false });
    assert.equal(settings.port, 4000);
    assert.equal(settings.debug, false);
  });

  test('every bad value is listed in one SettingsError', () => {
    const env = {
      VOLT_ENV: 'staging',
      DEBUG: 'maybe',
      PORT: '80a',
      DATABASE_URL: 'mysql://db/app',
      LOG_LEVEL: 'loud',
      BODY_LIMIT: '0',
      REQUEST_TIMEOUT: '-5',
      SHUTDOWN_TIMEOUT: '1.5x',
      DOCS: 'sometimes',
    };
    assert.deepEqual(problemsOf(env), [
      'VOLT_ENV must be one of development, production, test, got "staging"',
      'DEBUG must be true or false, got "maybe"',
      'PORT must be a whole number from 0 to 65535, got "80a"',
      'DATABASE_URL must start with sqlite: or postgres:// (e.g. sqlite:./data/app.db), got "mysql://db"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      `BODY_LIMIT must be a whole number from 1 to ${2 ** 31}, got "0"`,
      'REQUEST_TIMEOUT must be a duration: seconds (30, 0.5) or a number with a unit ms, s, m, h or d (500ms, 15m, 14d), got "-5"',
      'SHUTDOWN_TIMEOUT must be a duration: seconds (30, 0.5) or a number with a unit ms, s, m, h or d (500ms, 15m, 14d), got "1.5x"',
      'DOCS must be true or false, got "sometimes"',
    ]);
  });

  test('each problem carries a stable code and the variable it is about', () => {
    try {
      fromEnv({
        VOLT_ENV: 'production',
        DEBUG: 'on',
        PORT: 'x',
        ALLOWED_HOSTS: '*',
        REQUEST_TIMEOUT: '5',
        HEADERS_TIMEOUT: '9',
      });
      assert.fail('expected a SettingsError');
    } catch (error) {
      assert.ok(error instanceof SettingsError);
      assert.equal(error.code, 'VOLT_SETTINGS_INVALID');
      assert.deepEqual(
        error.issues.map((issue) => [issue.code, issue.setting]),
        [
          ['VOLT_SETTINGS_INVALID_VALUE', 'PORT'],
          ['VOLT_SETTINGS_CONFLICT', 'HEADERS_TIMEOUT'],
          ['VOLT_SETTINGS_DEBUG_IN_PRODUCTION', 'DEBUG'],
          ['VOLT_SETTINGS_WEAK_SECRET_KEY', 'SECRET_KEY'],
          ['VOLT_SETTINGS_WILDCARD_HOST', 'ALLOWED_HOSTS'],
        ],
      );
      assert.deepEqual(
        error.issues.map((issue) => issue.message),
        error.problems,
      );
    }
  });

  test('a bad value that is a URL is shown by its scheme and host only: never its password', () => {
    const env = {
      DATABASE_URL: 'mysql://root:hunter2@db.internal:3306/app?password=hunter2',
      SITE_URL: 'https://admin:hunter2@shop.example.com/path',
      PORT: 'postgres://app:hunter2@db.internal/app',
      DEBUG: 'user:hunter2@host',
      LOG_LEVEL: 'loud@hunter2',
      SESSION_COOKIE_NAME: 'sqlite:hunter2@x',
    };
    const problems = problemsOf(env);
    assert.deepEqual(problems, [
      'DEBUG must be true or false, got "user:…"',
      'PORT must be a whole number from 0 to 65535, got "postgres://db.internal"',
      'DATABASE_URL must start with sqlite: or postgres:// (e.g. sqlite:./data/app.db), got "mysql://db.internal:3306"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "(hidden: it may hold a password)"',
      'SITE_URL must be an http(s) origin like https://shop.example.com, got "https://shop.example.com"',
      'SESSION_COOKIE_NAME must be a cookie name (letters, digits, - and _), got "sqlite:…"',
    ]);
    assert.throws(
      () => fromEnv(env),
      (error: Error) => !`${error.message}${error.stack}`.includes('hunter2'),
    );
  });

  test('the error message lists the problems one a line', () => {
    assert.throws(() => fromEnv({ PORT: '70000', DEBUG: 'x' }), {
      name: 'SettingsError',
      message:
        'Invalid settings:\n  - DEBUG must be true or false, got "x"\n  - PORT must be a whole number from 0 to 65535, got "70000"',
    });
  });
});

describe('.env files', () => {
  test('a .env file supplies values', () => {
    const file = envFile('# local settings\nPORT=9000\nDEBUG=true\nALLOWED_HOSTS="a.test,b.test"\n');
    const settings = loadSettings({ env: {}, envFile: file });
    assert.equal(settings.port, 9000);
    assert.equal(settings.debug, true);
    assert.deepEqual(settings.allowedHosts, ['a.test', 'b.test']);
  });

  test('environment variables win over the file', () => {
    const file = envFile('PORT=9000\nHOST=0.0.0.0\n');
    const settings = loadSettings({ env: { PORT: '9100' }, envFile: file });
    assert.equal(settings.port, 9100);
    assert.equal(settings.host, '0.0.0.0');
  });

  test('bad values in the file are reported like variables', () => {
    const file = envFile('PORT=http\n');
    assert.throws(() => loadSettings({ env: {}, envFile: file }), {
      name: 'SettingsError',
      message: 'Invalid settings:\n  - PORT must be a whole number from 0 to 65535, got "http"',
    });
  });

  test('a missing file is no error, and envFile false reads none', () => {
    assert.equal(loadSettings({ env: {}, envFile: join(tmpdir(), 'volt-no-such-dir', '.env') }).port, 8000);
    const file = envFile('PORT=9000\n');
    assert.equal(loadSettings({ env: {}, envFile: false }).port, 8000);
    assert.equal(loadSettings({ env: {}, envFile: file }).port, 9000);
  });

  test('an app reads its envFile and takes options over it', () => {
    const file = envFile('BODY_LIMIT=100\nPORT=9000\n');
    const app = new VoltApp({ logger: false, envFile: file, port: 9001 });
    assert.equal(app.settings.bodyLimit, 100);
    assert.equal(app.settings.port, 9001);
  });

  test('an app refuses to start with bad settings', () => {
    const file = envFile('BODY_LIMIT=lots\n');
    assert.throws(() => new VoltApp({ logger: false, envFile: file }), SettingsError);
  });
});

describe('production checks', () => {
  test('debug, a missing key and ALLOWED_HOSTS=* are all refused at once', () => {
    assert.deepEqual(problemsOf({ VOLT_ENV: 'production', DEBUG: 'true', ALLOWED_HOSTS: 'example.com,*' }), [
      'DEBUG must be off when VOLT_ENV=production',
      'SECRET_KEY is not set; production needs a random key of 50+ characters',
      'ALLOWED_HOSTS must not contain "*" when VOLT_ENV=production',
    ]);
  });

  test('a short key is refused', () => {
    assert.deepEqual(problemsOf({ VOLT_ENV: 'production', SECRET_KEY: 'correct horse battery staple' }), [
      'SECRET_KEY must have at least 50 characters (it has 28); production needs a random key of 50+ characters',
    ]);
  });

  test('a long key with little variety is refused', () => {
    assert.deepEqual(problemsOf({ VOLT_ENV: 'production', SECRET_KEY: 'abab'.repeat(20) }), [
      'SECRET_KEY must have at least 5 distinct characters; production needs a random key of 50+ characters',
    ]);
  });

  test('the generated development key is refused', () => {
    const devKey = fromEnv({}).secretKey;
    assert.deepEqual(problemsOf({ VOLT_ENV: 'production', SECRET_KEY: devKey }), [
      'SECRET_KEY is the generated development key; production needs a random key of 50+ characters',
    ]);
  });

  test('debug turned on from code is refused too', () => {
    assert.throws(() => fromEnv({ VOLT_ENV: 'production', SECRET_KEY: STRONG_KEY }, { debug: true }), {
      name: 'SettingsError',
      message: 'Invalid settings:\n  - DEBUG must be off when VOLT_ENV=production',
    });
  });

  test('a strong key with real hosts passes', () => {
    const settings = fromEnv({
      VOLT_ENV: 'production',
      SECRET_KEY: STRONG_KEY,
      ALLOWED_HOSTS: 'example.com',
    });
    assert.equal(settings.env, 'production');
    assert.equal(settings.secretKey, STRONG_KEY);
    assert.equal(settings.debug, false);
    assert.equal(settings.logLevel, 'info');
  });

  test('secretKeyWeakness says nothing about a strong key', () => {
    assert.equal(secretKeyWeakness(STRONG_KEY), undefined);
    assert.equal(secretKeyWeakness(''), 'SECRET_KEY is not set');
  });
});
