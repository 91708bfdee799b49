/**
 * The docs pages in a real browser (Debian's Chromium through playwright-core): the example
 * app's operations render in Swagger UI and in Scalar, "Try it out" works, and nothing goes
 * wrong on the way — no console error, no CSP violation, no request to another origin.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { VoltApp } from 'volt';

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
// Without the browser each test is reported as skipped, with this reason, never as passed.
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing: apt-get install chromium`;

/** What went wrong while a page was open. */
interface Trouble {
  errors: string[];
  foreign: string[];
}

describe('docs pages in Chromium', { timeout: 120_000 }, () => {
  let app: VoltApp;
  let origin: string;
  let context: BrowserContext;
  let profile: string;

  before(async () => {
    if (missing) return;
    // The example reads its settings from the environment; run it as under test.
    process.env.VOLT_ENV ??= 'test';
    ({ app } = await import('../../examples/hello/app.ts'));
    origin = new URL(await app.listen({ host: '127.0.0.1', port: 0, signals: false })).origin;
    profile = mkdtempSync(join(tmpdir(), 'volt-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 900 },
    });
    // Nothing may leave the origin: such a request is recorded by the page and never sent.
    await context.route('**/*', (route) =>
      new URL(route.request().url()).origin === origin ? route.continue() : route.abort('blockedbyclient'),
    );
  });

  after(async () => {
    await context?.close();
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(path: string): Promise<{ page: Page; trouble: Trouble }> {
    const page = await context.newPage();
    const trouble: Trouble = { errors: [], foreign: [] };
    page.on('console', (message) => {
      if (message.type() === 'error') trouble.errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => trouble.errors.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      const url = request.url();
      // data: and blob: URLs are made inside the page and never reach the network.
      if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin) {
        trouble.foreign.push(url);
      }
    });
    const response = await page.goto(origin + path);
    assert.equal(response?.status(), 200);
    return { page, trouble };
  }

  function assertClean(trouble: Trouble): void {
    assert.deepEqual(trouble.errors, [], 'console errors or CSP violations');
    assert.deepEqual(trouble.foreign, [], 'requests to another origin');
  }

  test('/docs renders every operation and "Try it out" reaches the API', async (t) => {
    if (missing) return t.skip(missing);
    const { page, trouble } = await open('/docs');
    const paths = page.locator('.opblock-summary-path');
    await paths.filter({ hasText: /^\/items$/ }).waitFor();
    for (const path of ['/json', '/items', '/users/{id}', '/notes', '/notes/{id}', '/countdown']) {
      assert.ok(
        await paths.filter({ hasText: new RegExp(`^${path.replace(/[{}]/g, '\\$&')}$`) }).count(),
        path,
      );
    }
    await page.screenshot({ path: '/tmp/docs.png' });

    const json = page.locator('#operations-bench-getJson');
    await json.locator('.opblock-summary').click();
    await json.getByRole('button', { name: 'Try it out' }).click();
    await json.getByRole('button', { name: 'Execute' }).click();
    await json.locator('.live-responses-table .response-col_status').filter({ hasText: '200' }).waitFor();
    assert.match((await json.locator('.live-responses-table').textContent()) ?? '', /Hello, World!/);
    await page.close();
    assertClean(trouble);
  });

  test('/redoc renders the document with Scalar', async (t) => {
    if (missing) return t.skip(missing);
    const { page, trouble } = await open('/redoc');
    await page.getByRole('heading', { name: 'Volt hello' }).waitFor();
    await page.getByText('/users/{id}').first().waitFor();
    await page.getByText('Validate an item').first().waitFor();
    await page.screenshot({ path: '/tmp/redoc.png' });
    await page.close();
    assertClean(trouble);
  });
});
