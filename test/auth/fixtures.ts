/**
 * An app with users for the auth tests: in-memory SQLite with the auth tables, a memory mail
 * backend, cheap password hashing, and a few guarded routes.
 */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import type { TestContext } from 'node:test';
import { type AppOptions, t as types, volt } from 'voltjs';
import {
  type AuthOptions,
  createUser,
  Group,
  MemoryMailBackend,
  Permission,
  Session,
  Token,
  User,
  auth as users,
} from 'voltjs/auth';
import { type Database, f, model } from 'voltjs/orm';
import { testClient, testDatabase } from 'voltjs/testing';
import { createTables } from '../../src/orm/ddl.ts';

/** Cheap scrypt parameters: the tests check behaviour, not hashing cost. */
export const FAST = { N: 1024, r: 8, p: 1 };

/** A model of the fixture app's routes: its permissions (`shop.view_report`…) are known. */
export const Report = model('shop.Report', { title: f.string({ maxLength: 100 }) });

/** Alice's password. */
export const PASSWORD = 'correct horse battery staple';

/** Creates a user with a hashed password. */
export async function addUser(db: Database, username: string, extra: Record<string, unknown> = {}) {
  return createUser(
    db,
    User,
    { username, email: `${username}@example.com`, password: PASSWORD, ...extra } as never,
    FAST,
  );
}

/** An app with auth on a fresh database, Alice in it, closed after the test. */
export async function authApp(
  t: TestContext,
  options: { app?: AppOptions; auth?: Partial<AuthOptions>; db?: Database } = {},
) {
  const db = options.db ?? (await testDatabase());
  if (!options.db) await createTables(db, [Permission, Group, User, Session, Token]);
  const mail = new MemoryMailBackend();
  const auth = users({ mail, passwordParams: FAST, ...options.auth });
  const app = volt({
    docs: false,
    logger: false,
    envFile: false,
    database: db,
    apps: [auth],
    ...options.app,
  });
  app.get('/private', { deps: { user: auth.requireUser } }, (ctx) => ({
    username: ctx.deps.user.row.username as string,
  }));
  app.post(
    '/private',
    {
      deps: { user: auth.requireUser },
      bodyTypes: ['application/x-www-form-urlencoded', 'application/json'],
      body: types.Object({ note: types.String() }),
    },
    (ctx) => ({
      username: ctx.deps.user.row.username as string,
      note: ctx.body.note,
    }),
  );
  app.get('/reports', { deps: { user: auth.requirePerm('shop.view_report') } }, () => ({ ok: true }));
  app.get('/page', {}, (ctx) => {
    ctx.header('content-type', 'text/html; charset=utf-8');
    return '<!doctype html><title>page</title>';
  });
  const alice = await addUser(db, 'alice');
  const client = testClient(app, { cookieJar: true });
  t.after(async () => {
    await client.close();
    if (!options.db) await db.close();
  });
  return { db, app, auth, mail, alice, client };
}

/** Logs a cookie-keeping client in as `username`; returns the login response. */
export async function logIn(client: ReturnType<typeof testClient>, username = 'alice', password = PASSWORD) {
  // A browser that already has a session sends its CSRF token with the login form.
  const headers = client.cookies.size > 0 ? { 'x-csrf-token': await csrf(client) } : undefined;
  return client.post('/auth/login', { json: { username, password }, ...(headers ? { headers } : {}) });
}

/** The CSRF token of the client's session (starting one if needed). */
export async function csrf(client: ReturnType<typeof testClient>): Promise<string> {
  return (await client.get<{ csrfToken: string }>('/auth/csrf')).json().csrfToken;
}

/**
 * Counts the scrypt derivations (password hashes and verifications) of this process until the
 * test ends, with the cost of each: `calls` grows by one per hash computed.
 */
export function countHashing(t: TestContext): { calls: Array<{ N: number; r: number; p: number }> } {
  const calls: Array<{ N: number; r: number; p: number }> = [];
  const original = crypto.scrypt;
  (crypto as { scrypt: unknown }).scrypt = (...args: unknown[]) => {
    const options = args[3] as { N: number; r: number; p: number };
    calls.push({ N: options.N, r: options.r, p: options.p });
    return (original as (...a: unknown[]) => void)(...args);
  };
  // The `import { scrypt } from 'node:crypto'` bindings of the modules under test follow.
  syncBuiltinESMExports();
  t.after(() => {
    (crypto as { scrypt: unknown }).scrypt = original;
    syncBuiltinESMExports();
  });
  return { calls };
}
