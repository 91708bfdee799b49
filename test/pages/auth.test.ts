/**
 * Swagger UI's "Authorize" button against `createAuth()`'s OAuth2 password flow, in Debian's
 * Chromium: the user logs in in the dialog, then "Try it out" on a guarded route sends the
 * bearer token and gets the user — with no console error, CSP violation or foreign request.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type BrowserContext, chromium } from 'playwright-core';
import { type VoltApp, volt } from 'volt';
import { createAuth, createUser, MemoryMailBackend, User } from 'volt/auth';
import { connect, type Database, loadMigrations, migrate } from 'volt/orm';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing: apt-get install chromium`;

let app: VoltApp;
let db: Database;
let origin: string;
let context: BrowserContext;
let profile: string;

before(async () => {
  if (missing) return;
  db = await connect('sqlite::memory:');
  await migrate(db, await loadMigrations(join(tmpdir(), 'volt-no-project-migrations')));
  await createUser(
    db,
    User,
    { username: 'ada', password: 'analytical engine 1843' },
    { N: 1024, r: 8, p: 1 },
  );
  app = volt({ logger: false, envFile: false, info: { title: 'Authorize test' } });
  createAuth(app, { db, mail: new MemoryMailBackend(), passwordParams: { N: 1024, r: 8, p: 1 } });
  origin = new URL(await app.listen({ host: '127.0.0.1', port: 0, signals: false })).origin;
  profile = mkdtempSync(join(tmpdir(), 'volt-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  await context.route('**/*', (route) =>
    new URL(route.request().url()).origin === origin ? route.continue() : route.abort('blockedbyclient'),
  );
});

after(async () => {
  await context?.close();
  await app?.close();
  await db?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('Swagger UI: Authorize with the password flow, then a guarded route answers with the user', {
  timeout: 120_000,
}, async (t) => {
  if (missing) return t.skip(missing);
  const page = await context.newPage();
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin)
      foreign.push(url);
  });
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
  assert.deepEqual(errors, [], 'console errors or CSP violations');
  assert.deepEqual(foreign, [], 'requests to another origin');
});
