/**
 * The data every server of the auth benchmark reads: one SQLite file made by Volt's
 * migrations (the auth tables), one user made with `createUser` and one API token from
 * `createToken`. The session is made later, by logging in through the Volt server. Also what
 * run.ts and profile.ts share: the servers, the scenarios, the login and the wrk scripts.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { volt } from 'voltjs';
import { auth, createToken, createUser, User } from 'voltjs/auth';
import type { Command } from '../harness/processes.ts';

/** The user the benchmark logs in as. */
export const USERNAME = 'bench';
/** Its password (hashed with Volt's default scrypt cost, checked once at login). */
export const PASSWORD = 'a benchmark passphrase that is long enough';

/** What {@link prepareDatabase} made. */
export interface AuthFixture {
  /** The SQLite file; the folder holding it is the caller's to remove. */
  file: string;
  /** The user's primary key. */
  userId: number;
  /** The API token in clear, as a client sends it. */
  token: string;
}

/** Creates the database file in a new temporary folder, with the user and the token. */
export async function prepareDatabase(): Promise<AuthFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'volt-auth-bench-'));
  const empty = join(dir, 'migrations');
  mkdirSync(empty);
  const file = join(dir, 'auth.db');
  // The app the Volt server runs installs auth(): its migrations and permission rows.
  const app = volt({ logger: false, envFile: false, database: `sqlite:${file}`, apps: [auth()] });
  await app.ready();
  const db = app.db;
  try {
    // An empty project folder: only the installed apps' packaged migrations (auth) apply.
    await app.migrate({ root: empty });
    const user = await createUser(db, User, {
      username: USERNAME,
      email: 'bench@example.com',
      password: PASSWORD,
    } as never);
    const userId = Number((user as Record<string, unknown>).id);
    const { token } = await createToken(db, String(userId), { name: 'bench' });
    return { file, userId, token };
  } finally {
    await app.close();
  }
}

/** The id of a benchmarked server. */
export type ServerId = 'volt' | 'fastify' | 'node-http';
/** The servers, in table order. */
export const SERVER_IDS: readonly ServerId[] = ['volt', 'fastify', 'node-http'];
/** How tables name each server. */
export const LABEL: Record<ServerId, string> = { volt: 'Volt', fastify: 'Fastify', 'node-http': 'node:http' };

/** The id of a scenario. */
export type ScenarioId = 'token' | 'session' | 'open';
/** The scenarios, in table order. */
export const SCENARIO_IDS: readonly ScenarioId[] = ['token', 'session', 'open'];
/** What each scenario sends. */
export const TITLE: Record<ScenarioId, string> = {
  token: '(a) GET /me, requireUser, Authorization: Bearer <API token>',
  session: '(b) GET /me, requireUser, session cookie',
  open: '(c) GET /open, no guard, no credentials (baseline)',
};

/** How to start a server on `port` with the fixture's file and the shared secret key. */
export function serverCommand(id: ServerId, port: number, fixture: AuthFixture, secretKey: string): Command {
  const env = { PORT: String(port), SECRET_KEY: secretKey };
  const file = `bench/auth/servers/${id}.ts`;
  if (id === 'volt')
    return {
      command: process.execPath,
      args: ['--conditions=volt-source', file],
      env: { ...env, VOLT_ENV: 'production', LOG_LEVEL: 'silent', DATABASE_URL: `sqlite:${fixture.file}` },
    };
  return {
    command: process.execPath,
    args: ['--conditions=volt-source', file],
    env: { ...env, AUTH_BENCH_DB: fixture.file },
  };
}

/** Logs in once through Volt's /auth/login and gives the `volt_session=…` cookie pair. */
export async function logIn(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: USERNAME, password: PASSWORD }),
  });
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('volt_session='));
  if (response.status !== 200 || !setCookie)
    throw new Error(`login through Volt failed: ${response.status} ${await response.text()}`);
  return setCookie.split(';')[0]!;
}

/** The headers each scenario sends. */
export function headersOf(scenario: ScenarioId, token: string, cookie: string): Record<string, string> {
  if (scenario === 'token') return { authorization: `Bearer ${token}` };
  if (scenario === 'session') return { cookie };
  return {};
}

/** The path a scenario requests. */
export const pathOf = (scenario: ScenarioId) => (scenario === 'open' ? '/open' : '/me');

/** Writes the wrk script of a scenario (wrk sends its headers on every request). */
export function writeScript(dir: string, scenario: ScenarioId, token: string, cookie: string): string {
  const file = join(dir, `${scenario}.lua`);
  const lines = Object.entries(headersOf(scenario, token, cookie)).map(
    ([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`,
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
