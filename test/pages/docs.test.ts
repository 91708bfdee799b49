/**
 * The docs pages in a real browser (Debian's Chromium through playwright-core): the example
 * app's operations render in Swagger UI and in Scalar, "Try it out" works, and nothing goes
 * wrong on the way — no console error, no CSP violation, no request to another origin.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { VoltApp } from 'voltjs';
import { assertClean, BROWSER_MISSING as missing, openBrowser, type Trouble, watch } from './browser.ts';

describe('docs pages in Chromium', { timeout: 120_000 }, () => {
  let app: VoltApp;
  let origin: string;
  let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;

  before(async () => {
    if (missing) return;
    // The example reads its settings from the environment; run it as under test.
    process.env.VOLT_ENV ??= 'test';
    ({ app } = await import('../../examples/hello/app.ts'));
    origin = new URL(await app.listen({ host: '127.0.0.1', port: 0, signals: false })).origin;
    browser = await openBrowser(origin);
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  async function open(path: string): Promise<{ page: Page; trouble: Trouble }> {
    const page = await browser!.context.newPage();
    const trouble = watch(page, origin);
    const response = await page.goto(origin + path);
    assert.equal(response?.status(), 200);
    return { page, trouble };
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
