/**
 * The library example, as a client sees it: related models over a real SQLite file, the
 * model's validation as 422s, duplicates as 409s and `onDelete` rules as answers.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createUser, Permission, User } from 'voltjs/auth';
import { connect, loadMigrations, migrate, query } from 'voltjs/orm';
import { type TestClient, testClient } from 'voltjs/testing';

const dir = mkdtempSync(join(tmpdir(), 'volt-library-'));
process.env.VOLT_ENV = 'test';
process.env.DATABASE_URL = `sqlite:${join(dir, 'library.db')}`;
const { app } = await import('../../examples/library/app.ts');

let client: TestClient;
let reader: TestClient;
let critic: TestClient;
let moderator: TestClient;
let anonymous: TestClient;
let readerId: number;
before(async () => {
  // The tables come from the committed migrations, as `npm start` makes them.
  const db = await connect(process.env.DATABASE_URL!);
  await migrate(
    db,
    await loadMigrations(fileURLToPath(new URL('../../examples/library/migrations', import.meta.url)), {
      packaged: app.migrationSources(),
    }),
    { hooks: app.postMigrateHooks() },
  );
  // A superuser (as `volt createsuperuser` makes) and a reader without permissions.
  await createUser(db, User, {
    username: 'librarian',
    password: 'shelves and stacks 1',
    isSuperuser: true,
    isStaff: true,
  });
  readerId = (await createUser(db, User, { username: 'reader', password: 'a quiet reading room' })).id;
  await createUser(db, User, { username: 'critic', password: 'a sharp red pencil' });
  // A moderator may change anyone's review (the model permission), not delete it.
  const mod = await createUser(db, User, { username: 'moderator', password: 'calm in the stacks' });
  await query(db, User)
    .related(mod.id as number, 'userPermissions', Permission)
    .add(await query(db, Permission).get({ app: 'library', codename: 'change_review' }));
  await db.close();
  anonymous = testClient(app);
  client = testClient(app, { headers: { authorization: await bearer('librarian', 'shelves and stacks 1') } });
  reader = testClient(app, { headers: { authorization: await bearer('reader', 'a quiet reading room') } });
  critic = testClient(app, { headers: { authorization: await bearer('critic', 'a sharp red pencil') } });
  moderator = testClient(app, {
    headers: { authorization: await bearer('moderator', 'calm in the stacks') },
  });
});

/** A bearer token from the OAuth2 password flow of the example's /auth routes. */
async function bearer(username: string, password: string): Promise<string> {
  const res = await anonymous.post<{ access_token: string }>('/auth/token', {
    form: { grant_type: 'password', username, password },
  });
  assert.equal(res.status, 200, res.text);
  return `Bearer ${res.json().access_token}`;
}
after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Problem {
  detail: string;
  errors?: { loc: (string | number)[]; type: string }[];
}

test('the committed migrations describe the models exactly (makemigrations --check)', async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--conditions=volt-source',
      'src/cli/main.ts',
      'makemigrations',
      '--check',
      '--app',
      'examples/library/app.ts',
    ],
    { cwd: root, env: { ...process.env, CI: 'true' } },
  );
  assert.match(stdout, /No changes detected/);
});

test('reading is open; writing needs a login (401) with the model permission (403)', async () => {
  assert.equal((await anonymous.get('/books')).status, 200);
  const book = { title: 'Kindred', isbn: '9780807083697', price: '9.99', authorId: 1 };
  const unauthenticated = await anonymous.post('/books', { json: book });
  assert.equal(unauthenticated.status, 401);
  const forbidden = await reader.post<Problem>('/books', { json: book });
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.json().detail, /may not add books/);
});

describe('library example', () => {
  let authorId: number;
  let bookId: number;

  test('an author is created from the model schema, and a duplicate email is a 409', async () => {
    const res = await client.post<{ id: number; name: string }>('/authors', {
      json: { name: 'Ursula K. Le Guin', email: 'ursula@example.com' },
    });
    assert.equal(res.status, 201);
    authorId = res.json().id;
    const again = await client.post<Problem>('/authors', {
      json: { name: 'U', email: 'ursula@example.com' },
    });
    assert.equal(again.status, 409);
    assert.deepEqual(again.json().errors?.[0]?.loc, ['body', 'email']);
  });

  test('a book with a bad ISBN, or a negative price, is refused on that field', async () => {
    const book = { title: 'The Dispossessed', isbn: '9780060512750', price: '8.99', authorId };
    // The request schema (from the model) catches the pattern …
    const isbn = await client.post<Problem>('/books', { json: { ...book, isbn: '12' } });
    assert.equal(isbn.status, 422);
    assert.deepEqual(
      isbn.json().errors?.map((e) => e.loc),
      [['body', 'isbn']],
    );
    // … and the model's own validation what a schema cannot say (a decimal's minimum).
    const price = await client.post<Problem>('/books', { json: { ...book, price: '-1.00' } });
    assert.equal(price.status, 422);
    assert.deepEqual(
      price.json().errors?.map((e) => e.loc),
      [['body', 'price']],
    );
  });

  test('a book is created, listed with its author in one response, and found by title words', async () => {
    const res = await client.post<{ id: number; status: string }>('/books', {
      json: { title: 'The Dispossessed', isbn: '9780060512750', price: '8.99', authorId },
    });
    assert.equal(res.status, 201);
    assert.equal(res.json().status, 'draft');
    bookId = res.json().id;
    const list = await client.get<{ results: { title: string; author: { name: string } }[] }>(
      '/books?search=dispo',
    );
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.json().results.map((b) => [b.title, b.author.name]),
      [['The Dispossessed', 'Ursula K. Le Guin']],
    );
    // The author's name is searched too; filters and ordering are declared ones.
    const byAuthor = await anonymous.get<{ results: unknown[] }>(
      `/books?search=guin&author=${authorId}&ordering=-price`,
    );
    assert.equal(byAuthor.json().results.length, 1);
  });

  test('tags are set by slug, unknown ones refused, and come with the book', async () => {
    for (const [slug, name] of [
      ['sf', 'Science fiction'],
      ['utopia', 'Utopia'],
    ])
      assert.equal((await client.post('/tags', { json: { slug, name } })).status, 201);
    const bad = await client.put<Problem>(`/books/${bookId}/tags`, { json: { tags: ['sf', 'nope'] } });
    assert.equal(bad.status, 422);
    assert.equal(bad.json().errors?.length, 1);
    const set = await client.put<{ slug: string }[]>(`/books/${bookId}/tags`, {
      json: { tags: ['utopia', 'sf'] },
    });
    assert.equal(set.status, 200);
    assert.deepEqual(
      set.json().map((t) => t.slug),
      ['sf', 'utopia'],
    );
    const detail = await client.get<{ tags: { name: string }[] }>(`/books/${bookId}?expand=tags`);
    assert.deepEqual(
      detail.json().tags.map((t) => t.name),
      ['Science fiction', 'Utopia'],
    );
    const tagged = await anonymous.get<{ results: { id: number }[] }>('/books?tags__slug=utopia');
    assert.deepEqual(
      tagged.json().results.map((b) => b.id),
      [bookId],
    );
  });

  test('a draft cannot be reviewed; once published its reviews come with it', async () => {
    const review = { rating: 5, body: 'Ambiguous, in the best way.' };
    assert.equal((await client.post(`/books/${bookId}/reviews`, { json: review })).status, 409);
    const published = await client.patch(`/books/${bookId}`, {
      json: { status: 'published', publishedOn: '1974-05-01' },
    });
    assert.equal(published.status, 200);
    assert.equal((await client.post(`/books/${bookId}/reviews`, { json: review })).status, 201);
    const bad = await client.post<Problem>(`/books/${bookId}/reviews`, { json: { ...review, rating: 9 } });
    assert.equal(bad.status, 422);
    const detail = await client.get<{ reviews: { rating: number }[] }>(`/books/${bookId}?expand=reviews`);
    assert.deepEqual(
      detail.json().reviews.map((r) => r.rating),
      [5],
    );
  });

  test("a review's author is the logged-in user; only they (or a moderator) may change it", async () => {
    const written = await reader.post<{ id: number; reviewer: string; userId: number }>(
      `/books/${bookId}/reviews`,
      { json: { rating: 3, body: 'Slow start.' } },
    );
    assert.equal(written.status, 201, written.text);
    assert.deepEqual([written.json().reviewer, written.json().userId], ['reader', readerId]);
    // The author cannot be chosen by the client.
    const forged = await critic.post<Problem>(`/books/${bookId}/reviews`, {
      json: { rating: 1, body: 'Dreadful.', reviewer: 'reader', userId: readerId },
    });
    assert.equal(forged.status, 422);
    assert.equal((await anonymous.post(`/books/${bookId}/reviews`, { json: { rating: 1 } })).status, 401);

    const review = `/reviews/${written.json().id}`;
    assert.equal((await critic.patch(review, { json: { rating: 1 } })).status, 403);
    assert.equal((await critic.delete(review)).status, 403);
    assert.equal((await anonymous.patch(review, { json: { rating: 1 } })).status, 401);
    // The book and the author are not writable through the review.
    assert.equal((await reader.patch(review, { json: { userId: 1 } })).status, 422);
    const changed = await reader.patch<{ rating: number; userId: number }>(review, { json: { rating: 4 } });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual([changed.json().rating, changed.json().userId], [4, readerId]);
    const moderated = await moderator.patch<{ body: string }>(review, {
      json: { body: 'Slow start, fine end.' },
    });
    assert.equal(moderated.status, 200, moderated.text);
    assert.equal((await moderator.delete(review)).status, 403, 'change_review does not let delete');
    assert.equal((await reader.delete(review)).status, 204);
    assert.equal((await reader.delete(review)).status, 404);
  });

  test('the top authors count their books and average their reviews', async () => {
    const res =
      await client.get<{ name: string; bookCount: number; rating: number | null }[]>('/authors/top');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), [{ id: authorId, name: 'Ursula K. Le Guin', bookCount: 1, rating: 5 }]);
  });

  test('an author with books is protected; a missing book is a 404', async () => {
    const res = await client.delete<Problem>(`/authors/${authorId}`);
    assert.equal(res.status, 409);
    assert.equal((await client.get<Problem>('/books/999')).status, 404);
  });

  test('deleting a book removes its reviews, and then its author can go', async () => {
    assert.equal((await client.delete(`/books/${bookId}`)).status, 204);
    assert.equal((await client.get(`/books/${bookId}`)).status, 404);
    assert.equal((await client.delete(`/authors/${authorId}`)).status, 204);
  });
});

test('a bad page, filter or ordering, or a number written loosely, is a 422 naming the parameter', async () => {
  for (const query of [
    'offset=10',
    'limit=1e20',
    'limit=100000000000000000000',
    'limit=%20',
    'limit=',
    'limit=1.0',
    'limit=0x10',
    'limit=101',
    'cursor=nonsense',
    'ordering=isbn',
    'price__gte=cheap',
    'author=-1',
    'status=lost',
    'expand=author__password',
  ]) {
    const res = await anonymous.get<Problem>(`/books?${query}`);
    assert.equal(res.status, 422, `${query}: ${res.text}`);
    assert.deepEqual(res.json().errors?.[0]?.loc, ['query', query.split('=')[0]], query);
  }
  for (const id of ['1e309', '99999999999999999999999', '3.0', '0x3', '+3']) {
    const res = await anonymous.get<Problem>(`/books/${id}`);
    assert.equal(res.status, 422, `${id}: ${res.text}`);
    assert.deepEqual(res.json().errors?.[0]?.loc, ['path', 'id'], id);
  }
  // The largest page the setting allows, filtered to nothing, is simply empty.
  const last = await anonymous.get('/books?limit=100&publishedOn__year=1');
  assert.equal(last.status, 200, last.text);
  assert.deepEqual(last.json(), { next: null, previous: null, results: [] });
});
