/**
 * The change list: sorting, search across relations, each kind of filter, pages, the refusal
 * of undeclared parameters, the policy's scope on every way of reading the rows, bulk actions
 * (delete with its confirmation, a custom one), the CSV export, saved list settings, and a
 * page whose statements do not grow with its rows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { query } from 'voltjs/orm';
import { countQueries, testDatabase } from 'voltjs/testing';
import { Author, Book, catalog, fill, messagesOf, Review, rowsOf } from './fixture.ts';

/** The column headers of a change list. */
function headersOf(page: string): string[] {
  const head = /<thead><tr>(.*?)<\/tr><\/thead>/su.exec(page)?.[1] ?? '';
  return [...head.matchAll(/<th scope="col"[^>]*>(?:<a [^>]*>)?([^<]+)/gu)].map((m) => m[1]!.trim());
}

test('a column header sorts the list, and again the other way', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const root = await cat.as('root');
  const list = await root.get('/admin/catalog/book');
  const href = /<a class="sort-link" href="([^"]+)">Price/u.exec(list.text)![1]!.replaceAll('&amp;', '&');
  const up = await root.get(`/admin/catalog/book${href}`);
  assert.deepEqual(rowsOf(up.text), ['Book 001', 'Book 002', 'Book 003', 'Book 004', 'Book 005', 'Book 006']);
  assert.match(up.text, /aria-sort="ascending"/u);
  const down = await root.get('/admin/catalog/book?o=-price');
  assert.deepEqual(rowsOf(down.text), [
    'Book 006',
    'Book 005',
    'Book 004',
    'Book 003',
    'Book 002',
    'Book 001',
  ]);
  assert.match(down.text, /aria-sort="descending"/u);
});

test('the search looks across a relation', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const root = await cat.as('root');
  const res = await root.get('/admin/catalog/book?q=dylan');
  assert.equal(res.status, 200);
  assert.deepEqual(rowsOf(res.text), ['Book 002', 'Book 004', 'Book 006']);
  assert.match(res.text, /3 books/u);
  assert.deepEqual(rowsOf((await root.get('/admin/catalog/book?q=ISBN-5')).text), ['Book 005']);
});

test('a boolean filter keeps the rows of its value', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const root = await cat.as('root');
  const list = await root.get('/admin/catalog/book');
  assert.match(list.text, /<h3>By featured<\/h3>/u);
  assert.deepEqual(rowsOf((await root.get('/admin/catalog/book?featured__exact=true')).text), ['Book 001']);
  assert.equal(rowsOf((await root.get('/admin/catalog/book?featured__exact=false')).text).length, 5);
});

test('a choices filter keeps the rows of its choice', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const root = await cat.as('root');
  const list = await root.get('/admin/catalog/book');
  assert.match(list.text, /<a href="\?status__exact=published">Published<\/a>/u);
  const res = await root.get('/admin/catalog/book?status__exact=published');
  assert.deepEqual(rowsOf(res.text), ['Book 003', 'Book 006']);
  assert.match(res.text, /<a href="\?status__exact=published" aria-current="true">Published<\/a>/u);
});

test('a foreign-key filter lists the related rows and keeps the rows of one', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const list = await root.get('/admin/catalog/book');
  assert.match(list.text, new RegExp(`<a href="\\?author__exact=${data.bob.id}">Bob Dylan</a>`, 'u'));
  const res = await root.get(`/admin/catalog/book?author__exact=${data.bob.id}`);
  assert.deepEqual(rowsOf(res.text), ['Book 002', 'Book 004', 'Book 006']);
});

test('a date filter keeps the rows in its range', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const root = await cat.as('root');
  // Book 003 was published on 2024-04-15, Book 006 on 2024-07-15.
  const res = await root.get('/admin/catalog/book?publishedOn__gte=2024-05-01&publishedOn__lte=2024-12-31');
  assert.equal(res.status, 200);
  assert.deepEqual(rowsOf(res.text), ['Book 006']);
  assert.deepEqual(rowsOf((await root.get('/admin/catalog/book?publishedOn__isNull=true')).text).length, 4);
  const bad = await root.get('/admin/catalog/book?publishedOn__gte=soon');
  assert.equal(bad.status, 400);
});

test('a custom filter keeps the rows its choice selects', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const root = await cat.as('root');
  const list = await root.get('/admin/catalog/book');
  assert.match(list.text, /<h3>By price band<\/h3>/u);
  assert.deepEqual(rowsOf((await root.get('/admin/catalog/book?band=cheap')).text), [
    'Book 001',
    'Book 002',
    'Book 003',
  ]);
  assert.equal((await root.get('/admin/catalog/book?band=free')).status, 400);
});

test('a list longer than a page has page links, and a page past the end is a 404', async (t) => {
  const cat = await catalog(t, {
    options: new Map([[Book, { list: ['title', 'author'], pageSize: 2 }]]),
  });
  await fill(cat, 5);
  const root = await cat.as('root');
  const first = await root.get('/admin/catalog/book');
  assert.deepEqual(rowsOf(first.text), ['Book 001', 'Book 002']);
  assert.match(first.text, /5 books/u);
  assert.match(first.text, /<a href="\?p=3">3<span class="visually-hidden"> \(page\)<\/span><\/a>/u);
  const second = await root.get('/admin/catalog/book?p=2');
  assert.deepEqual(rowsOf(second.text), ['Book 003', 'Book 004']);
  assert.match(second.text, /<span aria-current="page">2<\/span>/u);
  assert.deepEqual(rowsOf((await root.get('/admin/catalog/book?p=3')).text), ['Book 005']);
  assert.equal((await root.get('/admin/catalog/book?p=9')).status, 404);
  assert.equal((await root.get('/admin/catalog/book?p=zero')).status, 400);
});

test('a parameter the list does not declare is refused, naming it', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const root = await cat.as('root');
  const res = await root.get('/admin/catalog/book?price__gte=5');
  assert.equal(res.status, 400);
  assert.match(String(res.headers['content-type']), /^text\/html/u);
  assert.match(
    res.text,
    /The list has no parameter &#39;price__gte&#39;|The list has no parameter 'price__gte'/u,
  );
  const near = await root.get('/admin/catalog/book?statu__exact=draft');
  assert.equal(near.status, 400);
  assert.match(near.text, /did you mean/u);
});

test('sorting by a column the list does not show is refused, naming it', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const root = await cat.as('root');
  const res = await root.get('/admin/catalog/book?o=isbn');
  assert.equal(res.status, 400);
  assert.match(res.text, /cannot be sorted by (&#39;|')isbn/u);
});

test('the scope of a model’s policy hides other owners’ rows from the list and its count', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const editor = await cat.as('editor');
  const res = await editor.get('/admin/catalog/note');
  assert.equal(res.status, 200);
  assert.deepEqual(rowsOf(res.text), ['editor plan']);
  assert.match(res.text, /<p class="result-count">1 note</u);
  assert.doesNotMatch(res.text, /viewer secret|root memo/u);
  const searched = await editor.get('/admin/catalog/note?q=secret');
  assert.deepEqual(rowsOf(searched.text), []);
  const root = await cat.as('root');
  assert.equal(rowsOf((await root.get('/admin/catalog/note')).text).length, 3);
});

test('the scope hides other owners’ rows from the CSV export', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const editor = await cat.as('editor');
  const res = await editor.get('/admin/catalog/note/export.csv');
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^text\/csv/u);
  assert.equal(res.text, 'Text,Owner\r\neditor plan,editor\r\n');
});

test('the scope hides other owners’ rows from a relation’s autocomplete', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const editor = await cat.as('editor');
  const all = await editor.get('/admin/catalog/task/autocomplete?field=note&term=');
  assert.equal(all.status, 200);
  assert.deepEqual(
    (all.json() as { results: { text: string }[] }).results.map((r) => r.text),
    ['editor plan'],
  );
  const hidden = await editor.get('/admin/catalog/task/autocomplete?field=note&term=memo');
  assert.deepEqual((hidden.json() as { results: unknown[] }).results, []);
});

test('the scope hides other owners’ rows from a foreign-key filter’s choices', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const editor = await cat.as('editor');
  const res = await editor.get('/admin/catalog/task');
  assert.equal(res.status, 200);
  const sidebar = /<aside class="filters".*<\/aside>/su.exec(res.text)![0];
  assert.match(sidebar, new RegExp(`note__exact=${data.editorNote.id}">editor plan<`, 'u'));
  assert.doesNotMatch(sidebar, /root memo|viewer secret/u);
});

test('deleting selected rows asks first, listing what goes with them, then deletes them', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const selected = [String(data.books[0].id), String(data.books[1].id)];
  const ask = await root.post('/admin/catalog/book', {
    action: 'deleteSelected',
    _selected_action: selected,
  });
  assert.equal(ask.status, 200);
  assert.match(ask.text, /Are you sure you want to delete the 2 selected books\?/u);
  assert.match(ask.text, />Book 001<\/a>/u);
  assert.match(ask.text, />Book 002<\/a>/u);
  assert.match(ask.text, /<li>1 review<\/li>/u);
  assert.equal(await query(cat.db, Book).count(), 6);
  const done = await root.post('/admin/catalog/book', {
    action: 'deleteSelected',
    _selected_action: selected,
    post: 'yes',
  });
  assert.equal(done.status, 303);
  assert.deepEqual(messagesOf((await root.get(String(done.headers.location))).text), [
    'Successfully deleted 2 books.',
  ]);
  assert.equal(await query(cat.db, Book).count(), 4);
  assert.equal(await query(cat.db, Review).count(), 0);
});

test('a protected related row blocks a bulk delete, and none of the selection is deleted', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const lonely = await query(cat.db, Author).create({ name: 'Cy Twombly' } as never);
  const root = await cat.as('root');
  const selected = [String(data.ada.id), String(lonely.id)];
  const ask = await root.post('/admin/catalog/author', {
    action: 'deleteSelected',
    _selected_action: selected,
  });
  assert.equal(ask.status, 200);
  assert.match(ask.text, /It cannot be deleted/u);
  assert.doesNotMatch(ask.text, /Yes, I’m sure/u);
  const forced = await root.post('/admin/catalog/author', {
    action: 'deleteSelected',
    _selected_action: selected,
    post: 'yes',
  });
  assert.equal(forced.status, 303);
  const [message] = messagesOf((await root.get(String(forced.headers.location))).text);
  assert.match(message!, /^Nothing was deleted/u);
  assert.equal(await query(cat.db, Author).count(), 3);
});

test('a custom action runs on the selected rows and shows its message', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const editor = await cat.as('editor');
  const res = await editor.post('/admin/catalog/book?status__exact=draft', {
    action: 'publish',
    _selected_action: [String(data.books[0].id), String(data.books[1].id)],
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/admin/catalog/book?status__exact=draft');
  assert.deepEqual(messagesOf((await editor.get(String(res.headers.location))).text), ['2 books published.']);
  const published = await query(cat.db, Book).filter({ status: 'published' }).values('title');
  assert.deepEqual(
    published.map((r) => r.title),
    ['Book 001', 'Book 002', 'Book 003', 'Book 006'],
  );
});

test('a user without the action’s permission cannot run it', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const viewer = await cat.as('viewer');
  const list = await viewer.get('/admin/catalog/book');
  assert.doesNotMatch(list.text, /value="publish"/u);
  const res = await viewer.post('/admin/catalog/book', {
    action: 'publish',
    _selected_action: String(data.books[0].id),
  });
  assert.equal(res.status, 403);
  assert.equal(await query(cat.db, Book).filter({ status: 'published' }).count(), 2);
});

test('the CSV export neutralises cells a spreadsheet would read as a formula', async (t) => {
  const cat = await catalog(t);
  for (const name of ['=1+2', '+SUM(A1)', '-3', '@cmd', 'plain, "quoted"'])
    await query(cat.db, Author).create({ name } as never);
  const root = await cat.as('root');
  const res = await root.get('/admin/catalog/author/export.csv?o=name');
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-disposition']), /attachment; filename="authors\.csv"/u);
  const names = res.text
    .trim()
    .split('\r\n')
    .slice(1)
    .map((line) => line.replace(/,,,Yes$/u, ''));
  assert.deepEqual(names, [`"'+SUM(A1)"`, `"'-3"`, `"'=1+2"`, `"'@cmd"`, `"plain, ""quoted"""`]);
});

test('the CSV export has the rows of the list’s filters and search', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const root = await cat.as('root');
  const res = await root.get('/admin/catalog/book/export.csv?status__exact=published&o=-title');
  assert.equal(
    res.text,
    'Title,Author,Status,Price,Published on\r\nBook 006,Bob Dylan,Published,18,2024-07-15\r\nBook 003,Ada Lovelace,Published,9,2024-04-15\r\n',
  );
});

test('saved list settings choose the columns and open the list with the saved filters', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const editor = await cat.as('editor');
  const saved = await editor.post('/admin/catalog/book/settings', {
    columns: ['title', 'price'],
    query: 'status__exact=published',
    saveFilters: '1',
  });
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.location, '/admin/catalog/book?status__exact=published');
  const bare = await editor.get('/admin/catalog/book');
  assert.equal(bare.status, 302);
  assert.equal(bare.headers.location, '/admin/catalog/book?status__exact=published');
  const list = await editor.get('/admin/catalog/book?status__exact=published');
  assert.deepEqual(headersOf(list.text), ['Title', 'Price']);
  assert.deepEqual(rowsOf(list.text), ['Book 003', 'Book 006']);
  // Kept in the database: another session of the same user gets them.
  const again = await cat.as('editor');
  assert.equal((await again.get('/admin/catalog/book')).status, 302);
  // Not another user's.
  const root = await cat.as('root');
  assert.equal((await root.get('/admin/catalog/book')).status, 200);
  const reset = await editor.post('/admin/catalog/book/settings', { reset: '1' });
  assert.equal(reset.status, 303);
  const after = await editor.get('/admin/catalog/book');
  assert.equal(after.status, 200);
  assert.deepEqual(headersOf(after.text), ['Title', 'Author', 'Status', 'Price', 'Published on']);
});

test('a list page costs as many statements with 50 rows as with 5 (a foreign-key column, a filter and a search)', async (t) => {
  const db = await testDatabase();
  t.after(() => db.close());
  const counter = countQueries(db);
  const cat = await catalog(t, { db: counter.db });
  const authors: Record<string, any>[] = [];
  for (const name of ['Ada', 'Bob', 'Cy', 'Dee', 'Eve'])
    authors.push(await query(db, Author).create({ name } as never));
  const addBooks = async (from: number, to: number) => {
    for (let i = from; i <= to; i++)
      await query(db, Book).create({
        title: `Book ${String(i).padStart(3, '0')}`,
        isbn: `I-${i}`,
        authorId: authors[i % 5]!.id,
      } as never);
  };
  const root = await cat.as('root');
  const url = '/admin/catalog/book?status__exact=draft&q=Book&o=author';
  const statements = async (rows: number) => {
    counter.reset();
    const res = await root.get(url);
    assert.equal(res.status, 200);
    assert.equal(rowsOf(res.text).length, rows);
    for (const name of ['Ada', 'Bob', 'Cy', 'Dee', 'Eve'])
      assert.match(res.text, new RegExp(`<td class="field-author">${name}</td>`, 'u'));
    return counter.count;
  };
  await addBooks(1, 5);
  await root.get(url);
  const few = await statements(5);
  await addBooks(6, 50);
  const many = await statements(50);
  assert.ok(few > 0);
  assert.equal(many, few, counter.sql.join('\n'));
});
