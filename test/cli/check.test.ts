/**
 * `volt check`: the basic checks, and with `--deploy` the deployment checks — an insecure
 * configuration is flagged by every rule, a correct production one by none.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { loadSettings } from '../../src/http/settings.ts';
import { DEPLOY_CHECKS, runDeployChecks } from '../../src/security/checks/index.ts';
import { root, volt } from './support.ts';

const base = mkdtempSync(join(tmpdir(), 'volt-check-'));
after(() => rmSync(base, { recursive: true, force: true }));
let dirs = 0;

/** An empty project folder, or one with the given files. */
function project(files: Record<string, string> = {}): string {
  const dir = join(base, `p${++dirs}`);
  mkdirSync(dir);
  for (const [path, source] of Object.entries(files)) writeFileSync(join(dir, path), source);
  return dir;
}

const SETTING_VARS = [
  'VOLT_ENV',
  'DEBUG',
  'SECRET_KEY',
  'ALLOWED_HOSTS',
  'HSTS_SECONDS',
  'SESSION_COOKIE_SECURE',
  'CSRF_TRUSTED_ORIGINS',
  'DOCS',
  'SITE_URL',
  'EMAIL_BACKEND',
  'EMAIL_URL',
  'DEFAULT_FROM_EMAIL',
  'BODY_LIMIT',
  'REQUEST_TIMEOUT',
  'HEADERS_TIMEOUT',
  'JSON_MAX_DEPTH',
  'JSON_MAX_ARRAY_LENGTH',
  'PORT',
  'TRUST_PROXY',
];

/** Exactly these settings variables, none inherited from the machine. */
function env(vars: Record<string, string>): Record<string, string | undefined> {
  return { ...Object.fromEntries(SETTING_VARS.map((name) => [name, undefined])), ...vars };
}

const SECURE = {
  VOLT_ENV: 'production',
  SECRET_KEY: 'Zq3v-9kLw2Xr8TnB4yHc1MdP6sJf0GaE5uVi7oRtKe2Wx9Ly4Nb',
  ALLOWED_HOSTS: 'shop.example.com,.example.com',
  CSRF_TRUSTED_ORIGINS: 'https://app.example.com',
  DOCS: 'false',
  SITE_URL: 'https://shop.example.com',
  EMAIL_BACKEND: 'smtp',
  EMAIL_URL: 'smtps://mailer:secret@mail.example.com:465',
  DEFAULT_FROM_EMAIL: 'no-reply@example.com',
  TRUST_PROXY: '1',
};

const INSECURE = {
  VOLT_ENV: 'development',
  DEBUG: 'true',
  SECRET_KEY: 'short',
  ALLOWED_HOSTS: '*',
  HSTS_SECONDS: '0',
  SESSION_COOKIE_SECURE: 'false',
  CSRF_TRUSTED_ORIGINS: '*,http://app.example.com,https://app.example.com/login',
  DOCS: 'true',
  SITE_URL: 'http://shop.example.com',
  EMAIL_BACKEND: 'console',
  DEFAULT_FROM_EMAIL: 'webmaster@localhost',
  BODY_LIMIT: String(64 * 1024 * 1024),
  REQUEST_TIMEOUT: '0',
  JSON_MAX_DEPTH: '5000',
  TRUST_PROXY: 'true',
};

const FINDING = /^(security\.S\d{3}|settings\.E\d{3}|app\.E\d{3}) \[(error|warning)\] (.+)\n {2}fix: .+$/gm;

function findings(stdout: string): Array<{ id: string; level: string; message: string }> {
  return [...stdout.matchAll(FINDING)].map(([, id, level, message]) => ({
    id: id!,
    level: level!,
    message: message!,
  }));
}

describe('volt check --deploy', () => {
  test('an insecure configuration is flagged by every rule and exits 1', async () => {
    const { code, stdout, stderr } = await volt(['check', '--deploy'], {
      cwd: project(),
      env: env(INSECURE),
    });
    assert.equal(code, 1, stderr);
    const found = findings(stdout);
    const ids = new Set(found.map((f) => f.id));
    // EMAIL_URL is only looked at with EMAIL_BACKEND=smtp: the next configuration covers it.
    for (const check of DEPLOY_CHECKS.filter((c) => c.id !== 'security.S012'))
      assert.ok(ids.has(check.id), `${check.id} (${check.title}) not flagged:\n${stdout}`);
    assert.equal(found.filter((f) => f.id === 'security.S007').length, 3, 'each bad origin is named');
    assert.deepEqual(
      found.find((f) => f.id === 'security.S001'),
      {
        id: 'security.S001',
        level: 'error',
        message: 'DEBUG is on: error responses show stack traces and internal messages to anyone.',
      },
    );
    assert.equal(found.find((f) => f.id === 'security.S004')?.level, 'warning');
    // Errors come first.
    const levels = found.map((f) => f.level);
    assert.deepEqual(levels, [...levels].sort());
    assert.match(stdout, /Ran 16 deployment checks \(VOLT_ENV=development\)\.\n/);
    assert.match(stdout, /System check identified \d+ errors and \d+ warnings\.\n$/);

    const smtp = await volt(['check', '--deploy'], {
      cwd: project(),
      env: env({ ...SECURE, EMAIL_URL: '' }),
    });
    assert.equal(smtp.code, 1);
    assert.deepEqual(
      findings(smtp.stdout).map((f) => f.id),
      ['security.S012'],
    );
  });

  test('a correct production configuration has no findings and exits 0, also at --fail-level warning', async () => {
    const dir = project();
    for (const extra of [[], ['--fail-level', 'warning']]) {
      const { code, stdout, stderr } = await volt(['check', '--deploy', ...extra], {
        cwd: dir,
        env: env(SECURE),
      });
      assert.equal(code, 0, stdout + stderr);
      assert.deepEqual(findings(stdout), []);
      assert.match(
        stdout,
        /Ran 16 deployment checks \(VOLT_ENV=production\)\.\nSystem check identified no issues\.\n$/,
      );
    }
  });

  test('warnings fail only with --fail-level warning', async () => {
    const dir = project();
    const options = { cwd: dir, env: env({ ...SECURE, DOCS: 'true', HSTS_SECONDS: '3600' }) };
    const lenient = await volt(['check', '--deploy'], options);
    assert.equal(lenient.code, 0);
    assert.deepEqual(
      findings(lenient.stdout).map((f) => `${f.id} ${f.level}`),
      ['security.S005 warning', 'security.S008 warning'],
    );
    assert.match(lenient.stdout, /System check identified 0 errors and 2 warnings\./);
    assert.equal((await volt(['check', '--deploy', '--fail-level', 'warning'], options)).code, 1);
    const bad = await volt(['check', '--fail-level', 'fatal'], options);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--fail-level must be error or warning/);
  });

  test('.env is read under the environment, as the app reads it', async () => {
    const dir = project({ '.env': 'DEBUG=true\nSITE_URL=http://shop.example.com\n' });
    const { stdout } = await volt(['check', '--deploy'], {
      cwd: dir,
      env: env({ ...SECURE, SITE_URL: undefined as never }),
    });
    const ids = findings(stdout).map((f) => f.id);
    assert.deepEqual(ids, ['security.S001', 'security.S009']);
  });

  test("the app module's settings are checked (options given in code count)", async () => {
    const voltUrl = pathToFileURL(join(root, 'src', 'index.ts')).href;
    const dir = project({
      'app.ts': `import { volt } from '${voltUrl}';\nexport const app = volt({ logger: false, docs: true, bodyLimit: 50 * 1024 * 1024 });\napp.get('/x', {}, () => 1);\n`,
    });
    const { code, stdout } = await volt(['check', '--deploy'], { cwd: dir, env: env(SECURE) });
    assert.equal(code, 0, stdout);
    assert.deepEqual(
      findings(stdout).map((f) => f.id),
      ['security.S008', 'security.S011'],
      'DOCS=false and the body limit of the environment are overridden in code',
    );
    // Its route and the docs routes (the document, two pages and their assets).
    assert.match(stdout, /app\.ts: imported, 6 routes, the OpenAPI document builds\./);
  });

  test('settings the app refuses at import are error findings, not a crash', async () => {
    const voltUrl = pathToFileURL(join(root, 'src', 'index.ts')).href;
    const dir = project({ 'app.ts': `import { volt } from '${voltUrl}';\nexport default volt();\n` });
    const { code, stdout, stderr } = await volt(['check', '--deploy'], {
      cwd: dir,
      env: env({ ...SECURE, DEBUG: 'true', PORT: 'eighty' }),
    });
    assert.equal(code, 1);
    assert.doesNotMatch(stderr, /at .+:\d+:\d+/, 'no stack trace');
    assert.deepEqual(findings(stdout), [
      {
        id: 'settings.E001',
        level: 'error',
        message: 'settings: PORT must be a whole number from 0 to 65535, got "eighty"',
      },
      // Reported once (the PORT problem is not repeated), under the id of the check it matches.
      {
        id: 'security.S001',
        level: 'error',
        message: 'app.ts refused its settings: DEBUG must be off when VOLT_ENV=production',
      },
    ]);
    assert.match(stdout, /The deployment checks did not run: the settings do not load\./);
  });
});

test('volt check never prints a password that a URL setting holds', async () => {
  const voltUrl = pathToFileURL(join(root, 'src', 'index.ts')).href;
  const secrets = {
    DATABASE_URL: 'mysql://root:hunter2@db.internal/app',
    EMAIL_BACKEND: 'smtp',
    EMAIL_URL: 'smtp://mailer:hunter2@mail.example.com:587',
    REDIS_URL: 'redis://:hunter2@cache.internal:6379/0',
    SITE_URL: 'https://admin:hunter2@shop.example.com',
    CSRF_TRUSTED_ORIGINS: 'https://admin:hunter2@app.example.com',
  };
  const dirs = [
    project(),
    project({ 'app.ts': `import { volt } from '${voltUrl}';\nexport default volt();\n` }),
    project({ 'app.ts': `throw new Error('cannot open postgres://app:hunter2@db.internal:5432/app');\n` }),
  ];
  for (const cwd of dirs) {
    for (const vars of [
      secrets,
      { ...secrets, DATABASE_URL: 'postgres://app:hunter2@db.internal:5432/app' },
    ]) {
      const { stdout, stderr } = await volt(['check', '--deploy'], {
        cwd,
        env: { ...env({ ...SECURE, ...vars }), REDIS_URL: vars.REDIS_URL, DATABASE_URL: vars.DATABASE_URL },
      });
      assert.ok(!`${stdout}${stderr}`.includes('hunter2'), stdout + stderr);
      assert.ok(stdout.length > 0);
    }
  }
  const { stdout } = await volt(['check', '--deploy'], {
    cwd: dirs[0]!,
    env: env({ ...SECURE, ...secrets }),
  });
  assert.match(
    stdout,
    /DATABASE_URL must start with sqlite: or postgres:\/\/ .*got "mysql:\/\/db\.internal"/,
  );
});

describe('volt check', () => {
  test('without --deploy only the basic checks run, and it says so', async () => {
    const { code, stdout } = await volt(['check', '--app', join(root, 'examples', 'hello', 'app.ts')], {
      env: env(INSECURE),
    });
    assert.equal(code, 0, stdout);
    assert.deepEqual(findings(stdout), []);
    assert.match(stdout, /imported, \d+ routes, the OpenAPI document builds\./);
    assert.match(
      stdout,
      /Basic checks only; run volt check --deploy for the deployment \(security\) checks\./,
    );
  });

  test('an app module that fails to import is an error finding', async () => {
    const dir = project({ 'app.ts': `throw new Error('no database');\n` });
    const { code, stdout } = await volt(['check'], { cwd: dir, env: env({}) });
    assert.equal(code, 1);
    assert.deepEqual(
      findings(stdout).map((f) => [f.id, f.message]),
      [['app.E001', 'app.ts failed to import: no database']],
    );
  });
});

test('runDeployChecks answers findings with their ids, errors first', () => {
  const settings = loadSettings({ env: { ...SECURE, DEBUG: 'false', DOCS: 'true' }, envFile: false });
  assert.deepEqual(runDeployChecks(settings), [
    {
      id: 'security.S008',
      level: 'warning',
      message: 'DOCS is on: /docs, /redoc and /openapi.json describe every route to anyone.',
      fix: 'Set DOCS=false, unless the API is meant to be public and documented.',
    },
  ]);
  assert.deepEqual(
    runDeployChecks({ ...settings, debug: true, docs: false }).map((f) => f.id),
    ['security.S001'],
  );
});
