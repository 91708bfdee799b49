/**
 * Swagger UI's "Authorize" button against `auth()`'s OAuth2 password flow, in Debian's
 * Chromium: the user logs in in the dialog, then "Try it out" on a guarded route sends the
 * bearer token and gets the user — with no console error, CSP violation or foreign request.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type VoltApp, volt } from 'voltjs';
import { auth, createUser, MemoryMailBackend, User } from 'voltjs/auth';
import { connect, type Database, loadMigrations, migrate } from 'voltjs/orm';
import { AUTH_HOOKS, AUTH_PACKAGED } from '../auth/packaged.ts';
import { assertClean, BROWSER_MISSING as missing, openBrowser, watch } from './browser.ts';

let app: VoltApp;
let db: Database;
let origin: string;
let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;

before(async () => {
  if (missing) return;
  db = await connect('sqlite::memory:');
  await migrate(
    db,
    await loadMigrations(join(tmpdir(), 'volt-no-project-migrations'), { packaged: AUTH_PACKAGED }),
    { hooks: AUTH_HOOKS },
  );
  await createUser(
    db,
    User,
    { username: 'ada', password: 'analytical engine 1843' },
    { N: 1024, r: 8, p: 1 },
  );
  app = volt({
    logger: false,
    envFile: false,
    info: { title: 'Authorize test' },
    database: db,
    apps: [auth({ mail: new MemoryMailBackend(), passwordParams: { N: 1024, r: 8, p: 1 } })],
  });
  origin = new URL(await app.listen({ host: '127.0.0.1', port: 0, signals: false })).origin;
  browser = await openBrowser(origin);
});

after(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

test('Swagger UI: Authorize with the password flow, then a guarded route answers with the user', {
  timeout: 120_000,
}, async (t) => {
  if (missing) return t.skip(missing);
  const page = await browser!.context.newPage();
  const trouble = watch(page, origin);
  await page.goto(`${origin}/docs`);
  await page
    .locator('.opblock-summary-path')
    .filter({ hasText: /^\/auth\/me$/ })
    .first()
    .waitFor();

  await page.locator('.auth-wrapper .authorize').click();
  const dialog = page.locator('.dialog-ux');
  await dialog.locator('#oauth_username').fill('ada');
  await dialog.locator('#oauth_password').fill('analytical engine 1843');
  await dialog.locator('button.authorize').first().click();
  await dialog.getByText('Authorized').first().waitFor();
  await dialog.locator('button.btn-done').first().click();

  const me = page
    .locator('.opblock-get')
    .filter({ has: page.locator('.opblock-summary-path', { hasText: /^\/auth\/me$/ }) });
  await me.locator('.opblock-summary').click();
  await me.getByRole('button', { name: 'Try it out' }).click();
  await me.getByRole('button', { name: 'Execute' }).click();
  await me.locator('.live-responses-table .response-col_status').filter({ hasText: '200' }).waitFor();
  assert.match((await me.locator('.live-responses-table').textContent()) ?? '', /"username": "ada"/);
  await page.close();
  assertClean(trouble);
});
