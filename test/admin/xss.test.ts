/**
 * Stored cross-site scripting: payloads saved in text fields (through the admin's own forms,
 * so they are in the history and the recent actions too) show only as text on every admin
 * page — in cells, a row's text, filter choices, forms, the delete page, the history — and
 * in the autocomplete's JSON.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { query } from 'voltjs/orm';
import { Author, Book, catalog, Note } from './fixture.ts';

const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '</script><script>alert(1)</script>',
];

/** Fails when the page holds markup a payload could have made. */
function assertInert(page: string, where: string): void {
  // One script element: the admin's own, with its nonce.
  assert.equal(page.match(/<script/giu)?.length ?? 0, 1, `${where}: a <script> of a payload`);
  assert.doesNotMatch(page, /<img|<\/script><script>/iu, `${where}: a payload's markup`);
  // Outside the quoted attribute values (a payload's quote is escaped, so it cannot end one),
  // no tag has an event handler.
  const tags = page.replaceAll(/="[^"]*"/gu, '=""');
  assert.doesNotMatch(tags, /<[^<>]*\son\w+\s*=/iu, `${where}: an event handler`);
  assert.doesNotMatch(
    page,
    /(href|src|action|formaction)\s*=\s*"?\s*javascript:/iu,
    `${where}: a javascript: link`,
  );
}

test('stored payloads appear only escaped on every admin page and in the autocomplete', async (t) => {
  const cat = await catalog(t);
  const root = await cat.as('root');
  // Authors named after the payloads, a book of each, a note of each: all through the forms.
  const authors: Record<string, any>[] = [];
  for (const [i, payload] of PAYLOADS.entries()) {
    const added = await root.post('/admin/catalog/author/add', { name: payload, email: '', born: '' });
    assert.equal(added.status, 303, added.text.slice(0, 500));
    const author = await query(cat.db, Author).get({ name: payload });
    authors.push(author);
    const book = await root.post('/admin/catalog/book/add', {
      title: payload,
      isbn: `X-${i}`,
      author: String(author.id),
      status: 'draft',
      price: '1',
      publishedOn: '',
    });
    assert.equal(book.status, 303, book.text.slice(0, 500));
    const note = await root.post('/admin/catalog/note/add', {
      text: payload,
      owner: String(cat.users.root.id),
    });
    assert.equal(note.status, 303, note.text.slice(0, 500));
  }
  const book = await query(cat.db, Book).get({ isbn: 'X-0' });
  // A change whose old and new values are payloads, for the history.
  const changed = await root.post(`/admin/catalog/book/${book.id}/change`, {
    title: PAYLOADS[3]!.replace('alert(1)', 'alert(2)'),
    isbn: 'X-0',
    author: String(authors[1]!.id),
    status: 'draft',
    price: '1',
    publishedOn: '',
    'review_set-TOTAL': '0',
  });
  assert.equal(changed.status, 303, changed.text.slice(0, 500));
  const note = await query(cat.db, Note).get({ text: PAYLOADS[0]! });

  const pages = [
    '/admin/',
    '/admin/catalog',
    '/admin/catalog/author',
    '/admin/catalog/book',
    `/admin/catalog/book?q=${encodeURIComponent(PAYLOADS[1]!)}`,
    `/admin/catalog/book?author__exact=${authors[0]!.id}`,
    '/admin/catalog/note',
    '/admin/catalog/task/add',
    `/admin/catalog/book/${book.id}/change`,
    `/admin/catalog/book/${book.id}/delete`,
    `/admin/catalog/book/${book.id}/history`,
    `/admin/catalog/author/${authors[1]!.id}/change`,
    `/admin/catalog/author/${authors[1]!.id}/delete`,
    `/admin/catalog/note/${note.id}/change`,
    `/admin/catalog/task/add?note=${note.id}`,
  ];
  for (const path of pages) {
    const res = await root.get(path);
    assert.equal(res.status, 200, path);
    assertInert(res.text, path);
  }
  // The payloads are there, as text.
  const list = await root.get('/admin/catalog/book');
  assert.ok(list.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'an escaped title');
  assert.ok(
    list.text.includes('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'),
    'an escaped author in a cell',
  );
  const sidebar = /<aside class="filters".*<\/aside>/su.exec(list.text)![0];
  assert.ok(
    sidebar.includes('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'),
    'an escaped filter choice',
  );
  const home = await root.get('/admin/');
  assert.ok(home.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'an escaped recent action');
  const history = await root.get(`/admin/catalog/book/${book.id}/history`);
  assert.ok(
    history.text.includes('&lt;script&gt;alert(2)&lt;/script&gt;'),
    'an escaped value in the history',
  );

  // The autocomplete answers JSON a browser never renders as a page (no sniffing); the script
  // puts its texts in the page as text, so they are the stored values, not HTML-escaped ones.
  const found = await root.get('/admin/catalog/task/autocomplete?field=note&term=alert');
  assert.equal(found.status, 200);
  assert.match(String(found.headers['content-type']), /^application\/json/u);
  assert.equal(found.headers['x-content-type-options'], 'nosniff');
  assert.doesNotMatch(String(found.headers['content-security-policy']), /unsafe-inline/u);
  assert.deepEqual(
    (found.json() as { results: { text: string }[] }).results.map((r) => r.text).sort(),
    [...PAYLOADS].sort(),
  );
});

test('a payload in a query parameter’s name or value is escaped on the error page and the login page', async (t) => {
  const cat = await catalog(t);
  const root = await cat.as('root');
  const name = await root.get(`/admin/catalog/book?${encodeURIComponent(PAYLOADS[0]!)}=1`);
  assert.equal(name.status, 400);
  assertInert(name.text, 'an undeclared parameter');
  assert.ok(name.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  const order = await root.get(`/admin/catalog/book?o=${encodeURIComponent(PAYLOADS[1]!)}`);
  assert.equal(order.status, 400);
  assertInert(order.text, 'an unknown order');
  const login = await cat.browser().get(`/admin/login?next=${encodeURIComponent(`/admin/${PAYLOADS[1]}`)}`);
  assert.equal(login.status, 200);
  assertInert(login.text, 'the login page');
  const javascript = await cat.browser().get(`/admin/login?next=${encodeURIComponent(PAYLOADS[2]!)}`);
  assert.match(javascript.text, /name="next" value="\/admin\/"/u);
});
