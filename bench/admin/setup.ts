/**
 * What bench/admin/run.ts starts: the databases, made afresh from bench/crud's data set
 * (bench/crud/data.ts), and the servers, each with how it starts and whether it can here.
 *
 * - fastify-raw's file: Volt's tables of bench/crud (`prepareDatabases` there, the price
 *   indexed, and the foreign key `category_id`, as Volt and Django index every foreign key),
 *   plus a user table and a session table with one staff user's session.
 * - Django's file: every table of the project (`migrate`), the rows through `bulk_create`, a
 *   superuser and a session of theirs made with Django's session API (`admin_app.py seed`).
 * - Volt's file: bench/crud's Volt file, to which auth's tables (users, groups, permissions,
 *   sessions, tokens) and the admin's (history, list settings) are added from their models
 *   (`createTables`, as the tests make them), and a superuser with a known password. Volt's
 *   admin has no session made here: the runner logs in through the admin's login form each time
 *   it starts the server ({@link voltLogin}) and sends the `volt_session` cookie it gets.
 *
 * fastify-raw's and Django's session ids are sent as the `sessionid` cookie.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Change, ListSetting } from 'voltjs/admin';
import { CSRF_FIELD, createUser, Group, Permission, Session, Token, User } from 'voltjs/auth';
import { connect, createTables } from 'voltjs/orm';
import type { Dataset } from '../crud/data.ts';
import { prepareDatabases as prepareCrud } from '../crud/setup.ts';
import { PYTHON, pythonModulesMissing } from '../harness/peers.ts';
import { type Command, capture, fetchOnce } from '../harness/processes.ts';

/** The id of a server of the run. */
export type ServerId = 'volt' | 'fastify-raw' | 'django-admin';
/** The servers, in table order. */
export const SERVER_IDS: readonly ServerId[] = ['volt', 'fastify-raw', 'django-admin'];
/** How tables name each server. */
export const LABEL: Record<ServerId, string> = {
  volt: 'Volt admin',
  'fastify-raw': 'fastify-raw',
  'django-admin': 'Django admin',
};
/** What each is, for the report. */
export const DESCRIPTION: Record<ServerId, string> = {
  volt: "Volt's admin (voltjs/admin; servers/volt.ts): auth() + admin(), Product and Category registered; VOLT_ENV=production, LOG_LEVEL=silent, logger off",
  'fastify-raw':
    'bare Fastify 5 + node:sqlite by hand (servers/fastify-raw.ts): prepared statements, template literals',
  'django-admin':
    "Django's admin change list (servers/admin_app.py, shop/admin.py) on gunicorn, one sync worker, DEBUG off",
};

const GUNICORN = '/usr/bin/gunicorn';
const DIR = 'bench/admin/servers';

/** The files a run made, in a temporary folder the caller removes, and each server's session. */
export interface Databases {
  dir: string;
  data: Dataset;
  /** SQLite file with Volt's tables of bench/crud, auth's and the admin's, and a superuser (Volt's admin). */
  volt: string;
  /** The Volt server's SECRET_KEY (its session cookie is signed with it). */
  voltSecret: string;
  /** fastify-raw's file. */
  raw: string;
  rawSession: string;
  /** Django's file and session; undefined when Django is not installed. */
  django: string | undefined;
  djangoSession: string | undefined;
}

/** Makes every database afresh from bench/crud's data set. */
export async function prepareDatabases(withDjango: boolean): Promise<Databases> {
  const crud = await prepareCrud(false, true);
  const rawSession = randomBytes(24).toString('base64url');
  const db = new DatabaseSync(crud.raw);
  try {
    db.exec(`
      create table admin_user (
        id integer primary key, username text not null unique, password text not null,
        is_staff integer not null, is_active integer not null);
      create table admin_session (
        key text primary key, user_id integer not null references admin_user (id), expires integer not null);
      analyze;
    `);
    db.prepare('insert into admin_user values (1, ?, ?, 1, 1)').run('admin', 'not a usable password');
    db.prepare('insert into admin_session values (?, 1, ?)').run(rawSession, Date.now() + 14 * 86_400_000);
  } finally {
    db.close();
  }
  await prepareVolt(crud.volt);
  let django: string | undefined;
  let djangoSession: string | undefined;
  if (withDjango) {
    django = join(crud.dir, 'django.db');
    const json = join(crud.dir, 'data.json');
    writeFileSync(json, JSON.stringify(crud.data));
    djangoSession = (
      await captureWithEnv(PYTHON, [`${DIR}/admin_app.py`, 'seed', json], { ADMIN_DB: django }, 120_000)
    ).trim();
  }
  return {
    dir: crud.dir,
    data: crud.data,
    volt: crud.volt,
    voltSecret: randomBytes(48).toString('base64url'),
    raw: crud.raw,
    rawSession,
    django,
    djangoSession,
  };
}

/** The superuser of Volt's file, and its password. */
export const VOLT_USER = { username: 'admin', password: 'bench-admin-password-1' };
/** Cheap scrypt parameters for the superuser's hash (as test/auth/fixtures.ts): one login per server start. */
const FAST = { N: 1024, r: 8, p: 1 };

/** Adds auth's and the admin's tables and a superuser to bench/crud's Volt file. */
async function prepareVolt(file: string): Promise<void> {
  const db = await connect(`sqlite:${file}`);
  try {
    await createTables(db, [Permission, Group, User, Session, Token, Change, ListSetting]);
    await createUser(
      db,
      User,
      { ...VOLT_USER, email: 'admin@example.com', isStaff: true, isSuperuser: true } as never,
      FAST,
    );
    await db.run('analyze', []);
  } finally {
    await db.close();
  }
}

/**
 * Logs in to the Volt admin on `port` through its own login form (GET the form, its CSRF
 * field, POST the credentials from the server's own origin) and returns the session cookie
 * (`volt_session=…`) to send.
 */
export async function voltLogin(port: number): Promise<string> {
  const form = await fetchOnce(port, { method: 'GET', path: '/admin/login' });
  if (form.status !== 200) throw new Error(`GET /admin/login: status ${form.status}`);
  const csrf = new RegExp(`<input type="hidden" name="${CSRF_FIELD}" value="([^"]*)"`).exec(form.body);
  const cookies = (form.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!);
  const fields = new URLSearchParams({
    ...(csrf ? { [CSRF_FIELD]: csrf[1]! } : {}),
    ...VOLT_USER,
    next: '/admin/',
  });
  const answer = await fetchOnce(port, {
    method: 'POST',
    path: '/admin/login',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: `http://127.0.0.1:${port}`,
      ...(cookies.length ? { cookie: cookies.join('; ') } : {}),
    },
    body: fields.toString(),
  });
  const session = (answer.headers['set-cookie'] ?? [])
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('volt_session='));
  if (answer.status !== 303 || !session)
    throw new Error(
      `the admin's login answered ${answer.status} without a volt_session cookie: ${answer.body.slice(0, 300)}`,
    );
  return session;
}

/** `capture` with extra environment variables. */
export async function captureWithEnv(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<string> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await capture(command, args, timeoutMs);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The statements of one request: each one's SQL and SQLite's query plan for it. */
export type Statements = Array<{ sql: string; plan: string }>;

/** The SQL Django's admin runs for one GET of each path (CaptureQueriesContext), with plans. */
export async function djangoStatements(
  dbs: Databases,
  perPage: number,
  paths: string[],
): Promise<Record<string, Statements>> {
  const out = await captureWithEnv(
    PYTHON,
    [`${DIR}/admin_app.py`, 'count', dbs.djangoSession!, ...paths],
    { ADMIN_DB: dbs.django!, ADMIN_PER_PAGE: String(perPage) },
    60_000,
  );
  const byPath = JSON.parse(out) as Record<string, Array<[string, string]>>;
  return Object.fromEntries(
    Object.entries(byPath).map(([path, list]) => [path, list.map(([sql, plan]) => ({ sql, plan }))]),
  );
}

/** Why `voltjs/admin` cannot be imported here, or `undefined` when it can. */
export async function voltAdminMissing(): Promise<string | undefined> {
  try {
    await import('voltjs/admin' as string);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `Volt's admin (voltjs/admin) is not built yet (${message})`;
  }
}

/** Why a server cannot run here, or `undefined` when it can. */
export async function serverMissing(id: ServerId): Promise<string | undefined> {
  if (id === 'volt') {
    const missing = await voltAdminMissing();
    return missing ?? (existsSync(`${DIR}/volt.ts`) ? undefined : `${DIR}/volt.ts not found`);
  }
  if (id === 'django-admin') {
    if (!existsSync(GUNICORN)) return `${GUNICORN} not found`;
    return pythonModulesMissing(['django']);
  }
  return undefined;
}

/** How to start a server on `port` on the run's databases (`extra`: more environment). */
export function serverCommand(
  id: ServerId,
  port: number,
  dbs: Databases,
  extra: Record<string, string> = {},
): Command {
  if (id === 'django-admin')
    return {
      command: GUNICORN,
      args: [
        ...['--workers', '1', '--worker-class', 'sync', '--chdir', DIR],
        ...['--bind', `127.0.0.1:${port}`, '--log-level', 'warning', 'admin_app:application'],
      ],
      env: { ADMIN_DB: dbs.django ?? '', ...extra },
    };
  if (id === 'fastify-raw')
    return {
      command: process.execPath,
      args: ['--conditions=volt-source', `${DIR}/fastify-raw.ts`],
      env: { PORT: String(port), ADMIN_DB: dbs.raw, ...extra },
    };
  return {
    command: process.execPath,
    args: ['--conditions=volt-source', `${DIR}/volt.ts`],
    env: {
      PORT: String(port),
      DATABASE_URL: `sqlite:${dbs.volt}`,
      VOLT_ENV: 'production',
      SECRET_KEY: dbs.voltSecret,
      LOG_LEVEL: 'silent',
      ...extra,
    },
  };
}
