/**
 * The admin guide's screenshots (docs/guides/admin/*.png): the dashboard, a change list with
 * its filters, a change form with its inline reviews and a row's history, each in light and
 * dark, at 1280×800, taken in Debian's Chromium from the page tests' app (test/pages/
 * admin-fixture.ts) filled with a small science-fiction library. The edits are made through
 * the admin's forms, so that the dashboard's recent actions and the history are real.
 *
 * Usage: `node --conditions=volt-source scripts/admin-screenshots.ts` (not run by the tests).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createUser, saveUserFields, User } from 'voltjs/auth';
import { query } from 'voltjs/orm';
import { Author, Book, PASSWORD, Review, startAdmin, Tag } from '../test/pages/admin-fixture.ts';
import { BROWSER_MISSING, launchBrowser } from '../test/pages/browser.ts';

const OUT = join(import.meta.dirname, '..', 'docs', 'guides', 'admin');

const AUTHORS: [string, string][] = [
  ['Ursula K. Le Guin', '1929-10-21'],
  ['Octavia E. Butler', '1947-06-22'],
  ['Isaac Asimov', '1920-01-02'],
  ['Frank Herbert', '1920-10-08'],
  ['Arthur C. Clarke', '1917-12-16'],
  ['Philip K. Dick', '1928-12-16'],
  ['William Gibson', '1948-03-17'],
  ['N. K. Jemisin', '1972-09-19'],
  ['Stanisław Lem', '1921-09-12'],
  ['Iain M. Banks', '1954-02-16'],
];

const TAGS = ['Classic', 'Cyberpunk', 'Dystopia', 'Hugo Award', 'Nebula Award', 'Space opera'];

/** Title, author, status, price, published on, tags. */
const BOOKS: [string, string, string, string, string | null, string[]][] = [
  [
    'The Left Hand of Darkness',
    'Ursula K. Le Guin',
    'published',
    '15.99',
    '1969-03-01',
    ['Classic', 'Hugo Award'],
  ],
  [
    'The Dispossessed',
    'Ursula K. Le Guin',
    'published',
    '16.99',
    '1974-05-01',
    ['Hugo Award', 'Nebula Award'],
  ],
  ['Kindred', 'Octavia E. Butler', 'published', '14.00', '1979-06-01', ['Classic']],
  ['Parable of the Sower', 'Octavia E. Butler', 'published', '15.00', '1993-10-01', ['Dystopia']],
  ['Foundation', 'Isaac Asimov', 'outOfPrint', '9.99', '1951-05-01', ['Classic', 'Space opera']],
  ['Dune', 'Frank Herbert', 'published', '18.00', '1965-08-01', ['Hugo Award', 'Nebula Award']],
  ['Rendezvous with Rama', 'Arthur C. Clarke', 'published', '12.50', '1973-06-01', ['Hugo Award']],
  ['Ubik', 'Philip K. Dick', 'outOfPrint', '11.00', '1969-05-01', []],
  ['Foundation and Empire', 'Isaac Asimov', 'draft', '9.99', null, []],
  ['Neuromancer', 'William Gibson', 'published', '13.99', '1984-07-01', ['Cyberpunk', 'Hugo Award']],
  ['The Fifth Season', 'N. K. Jemisin', 'published', '17.00', '2015-08-04', ['Hugo Award']],
  ['Solaris', 'Stanisław Lem', 'draft', '12.00', null, ['Classic']],
  ['Consider Phlebas', 'Iain M. Banks', 'draft', '14.50', null, ['Space opera']],
];

const REVIEWS: [string, number, string][] = [
  ['Joanna Russ', 5, 'A thought experiment that never stops being a novel.'],
  ['Samuel R. Delany', 4, 'Patient, cold and warm at once; the sledge journey stays with you.'],
];

if (BROWSER_MISSING) {
  console.error(BROWSER_MISSING);
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });
const fixture = await startAdmin();
const { app, origin } = fixture;
const db = app.db;

const authors = new Map<string, number>();
for (const [name, born] of AUTHORS)
  authors.set(name, (await query(db, Author).create({ name, born: born as never })).id);
const tags = new Map<string, number>();
for (const name of TAGS) tags.set(name, (await query(db, Tag).create({ name })).id);
const books = new Map<string, number>();
for (const [title, by, status, price, publishedOn, tagged] of BOOKS) {
  const row = await query(db, Book).create({
    title,
    authorId: authors.get(by)!,
    status: status as 'published',
    price,
    publishedOn: publishedOn as never,
    summary: '',
  });
  books.set(title, row.id);
  await query(db, Book)
    .related(row, 'tags', Tag)
    .set(tagged.map((name) => tags.get(name)!) as never);
}
const featured = books.get('The Left Hand of Darkness')!;
for (const [reviewer, rating, body] of REVIEWS)
  await query(db, Review).create({ bookId: featured, reviewer, rating, body });

// The editor: a superuser with a name from the field's history.
const judith = await createUser(
  db,
  User,
  { username: 'judith', password: PASSWORD },
  { N: 1024, r: 8, p: 1 },
);
await saveUserFields(db, User, judith.id, { isStaff: true, isSuperuser: true });

const browser = await launchBrowser(origin);
try {
  // A few edits through the admin: the dashboard's recent actions and the book's history.
  const editor = await browser.newContext();
  const page = await editor.newPage();
  await page.goto(`${origin}/admin/login`);
  await page.getByLabel('Username').fill('judith');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${origin}/admin/`);
  const edit = async (title: string, changes: (p: typeof page) => Promise<unknown>) => {
    await page.goto(`${origin}/admin/shelf/book/${books.get(title)}/change`);
    await changes(page);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(`${origin}/admin/shelf/book`);
  };
  await edit('The Left Hand of Darkness', async (p) => {
    await p.getByLabel('Price').fill('17.99');
    await p
      .getByLabel('Summary')
      .fill('On the planet Gethen, an envoy learns what it means to be neither man nor woman.');
  });
  await edit('The Left Hand of Darkness', (p) => p.getByLabel('Status').selectOption('outOfPrint'));
  await edit('The Left Hand of Darkness', (p) => p.getByLabel('Status').selectOption('published'));
  await edit('Solaris', (p) => p.getByLabel('Price').fill('13.50'));
  // A delete, an add through the author's search box, and one more change.
  await page.goto(`${origin}/admin/shelf/book/${books.get('Foundation and Empire')}/delete`);
  await page.getByRole('button', { name: 'Yes, I’m sure' }).click();
  await page.waitForURL(`${origin}/admin/shelf/book`);
  await page.goto(`${origin}/admin/shelf/book/add`);
  await page.getByLabel('Title').fill('The Lathe of Heaven');
  const author = page.getByRole('combobox', { name: 'Author' });
  await author.fill('le guin');
  await page.getByRole('option', { name: 'Ursula K. Le Guin' }).waitFor();
  await author.press('ArrowDown');
  await author.press('Enter');
  await page.getByLabel('Tags').selectOption({ label: 'Classic' });
  await page.getByLabel('Price').fill('13.00');
  await page.getByLabel('Published on').fill('1971-03-01');
  await page.getByLabel('Status').selectOption('published');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL(`${origin}/admin/shelf/book`);
  await edit('Consider Phlebas', (p) => p.getByLabel('Status').selectOption('published'));
  const cookies = await editor.cookies();
  await editor.close();

  const shots: [string, string][] = [
    ['dashboard', '/admin/'],
    ['changelist', '/admin/shelf/book'],
    ['change-form', `/admin/shelf/book/${featured}/change`],
    ['history', `/admin/shelf/book/${featured}/history`],
  ];
  for (const scheme of ['light', 'dark'] as const) {
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 800 } });
    await context.addCookies(cookies);
    const tab = await context.newPage();
    for (const [name, path] of shots) {
      await tab.goto(origin + path);
      const file = join(OUT, `${name}-${scheme}.png`);
      await tab.screenshot({ path: file, fullPage: false });
      console.log(file);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await fixture.close();
}
