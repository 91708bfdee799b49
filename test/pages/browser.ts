/**
 * Debian's Chromium for the page tests, through playwright-core (never a downloaded browser):
 * a headless profile that can reach only the app under test, and a watch on each page for
 * console errors, CSP violations and requests to another origin.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps trying hosts this closed network refuses.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the page tests cannot run here (each is reported as skipped with it), or `undefined`. */
export const BROWSER_MISSING = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is missing: apt-get install chromium`;

/** A headless browser whose requests outside `origin` are recorded by the page and never sent. */
export async function openBrowser(
  origin: string,
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'volt-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  await context.route('**/*', (route) =>
    new URL(route.request().url()).origin === origin ? route.continue() : route.abort('blockedbyclient'),
  );
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A headless browser that opens fresh contexts (each its own cookies, colour scheme, JavaScript
 * switch…), whose requests outside `origin` are recorded by the page and never sent.
 */
export async function launchBrowser(origin: string): Promise<{
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    async newContext(options = {}) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
      await context.route('**/*', (route) =>
        new URL(route.request().url()).origin === origin ? route.continue() : route.abort('blockedbyclient'),
      );
      return context;
    },
    close: () => browser.close(),
  };
}

/** What went wrong while a page was open. */
export interface Trouble {
  errors: string[];
  foreign: string[];
}

/** The line Chromium logs for a response with an error status. */
const ERROR_STATUS = /^Failed to load resource: the server responded with a status of [45]\d\d\b/;

/**
 * Records the page's console errors, page errors and requests to another origin. A page that
 * answers an error status on purpose (a 404 page, a form with errors) makes Chromium log that
 * status: with `errorPages`, that line about the page itself is not counted.
 */
export function watch(page: Page, origin: string, options: { errorPages?: boolean } = {}): Trouble {
  const trouble: Trouble = { errors: [], foreign: [] };
  const errorPages = new Set<string>();
  if (options.errorPages)
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.status() >= 400)
        errorPages.add(response.url());
    });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (ERROR_STATUS.test(message.text()) && errorPages.has(message.location().url)) return;
    trouble.errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => trouble.errors.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    // data: and blob: URLs are made inside the page and never reach the network.
    if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin) {
      trouble.foreign.push(url);
    }
  });
  return trouble;
}

/** Fails when anything went wrong on the page. */
export function assertClean(trouble: Trouble): void {
  assert.deepEqual(trouble.errors, [], 'console errors or CSP violations');
  assert.deepEqual(trouble.foreign, [], 'requests to another origin');
}
