/**
 * The admin in Debian's Chromium (through playwright-core): logging in, the change list's
 * search, filters, sorting and bulk delete, the forms (the autocomplete combobox, validation
 * errors, inlines, a view-only form), history and revert, permissions and policy scopes, the
 * pages without JavaScript, stored XSS, and axe-core on every page in light and dark. Every page
 * visited must show no console error, no CSP violation and no request to another origin.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { query } from 'voltjs/orm';
import { type AdminFixture, Author, Book, Note, PASSWORD, Review, startAdmin, Tag } from './admin-fixture.ts';
import { assertClean, launchBrowser, BROWSER_MISSING as missing, type Trouble, watch } from './browser.ts';

const AXE = readFileSync(
  join(createRequire(import.meta.url).resolve('axe-core'), '..', 'axe.min.js'),
  'utf8',
);

let fixture: AdminFixture;
let origin: string;
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;

before(async () => {
  if (missing) return;
  fixture = await startAdmin();
  origin = fixture.origin;
  browser = await launchBrowser(origin);
});

after(async () => {
  await browser?.close();
  await fixture?.close();
});

/** A browser tab of a fresh context, watched. */
interface Tab {
  context: BrowserContext;
  page: Page;
  trouble: Trouble;
}

async function tab(options: BrowserContextOptions = {}): Promise<Tab> {
  const context = await browser!.newContext(options);
  const page = await context.newPage();
  return { context, page, trouble: watch(page, origin, { errorPages: true }) };
}

/** Logs `username` in through the admin's form; the tab is on the dashboard. */
async function loggedIn(username: string, options: BrowserContextOptions = {}): Promise<Tab> {
  const opened = await tab(options);
  const { page } = opened;
  await page.goto(`${origin}/admin/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${origin}/admin/`);
  return opened;
}

/** Closes the tab's context and checks nothing went wrong on any page it showed. */
async function done({ context, trouble }: Tab): Promise<void> {
  await context.close();
  assertClean(trouble);
}

/** The `url` of the admin, and its status. */
async function visit(page: Page, path: string, status = 200): Promise<void> {
  const response = await page.goto(origin + path);
  assert.equal(response?.status(), status, `${path} answers ${status}`);
}

const db = () => fixture.app.db;

async function author(name: string) {
  return query(db(), Author).create({ name });
}

async function book(
  title: string,
  values: { author: { id: number }; status?: string; price?: string; publishedOn?: string; summary?: string },
) {
  return query(db(), Book).create({
    title,
    authorId: values.author.id,
    status: (values.status ?? 'published') as 'published',
    price: values.price ?? '9.99',
    publishedOn: values.publishedOn ?? null,
    summary: values.summary ?? '',
  });
}

/** The titles in the change list, in order. */
async function listed(page: Page): Promise<string[]> {
  return page.locator('table.results tbody th.field-title').allTextContents();
}

/** The page's messages. */
async function messages(page: Page): Promise<string> {
  return (await page.locator('.messages').textContent()) ?? '';
}

describe('the admin in Chromium', { timeout: 60_000 }, () => {
  test('logging in: a wrong password shows the message and keeps the username', async (t) => {
    if (missing) return t.skip(missing);
    const opened = await tab();
    const { page } = opened;
    await visit(page, '/admin/');
    assert.equal(new URL(page.url()).pathname, '/admin/login');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.message--error').waitFor();
    assert.match(await messages(page), /Please enter the correct username and password for a staff account/);
    assert.equal(await page.getByLabel('Username').inputValue(), 'admin');
    assert.equal(await page.getByLabel('Password').inputValue(), '');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${origin}/admin/`);
    await page.getByRole('heading', { level: 1, name: 'Site administration' }).waitFor();
    assert.match((await page.locator('.user-tools').textContent()) ?? '', /Welcome, admin/);
    await done(opened);
  });

  test('adding a book: the author through the combobox, a tag, then the message and the row', async (t) => {
    if (missing) return t.skip(missing);
    await author('Ursula K. Le Guin');
    await query(db(), Tag).create({ name: 'Anarchism' });
    const opened = await loggedIn('admin');
    const { page } = opened;
    await visit(page, '/admin/shelf/book/add');
    await page.getByLabel('Title').fill('The Dispossessed');
    const combobox = page.getByRole('combobox', { name: 'Author' });
    await combobox.fill('le gu');
    await page.getByRole('option', { name: 'Ursula K. Le Guin' }).waitFor();
    await combobox.press('ArrowDown');
    assert.equal(
      await page.getByRole('option', { name: 'Ursula K. Le Guin' }).getAttribute('aria-selected'),
      'true',
    );
    await combobox.press('Enter');
    assert.equal(await combobox.getAttribute('aria-expanded'), 'false');
    assert.equal(await combobox.inputValue(), 'Ursula K. Le Guin');
    await page.getByLabel('Tags').selectOption({ label: 'Anarchism' });
    await page.getByLabel('Price').fill('14.50');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(`${origin}/admin/shelf/book`);
    assert.match(await messages(page), /The book “The Dispossessed” was added successfully\./);
    const row = page.locator('table.results tbody tr', { hasText: 'The Dispossessed' });
    assert.equal(await row.locator('.field-author').textContent(), 'Ursula K. Le Guin');
    assert.equal(await row.locator('.field-price').textContent(), '14.50');
    const saved = await query(db(), Book).get({ title: 'The Dispossessed' });
    const tags = await query(db(), Book).related(saved, 'tags', Tag).all();
    assert.deepEqual(
      tags.map((tag) => tag.name),
      ['Anarchism'],
    );
    await done(opened);
  });

  test('a validation error keeps the input, marks the fields invalid and focuses the summary', async (t) => {
    if (missing) return t.skip(missing);
    const opened = await loggedIn('admin');
    const { page } = opened;
    await visit(page, '/admin/shelf/book/add');
    await page.getByLabel('Price').fill('twelve');
    await page.getByLabel('Summary').fill('Kept as typed');
    const response = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    assert.equal((await response).status(), 400);
    await page.locator('#error-summary').waitFor();
    await page.locator('#error-summary:focus').waitFor();
    assert.equal(await page.locator('#id_title').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#id_price').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Price').inputValue(), 'twelve');
    assert.equal(await page.getByLabel('Summary').inputValue(), 'Kept as typed');
    const summary = (await page.locator('#error-summary').textContent()) ?? '';
    assert.match(summary, /This field is required/);
    // A link of the summary focuses its field.
    await page.locator('#error-summary a[href="#id_title"]').click();
    assert.equal(await page.locator(':focus').getAttribute('id'), 'id_title');
    await done(opened);
  });

  test('the change list: edit a row, search, filter by status, sort by a column', async (t) => {
    if (missing) return t.skip(missing);
    const herbert = await author('Frank Herbert');
    const dune = await book('Dune', { author: herbert, price: '9.99', status: 'published' });
    await book('Dune Messiah', { author: herbert, status: 'draft' });
    await book('Children of Dune', { author: herbert, status: 'published' });
    const opened = await loggedIn('admin');
    const { page } = opened;

    await visit(page, `/admin/shelf/book/${dune.id}/change`);
    assert.equal(await page.getByLabel('Price').inputValue(), '9.99');
    await page.getByLabel('Price').fill('11.00');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(`${origin}/admin/shelf/book`);
    assert.match(await messages(page), /The book “Dune” was changed successfully\./);
    assert.equal(
      await page
        .locator('table.results tbody tr', { hasText: /^Dune/ })
        .first()
        .locator('.field-price')
        .textContent(),
      '11.00',
    );

    await page.getByLabel('Search books').fill('herbert');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=herbert/);
    assert.deepEqual(await listed(page), ['Children of Dune', 'Dune', 'Dune Messiah']);

    assert.deepEqual(await page.locator('aside.filters h3').allTextContents(), [
      'By status',
      'By author',
      'By published on',
      'By tags',
    ]);
    await page
      .getByRole('complementary', { name: 'Filters' })
      .getByRole('link', { name: 'Published' })
      .click();
    await page.waitForURL(/status__exact=published/);
    assert.match(page.url(), /q=herbert/);
    assert.deepEqual(await listed(page), ['Children of Dune', 'Dune']);
    assert.equal(
      await page
        .getByRole('complementary', { name: 'Filters' })
        .getByRole('link', { name: 'Published' })
        .getAttribute('aria-current'),
      'true',
    );

    const header = page.locator('table.results thead th', { hasText: 'Title' });
    await header.getByRole('link').click();
    await page.waitForURL(/o=/);
    const first = await header.getAttribute('aria-sort');
    const order = await listed(page);
    const sorted = new URL(page.url()).searchParams.get('o');
    await header.getByRole('link').click();
    await page.waitForURL((url) => url.searchParams.get('o') !== sorted);
    const second = await header.getAttribute('aria-sort');
    assert.deepEqual(new Set([first, second]), new Set(['ascending', 'descending']));
    assert.deepEqual(await listed(page), [...order].reverse());
    assert.deepEqual(
      await listed(page),
      second === 'descending' ? ['Dune', 'Children of Dune'] : ['Children of Dune', 'Dune'],
    );
    await done(opened);
  });

  test('bulk delete: select two rows, confirm on the page that lists them, they are gone', async (t) => {
    if (missing) return t.skip(missing);
    const asimov = await author('Isaac Asimov');
    for (const title of ['Foundation', 'Foundation and Empire', 'Second Foundation'])
      await book(title, { author: asimov });
    const opened = await loggedIn('admin');
    const { page } = opened;
    await visit(page, '/admin/shelf/book?q=foundation');
    assert.equal((await listed(page)).length, 3);
    const all = page.getByLabel('Select all rows on this page');
    await all.check();
    assert.equal(await page.locator('.selection-count').textContent(), '3 of 3 selected');
    await page.getByLabel('Select Second Foundation').uncheck();
    assert.equal(await page.locator('.selection-count').textContent(), '2 of 3 selected');
    assert.equal(await page.locator('input.select-all:indeterminate').count(), 1);
    await page.getByLabel('Action').selectOption({ label: 'Delete selected books' });
    await page.getByRole('button', { name: 'Go' }).click();
    await page.getByRole('heading', { level: 1, name: 'Are you sure?' }).waitFor();
    const listing = (await page.locator('main').textContent()) ?? '';
    assert.match(listing, /Foundation and Empire/);
    assert.match(listing, /Foundation(?! and)/);
    assert.doesNotMatch(listing, /Second Foundation/);
    await page.getByRole('button', { name: 'Yes, I’m sure' }).click();
    await page.waitForURL(/\/admin\/shelf\/book\?q=foundation/);
    assert.match(await messages(page), /Successfully deleted 2 books\./);
    assert.deepEqual(await listed(page), ['Second Foundation']);
    assert.equal(await query(db(), Book).filter({ title__icontains: 'foundation' }).count(), 1);
    await done(opened);
  });

  test('history and revert: the old → new value, then the old value back and one more entry', async (t) => {
    if (missing) return t.skip(missing);
    const clarke = await author('Arthur C. Clarke');
    const odyssey = await book('2001: A Space Odyssey', { author: clarke, price: '8.00' });
    const opened = await loggedIn('admin');
    const { page } = opened;
    await visit(page, `/admin/shelf/book/${odyssey.id}/change`);
    await page.getByLabel('Price').fill('12.50');
    await page.getByRole('button', { name: 'Save and continue editing' }).click();
    await page.waitForURL(`${origin}/admin/shelf/book/${odyssey.id}/change`);
    await page.getByRole('link', { name: 'History' }).click();
    await page.waitForURL(/\/history$/);
    const entries = page.locator('table.history-table tbody tr');
    assert.equal(await entries.count(), 2); // added (by the script), changed (here)
    const changed = entries.filter({ hasText: 'Changed' });
    assert.match((await changed.textContent()) ?? '', /admin/);
    const price = changed.locator('.field-change', { hasText: 'Price' });
    assert.equal(await price.locator('del.old').textContent(), '8.00');
    assert.equal(await price.locator('ins.new').textContent(), '12.50');

    await price.getByRole('button', { name: 'Revert price to its old value' }).click();
    await page.waitForURL(/\/history$/);
    assert.match(await messages(page), /Price is back to its old value\./);
    assert.equal(await entries.count(), 3);
    const newest = entries.first().locator('.field-change', { hasText: 'Price' });
    assert.equal(await newest.locator('del.old').textContent(), '12.50');
    assert.equal(await newest.locator('ins.new').textContent(), '8.00');
    await visit(page, `/admin/shelf/book/${odyssey.id}/change`);
    assert.equal(await page.getByLabel('Price').inputValue(), '8.00');
    await done(opened);
  });

  test('a view-only staff user sees a read-only form, no Save button and no Add button', async (t) => {
    if (missing) return t.skip(missing);
    const bradbury = await author('Ray Bradbury');
    const fahrenheit = await book('Fahrenheit 451', { author: bradbury, price: '7.25' });
    const opened = await loggedIn('viewer');
    const { page } = opened;
    await visit(page, '/admin/shelf/book');
    assert.ok((await listed(page)).includes('Fahrenheit 451'));
    assert.equal(await page.getByRole('link', { name: /^Add/ }).count(), 0);
    assert.equal(await page.getByLabel('Action').count(), 0);
    await page.getByRole('link', { name: 'Fahrenheit 451' }).click();
    await page.getByRole('heading', { level: 1, name: 'View book' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Save/ }).count(), 0);
    assert.equal(await page.locator('main form, main input, main select, main textarea').count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Delete' }).count(), 0);
    const price = page.locator('.field--readonly', { hasText: 'Price' });
    assert.equal(await price.locator('.readonly-value').textContent(), '7.25');
    await visit(page, '/admin/');
    assert.equal(await page.getByRole('link', { name: /^Add/ }).count(), 0);
    // A post is refused all the same.
    await visit(page, `/admin/shelf/book/${fahrenheit.id}/change`);
    const csrf = await page.evaluate(async () => {
      const login = await fetch('/admin/password_change');
      return /name="csrf_token" value="([^"]+)"/.exec(await login.text())?.[1];
    });
    const refused = await page.request.post(`${origin}/admin/shelf/book/${fahrenheit.id}/change`, {
      form: { csrf_token: csrf!, title: 'Changed', author: String(bradbury.id), price: '1.00', _save: '1' },
      headers: { origin },
      maxRedirects: 0,
    });
    assert.equal(refused.status(), 403);
    assert.equal((await query(db(), Book).get({ id: fahrenheit.id })).title, 'Fahrenheit 451');
    await done(opened);
  });

  test('a user who is not staff is refused, and told they may not use the admin', async (t) => {
    if (missing) return t.skip(missing);
    const opened = await tab();
    const { page } = opened;
    await visit(page, '/admin/login');
    await page.getByLabel('Username').fill('outsider');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.message--error').waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/login');
    assert.match(await messages(page), /Please enter the correct username and password for a staff account/);

    // Logged in elsewhere on the site (the API's login), the admin still refuses them.
    const login = await page.request.post(`${origin}/auth/login`, {
      data: { username: 'outsider', password: PASSWORD },
      headers: { origin },
    });
    assert.equal(login.status(), 200);
    await visit(page, '/admin/shelf/book');
    assert.equal(new URL(page.url()).pathname, '/admin/login');
    assert.match(await messages(page), /You are logged in as outsider, but may not use the admin/);
    await done(opened);
  });

  test('a policy scope: a staff user lists only their own notes; another’s is the admin’s 404 page', async (t) => {
    if (missing) return t.skip(missing);
    await query(db(), Note).create({ ownerId: fixture.users.ada, title: 'Ada’s reading list' });
    await query(db(), Note).create({ ownerId: fixture.users.ada, title: 'Ada’s wishlist' });
    const bobs = await query(db(), Note).create({ ownerId: fixture.users.bob, title: 'Bob’s secret' });
    const opened = await loggedIn('ada');
    const { page } = opened;
    await visit(page, '/admin/shelf/note');
    assert.deepEqual(await listed(page), ['Ada’s reading list', 'Ada’s wishlist']);
    assert.match((await page.locator('.result-count').textContent()) ?? '', /^2 notes/);
    await visit(page, `/admin/shelf/note/${bobs.id}/change`, 404);
    await page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /Bob’s secret/);
    // The sidebar still shows the admin's navigation on the 404 page.
    await page.getByRole('navigation', { name: 'Models' }).getByRole('link', { name: 'Notes' }).waitFor();
    await visit(page, `/admin/shelf/note/${bobs.id}/history`, 404);
    await done(opened);
  });

  test('without JavaScript: log in, add a book typing the author’s key, switch to the dark theme', async (t) => {
    if (missing) return t.skip(missing);
    const vonnegut = await author('Kurt Vonnegut');
    await query(db(), Tag).create({ name: 'Satire' });
    const opened = await loggedIn('admin', { javaScriptEnabled: false });
    const { page } = opened;
    await visit(page, '/admin/shelf/book/add');
    assert.equal(await page.getByRole('combobox', { name: 'Author' }).count(), 0);
    await page.getByLabel('Title').fill('Cat’s Cradle');
    await page.getByLabel('Author').fill(String(vonnegut.id));
    await page.getByLabel('Tags').selectOption({ label: 'Satire' });
    await page.getByLabel('Price').fill('10.00');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(`${origin}/admin/shelf/book`);
    assert.match(await messages(page), /The book “Cat’s Cradle” was added successfully\./);
    const row = page.locator('table.results tbody tr', { hasText: 'Cat’s Cradle' });
    assert.equal(await row.locator('.field-author').textContent(), 'Kurt Vonnegut');

    assert.equal(await page.locator('html').getAttribute('data-theme'), 'auto');
    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    await page.waitForURL(`${origin}/admin/shelf/book`);
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
    assert.equal(await page.getByRole('button', { name: 'Switch to light mode' }).count(), 1);
    await done(opened);
  });

  test('stored XSS: payloads in rows are text on every page, and no script runs', async (t) => {
    if (missing) return t.skip(missing);
    const payloads = {
      script: '<script>alert(1)</script>',
      attribute: '"><img src=x onerror=alert(1)>',
      url: 'javascript:alert(1)',
      close: '</script><script>alert(1)</script>',
    };
    const opened = await loggedIn('admin');
    const { page } = opened;
    const dialogs: string[] = [];
    page.on('dialog', async (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()} on ${page.url()}`);
      await dialog.dismiss();
    });
    // Written through the admin, so that they are the user's recent actions too.
    await visit(page, '/admin/shelf/author/add');
    await page.getByLabel('Name').fill(payloads.script);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(`${origin}/admin/shelf/author`);
    await visit(page, '/admin/shelf/tag/add');
    await page.getByLabel('Name').fill(payloads.attribute);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(`${origin}/admin/shelf/tag`);
    await visit(page, '/admin/shelf/book/add');
    await page.getByLabel('Title').fill(payloads.attribute);
    const combobox = page.getByRole('combobox', { name: 'Author' });
    await combobox.fill('script');
    await page.getByRole('option', { name: payloads.script }).waitFor();
    await combobox.press('ArrowDown');
    await combobox.press('Enter');
    await page.getByLabel('Tags').selectOption({ label: payloads.attribute });
    await page.getByLabel('Summary').fill(payloads.url);
    await page.getByLabel('Price').fill('1.00');
    await page.getByLabel('Reviewer, row 1').fill(payloads.close);
    await page.getByLabel('Rating, row 1').fill('5');
    await page.getByLabel('Body, row 1').fill(payloads.url);
    await page.getByRole('button', { name: 'Save and continue editing' }).click();
    await page.waitForURL(/\/change$/);
    const bookUrl = new URL(page.url()).pathname;
    await page.getByLabel('Title').fill(payloads.close);
    await page.getByRole('button', { name: 'Save and continue editing' }).click();
    await page.waitForURL(/\/change$/);
    const key = bookUrl.split('/').at(-2)!;

    const shown = async (path: string, texts: string[]) => {
      await visit(page, path);
      // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered, what the user sees
      const text = await page.locator('main').innerText();
      for (const payload of texts) assert.ok(text.includes(payload), `${path} shows ${payload} as text`);
      assert.equal(
        await page.locator('img[src="x"], main script').count(),
        0,
        `${path} has no injected element`,
      );
    };
    await shown('/admin/', [payloads.script, payloads.close]);
    await shown('/admin/shelf/book?q=alert', [payloads.close, payloads.script]);
    await shown('/admin/shelf/author', [payloads.script]);
    await shown(`/admin/shelf/book/${key}/delete`, [payloads.close]);
    await shown(`/admin/shelf/book/${key}/history`, [payloads.attribute, payloads.close, payloads.url]);
    await visit(page, `/admin/shelf/book/${key}/change`);
    assert.equal(await page.getByLabel('Title').inputValue(), payloads.close);
    assert.equal(await page.getByRole('combobox', { name: 'Author' }).inputValue(), payloads.script);
    assert.equal(await page.getByLabel('Summary').inputValue(), payloads.url);
    assert.equal(await page.getByLabel('Reviewer, row 1').inputValue(), payloads.close);
    assert.equal(await page.getByLabel('Tags').locator('option:checked').textContent(), payloads.attribute);
    assert.equal(await page.locator('img[src="x"], main script').count(), 0);
    // The sidebar's filters name the rows too.
    await shown('/admin/shelf/book', [payloads.script, payloads.attribute]);
    assert.deepEqual(dialogs, []);
    await done(opened);
  });
});

/** One axe-core violation, as the failure lists it. */
interface Violation {
  page: string;
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** The serious and critical violations axe-core finds on the page. */
async function axe(page: Page): Promise<Violation[]> {
  // A page reached by a form's POST can show its heading before its stylesheet applies: the
  // colours checked must be the stylesheet's, not the browser's defaults.
  await page.waitForLoadState('load');
  await page.waitForFunction(
    `[...document.styleSheets].some((sheet) => (sheet.href ?? '').includes('/admin/static/admin.'))`,
  );
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(AXE);
  const found = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))`,
  )) as Omit<Violation, 'page'>[];
  const url = new URL(page.url());
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ page: url.pathname + url.search, ...v }));
}

describe('axe-core on every admin page', { timeout: 90_000 }, () => {
  /** Rows every page of the check shows: a book with reviews and a history, and some to delete. */
  let solaris: { id: number };
  let lem: { id: number };
  before(async () => {
    if (missing) return;
    lem = await author('Stanisław Lem');
    await query(db(), Tag).create({ name: 'Philosophy' });
    solaris = await query(db(), Book).create({
      title: 'Solaris',
      authorId: lem.id,
      status: 'published',
      price: '12.00',
      publishedOn: '1961-06-01',
      summary: 'A planet-wide ocean.',
    });
    await query(db(), Review).create({
      bookId: solaris.id,
      reviewer: 'Tarkovsky',
      rating: 4,
      body: 'Too long.',
    });
    await query(db(), Book).filter({ id: solaris.id }).updateOne({ price: '13.50' });
    await book('The Cyberiad', { author: lem, status: 'draft' });
    await book('Fiasco', { author: lem, status: 'draft' });
  });

  const themes = [
    { name: 'light', colorScheme: 'light', toggle: 0, expected: 'auto' },
    { name: 'dark', colorScheme: 'dark', toggle: 0, expected: 'auto' },
    { name: 'light system, dark by the switch', colorScheme: 'light', toggle: 1, expected: 'dark' },
    { name: 'dark system, light by the switch', colorScheme: 'dark', toggle: 1, expected: 'light' },
  ] as const;

  for (const theme of themes)
    test(`${theme.name}: no serious or critical violation`, async (t) => {
      if (missing) return t.skip(missing);
      const options = { colorScheme: theme.colorScheme } as const;
      const violations: Violation[] = [];
      const check = async (page: Page) => {
        assert.equal(await page.locator('html').getAttribute('data-theme'), theme.expected, page.url());
        violations.push(...(await axe(page)));
      };
      const tabs: Tab[] = [];

      const staff = await loggedIn('admin', options);
      tabs.push(staff);
      const { page } = staff;
      for (let i = 0; i < theme.toggle; i++) {
        const saved = page.waitForResponse((r) => r.url().endsWith('/admin/theme'));
        await page.locator('.theme-toggle__button').click();
        assert.equal((await saved).status(), 204);
      }
      const themeCookie = (await staff.context.cookies()).filter((c) => c.name === 'volt_admin_theme');

      const anonymous = await tab(options);
      tabs.push(anonymous);
      await anonymous.context.addCookies(themeCookie);
      await visit(anonymous.page, '/admin/login');
      await check(anonymous.page);

      const pages: [string, number?][] = [
        ['/admin/'],
        ['/admin/shelf'],
        ['/admin/shelf/book'],
        ['/admin/auth/group'],
        ['/admin/shelf/book/add'],
        [`/admin/shelf/book/${solaris.id}/change`],
        // Its books as a stacked inline.
        [`/admin/shelf/author/${lem.id}/change`],
        [`/admin/shelf/book/${solaris.id}/delete`],
        [`/admin/shelf/book/${solaris.id}/history`],
        ['/admin/password_change'],
        [`/admin/auth/user/${fixture.users.viewer}/password`],
        ['/admin/shelf/book/999999/change', 404],
      ];
      for (const [path, status] of pages) {
        await visit(page, path, status);
        await check(page);
      }

      // The form with errors.
      await visit(page, '/admin/shelf/book/add');
      await page.getByLabel('Price').fill('twelve');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.locator('#error-summary').waitFor();
      await check(page);

      // The bulk delete confirmation.
      await visit(page, '/admin/shelf/book?q=lem');
      await page.getByLabel('Select all rows on this page').check();
      await page.getByLabel('Action').selectOption({ label: 'Delete selected books' });
      await page.getByRole('button', { name: 'Go' }).click();
      await page.getByRole('heading', { level: 1, name: 'Are you sure?' }).waitFor();
      await check(page);

      // The view-only form.
      const viewer = await loggedIn('viewer', options);
      tabs.push(viewer);
      await viewer.context.addCookies(themeCookie);
      await visit(viewer.page, `/admin/shelf/book/${solaris.id}/change`);
      await viewer.page.getByRole('heading', { level: 1, name: 'View book' }).waitFor();
      await check(viewer.page);

      for (const opened of tabs) await done(opened);
      assert.deepEqual(
        violations.map((v) => `${v.page}: ${v.id} (${v.impact}) ${v.help} — ${v.targets.join(' | ')}`),
        [],
      );
    });
});
