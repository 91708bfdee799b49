/**
 * The add and change forms: a row with its foreign key and many-to-many links, errors next to
 * their fields with the typed input kept, the three save buttons, the read-only page of a
 * view-only user, inline child rows, the policy's scope, and the users' set-password form.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { User } from 'voltjs/auth';
import { query } from 'voltjs/orm';
import { Book, catalog, fill, logIn, messagesOf, Note, Review, registrations, Tag } from './fixture.ts';

/** A book's form fields, as the browser posts them. */
function bookForm(values: Record<string, string | string[]>): Record<string, string | string[]> {
  return { title: '', isbn: '', author: '', status: 'draft', price: '0', publishedOn: '', ...values };
}

test('adding a row writes it with its foreign key and many-to-many links', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const page = await root.get('/admin/catalog/book/add');
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(`<option value="${data.ada.id}">Ada Lovelace</option>`, 'u'));
  assert.match(page.text, /<select multiple[^>]* id="id_tags" name="tags"/u);
  const res = await root.post(
    '/admin/catalog/book/add',
    bookForm({
      title: 'Notes on the Engine',
      isbn: 'N-1',
      author: String(data.ada.id),
      tags: [String(data.tags[0].id), String(data.tags[2].id)],
      price: '12',
      featured: 'on',
      _save: '1',
    }),
  );
  assert.equal(res.status, 303, res.text);
  assert.equal(res.headers.location, '/admin/catalog/book');
  assert.deepEqual(messagesOf((await root.get('/admin/catalog/book')).text), [
    'The book “Notes on the Engine” was added successfully.',
  ]);
  const book = await query(cat.db, Book).get({ isbn: 'N-1' });
  assert.equal(book.authorId, data.ada.id);
  assert.equal(book.price, 12);
  assert.equal(book.featured, true);
  const tags = await query(cat.db, Book).related(book, 'tags', Tag).all();
  assert.deepEqual(tags.map((tag) => tag.name).sort(), ['music', 'poetry']);
});

test('a value the field refuses answers 400 with the message next to the field and the typed input kept', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const res = await root.post(
    '/admin/catalog/book/add',
    bookForm({ title: 'Typed title', isbn: 'T-1', author: String(data.ada.id), price: '-4' }),
  );
  assert.equal(res.status, 400);
  assert.match(res.text, /id="id_title" name="title"[^>]* value="Typed title"/u);
  assert.match(
    res.text,
    /id="id_price" name="price"[^>]* aria-describedby="id_price_error" aria-invalid="true" value="-4"/u,
  );
  assert.match(res.text, /<p class="field-error" id="id_price_error">[^<]+<\/p>/u);
  assert.match(res.text, /<a href="#id_price">/u);
  assert.equal(await query(cat.db, Book).count(), 6);
});

test('a required field left empty is marked, and nothing is written', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const root = await cat.as('root');
  const res = await root.post('/admin/catalog/book/add', bookForm({ title: 'No author', isbn: 'T-2' }));
  assert.equal(res.status, 400);
  assert.match(res.text, /id="id_author" name="author"[^>]* aria-invalid="true"/u);
  assert.match(res.text, /<p class="field-error" id="id_author_error">This field is required\.<\/p>/u);
  assert.equal(await query(cat.db, Book).count(), 6);
});

test('a value already taken by a unique field is shown on that field', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const res = await root.post(
    '/admin/catalog/book/add',
    bookForm({ title: 'Twin', isbn: 'ISBN-1', author: String(data.ada.id) }),
  );
  assert.equal(res.status, 400, res.text.slice(0, 300));
  assert.match(res.text, /id="id_isbn" name="isbn"[^>]* aria-invalid="true" value="ISBN-1"/u);
  assert.match(res.text, /<p class="field-error" id="id_isbn_error">[^<]+<\/p>/u);
  assert.equal(await query(cat.db, Book).filter({ title: 'Twin' }).count(), 0);
});

test('“Save and continue editing” comes back to the row’s page; “Save and add another” to an empty form', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const kept = await root.post(
    '/admin/catalog/book/add',
    bookForm({ title: 'Continue', isbn: 'C-1', author: String(data.ada.id), _continue: '1' }),
  );
  assert.equal(kept.status, 303);
  const book = await query(cat.db, Book).get({ isbn: 'C-1' });
  assert.equal(kept.headers.location, `/admin/catalog/book/${book.id}/change`);
  const page = await root.get(String(kept.headers.location));
  assert.match(messagesOf(page.text)[0]!, /You may edit it again below\./u);
  assert.match(page.text, /value="Continue"/u);
  const another = await root.post(
    `/admin/catalog/book/${book.id}/change`,
    bookForm({ title: 'Continued', isbn: 'C-1', author: String(data.ada.id), _addanother: '1' }),
  );
  assert.equal(another.status, 303);
  assert.equal(another.headers.location, '/admin/catalog/book/add');
  assert.equal((await query(cat.db, Book).get({ id: book.id })).title, 'Continued');
});

test('a user who may only view a row sees it read-only, and a post is refused', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const viewer = await cat.as('viewer');
  const book = data.books[0];
  const page = await viewer.get(`/admin/catalog/book/${book.id}/change`);
  assert.equal(page.status, 200);
  assert.match(page.text, /<h1>View book<\/h1>/u);
  assert.match(page.text, /<span class="readonly-value">Book 001<\/span>/u);
  assert.doesNotMatch(page.text, /name="title"|<form method="post" class="model-form"|name="_save"/u);
  const res = await viewer.post(
    `/admin/catalog/book/${book.id}/change`,
    bookForm({ title: 'Hijacked', isbn: 'ISBN-1', author: String(data.ada.id) }),
  );
  assert.equal(res.status, 403);
  assert.match(res.text, /<h1>Permission denied<\/h1>/u);
  assert.equal((await query(cat.db, Book).get({ id: book.id })).title, 'Book 001');
});

test('inline child rows are added, changed and deleted with their parent', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const book = data.books[0];
  const path = `/admin/catalog/book/${book.id}/change`;
  const page = await root.get(path);
  assert.match(page.text, /<legend>Reviews<\/legend>/u);
  assert.match(page.text, /name="review_set-0-reviewer"[^>]* value="Carol"/u);
  assert.match(page.text, /<input type="hidden" name="review_set-TOTAL" value="2">/u);
  const parent = bookForm({ title: 'Book 001', isbn: 'ISBN-1', author: String(data.ada.id) });
  const changed = await root.post(path, {
    ...parent,
    'review_set-TOTAL': '2',
    'review_set-0-id': String(data.review.id),
    'review_set-0-reviewer': 'Carol B.',
    'review_set-0-rating': '5',
    'review_set-1-reviewer': 'Dan',
    'review_set-1-rating': '2',
  });
  assert.equal(changed.status, 303, changed.text.slice(0, 2000));
  const reviews = await query(cat.db, Review).filter({ bookId: book.id }).orderBy('id').all();
  assert.deepEqual(
    reviews.map((r) => [r.reviewer, r.rating]),
    [
      ['Carol B.', 5],
      ['Dan', 2],
    ],
  );
  const removed = await root.post(path, {
    ...parent,
    'review_set-TOTAL': '2',
    'review_set-0-id': String(reviews[0]!.id),
    'review_set-0-reviewer': 'Carol B.',
    'review_set-0-rating': '5',
    'review_set-0-DELETE': 'on',
    'review_set-1-id': String(reviews[1]!.id),
    'review_set-1-reviewer': 'Dan',
    'review_set-1-rating': '2',
  });
  assert.equal(removed.status, 303);
  assert.deepEqual(
    (await query(cat.db, Review).filter({ bookId: book.id }).all()).map((r) => r.reviewer),
    ['Dan'],
  );
});

test('stacked inlines lay each child out as a form of its own and save as tabular ones do', async (t) => {
  const options = registrations().get(Book)!;
  const cat = await catalog(t, {
    options: new Map([
      [Book, { ...options, inlines: [{ model: Review, fields: ['reviewer', 'rating'], style: 'stacked' }] }],
    ]),
  });
  const data = await fill(cat);
  const root = await cat.as('root');
  const book = data.books[0];
  const path = `/admin/catalog/book/${book.id}/change`;
  const page = await root.get(path);
  assert.equal(page.status, 200);
  assert.match(page.text, /<fieldset class="inline-group inline-group--stacked"><legend>Reviews<\/legend>/u);
  // A stored child is named by its text, a new one by its number; every input has a visible label.
  assert.match(
    page.text,
    /<fieldset class="inline-related"><legend>Review: [^<]+<\/legend><input type="hidden" name="review_set-0-id"/u,
  );
  assert.match(page.text, /<legend>Review #2<\/legend>/u);
  assert.match(
    page.text,
    /<label for="id_review_set-0-reviewer">Reviewer<\/label><input[^>]* name="review_set-0-reviewer"[^>]* value="Carol"/u,
  );
  assert.match(page.text, /<label for="id_review_set-0-DELETE">Delete<\/label>/u);
  assert.doesNotMatch(page.text, /class="inline-table"/u);
  const parent = bookForm({ title: 'Book 001', isbn: 'ISBN-1', author: String(data.ada.id) });
  const saved = await root.post(path, {
    ...parent,
    'review_set-TOTAL': '2',
    'review_set-0-id': String(data.review.id),
    'review_set-0-reviewer': 'Carol',
    'review_set-0-rating': '4',
    'review_set-0-DELETE': 'on',
    'review_set-1-reviewer': 'Fay',
    'review_set-1-rating': '3',
  });
  assert.equal(saved.status, 303, saved.text.slice(0, 1000));
  assert.deepEqual(
    (await query(cat.db, Review).filter({ bookId: book.id }).all()).map((r) => [r.reviewer, r.rating]),
    [['Fay', 3]],
  );
  const bad = await root.post(path, {
    ...parent,
    'review_set-TOTAL': '1',
    'review_set-0-reviewer': 'Gus',
    'review_set-0-rating': '9',
  });
  assert.equal(bad.status, 400);
  assert.match(
    bad.text,
    /<div class="field field--error"><label for="id_review_set-0-rating">Rating<\/label><input[^>]* aria-invalid="true"/u,
  );
});

test('an inline style other than tabular or stacked is refused at registration', async (t) => {
  const options = registrations().get(Book)!;
  await assert.rejects(
    catalog(t, {
      options: new Map([[Book, { ...options, inlines: [{ model: Review, style: 'grid' as never }] }]]),
    }),
    /the inline catalog\.Review's style should be 'tabular' or 'stacked', got "grid"/u,
  );
});

test('an inline row with a bad value keeps the parent unsaved and marks the row’s field', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const book = data.books[0];
  const res = await root.post(`/admin/catalog/book/${book.id}/change`, {
    ...bookForm({ title: 'Renamed', isbn: 'ISBN-1', author: String(data.ada.id) }),
    'review_set-TOTAL': '1',
    'review_set-0-reviewer': 'Eve',
    'review_set-0-rating': '9',
  });
  assert.equal(res.status, 400);
  assert.match(res.text, /name="review_set-0-rating"[^>]* aria-invalid="true"/u);
  assert.equal((await query(cat.db, Book).get({ id: book.id })).title, 'Book 001');
  assert.equal(await query(cat.db, Review).count(), 1);
});

test('a row outside the user’s scope has no page: a 404 to read it and to post to it', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const editor = await cat.as('editor');
  assert.equal((await editor.get(`/admin/catalog/note/${data.editorNote.id}/change`)).status, 200);
  for (const note of [data.viewerNote, data.rootNote]) {
    const page = await editor.get(`/admin/catalog/note/${note.id}/change`);
    assert.equal(page.status, 404);
    assert.doesNotMatch(page.text, /viewer secret|root memo/u);
    const post = await editor.post(`/admin/catalog/note/${note.id}/change`, {
      text: 'taken over',
      owner: String(cat.users.editor.id),
    });
    assert.equal(post.status, 404);
  }
  assert.equal(await query(cat.db, Note).filter({ text: 'taken over' }).count(), 0);
});

test('a row saved outside the user’s scope is refused and nothing is written', async (t) => {
  const cat = await catalog(t);
  await fill(cat);
  const editor = await cat.as('editor');
  const res = await editor.post('/admin/catalog/note/add', {
    text: 'planted',
    owner: String(cat.users.viewer.id),
  });
  assert.equal(res.status, 400);
  assert.match(res.text, /would be one you may not add/u);
  assert.equal(await query(cat.db, Note).filter({ text: 'planted' }).count(), 0);
});

test('the set-password form applies the password validators and sets a password that logs in', async (t) => {
  const cat = await catalog(t);
  const root = await cat.as('root');
  const path = `/admin/auth/user/${cat.users.viewer.id}/password`;
  const page = await root.get(path);
  assert.equal(page.status, 200);
  const weak = await root.post(path, { password1: 'password', password2: 'password' });
  assert.equal(weak.status, 400);
  assert.match(weak.text, /id="id_password1"[^>]* aria-invalid="true"/u);
  assert.match(weak.text, /<p class="field-error" id="id_password1_error">[^<]*common[^<]*<\/p>/u);
  const mismatch = await root.post(path, { password1: 'a new long secret', password2: 'another secret' });
  assert.equal(mismatch.status, 400);
  assert.match(mismatch.text, /didn’t match/u);
  const done = await root.post(path, { password1: 'a new long secret', password2: 'a new long secret' });
  assert.equal(done.status, 303);
  assert.equal(done.headers.location, `/admin/auth/user/${cat.users.viewer.id}/change`);
  assert.equal((await logIn(cat.browser(), 'viewer')).status, 400);
  assert.equal((await logIn(cat.browser(), 'viewer', 'a new long secret')).status, 303);
});

test('a user’s password hash appears on no admin page', async (t) => {
  const cat = await catalog(t);
  const root = await cat.as('root');
  const id = cat.users.viewer.id;
  const hash = String((await query(cat.db, User).get({ id })).password);
  assert.ok(hash.length > 20);
  const pages = [
    '/admin/auth/user',
    `/admin/auth/user/${id}/change`,
    `/admin/auth/user/${id}/password`,
    `/admin/auth/user/${id}/history`,
    `/admin/auth/user/${id}/delete`,
    '/admin/auth/user/export.csv',
  ];
  for (const path of pages) {
    const res = await root.get(path);
    assert.equal(res.status, 200, path);
    assert.ok(!res.text.includes(hash), path);
    assert.doesNotMatch(res.text, /scrypt\$|pbkdf2|name="password"/u, path);
  }
});

test('a view-only user cannot open the set-password form', async (t) => {
  const cat = await catalog(t);
  const viewer = await cat.as('viewer');
  const res = await viewer.get(`/admin/auth/user/${cat.users.root.id}/password`);
  assert.ok(res.status === 403 || res.status === 404, String(res.status));
  const post = await viewer.post(`/admin/auth/user/${cat.users.root.id}/password`, {
    password1: 'a new long secret',
    password2: 'a new long secret',
  });
  assert.ok(post.status === 403 || post.status === 404, String(post.status));
  assert.equal((await logIn(cat.browser(), 'root')).status, 303);
});
