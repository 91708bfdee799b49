/**
 * The library example: an API over related models (authors, books, tags, reviews) on the
 * database `DATABASE_URL` names (SQLite by default), its tables made by the committed
 * migrations.
 *
 *   volt migrate --app examples/library/app.ts
 *   volt createsuperuser --app examples/library/app.ts
 *   volt start examples/library/app.ts      then open /docs and log in with Authorize
 */
import { defineApp, HttpError, t, volt } from 'voltjs';
import { auth, can } from 'voltjs/auth';
import { avg, count, query } from 'voltjs/orm';
import { Author, Book, Review, Tag } from './models.ts';

/**
 * Users: /auth routes (login, tokens, password reset), the session cookie and CSRF. Reading is
 * open; writing needs a login with the model permission (`volt createsuperuser` makes one user
 * with all of them); reviews need a login only, and belong to the user who wrote them.
 */
export const users = auth();

/** The library's own models; their migrations are in ./migrations/library/. */
export const library = defineApp({ name: 'library', models: [Author, Book, Review, Tag] });

// The database is DATABASE_URL (SQLite by default): opened at startup, closed at shutdown, `ctx.db`.
export const app = volt({
  apps: [users, library],
  info: {
    title: 'Volt library',
    version: '1.0.0',
    description: 'Authors, books, tags and reviews: models, relations and validation from one definition.',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  tagDescriptions: {
    auth: 'Logging in and out, the current user, API tokens and password resets.',
    authors: 'The authors of the books.',
    books: 'The catalogue: books with their author, tags and reviews.',
    reviews: 'Reviews of published books by logged-in users.',
    tags: 'Tags that group books.',
  },
});

const id = t.Object({ id: t.Integer({ minimum: 1 }) });
const page = t.Object({
  limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: t.Integer({ minimum: 0, default: 0 }),
});

// --- Authors -------------------------------------------------------------------------------

app.get(
  '/authors',
  {
    tags: ['authors'],
    summary: 'List authors',
    query: page,
    response: { 200: t.Array(Author.schema.read) },
  },
  (ctx) => query(ctx.db, Author).offset(ctx.query.offset).limit(ctx.query.limit).all(),
);

app.post(
  '/authors',
  {
    tags: ['authors'],
    summary: 'Add an author',
    dependencies: [users.requirePerm(Author, 'add')],
    status: 201,
    body: Author.schema.create,
    response: { 201: Author.schema.read },
  },
  (ctx) => query(ctx.db, Author).create(ctx.body),
);

app.delete(
  '/authors/:id',
  {
    tags: ['authors'],
    summary: 'Remove an author without books',
    dependencies: [users.requirePerm(Author, 'delete')],
    params: id,
    status: 204,
  },
  async (ctx) => {
    await query(ctx.db, Author).get({ id: ctx.params.id });
    await query(ctx.db, Author).filter({ id: ctx.params.id }).delete();
  },
);

app.get(
  '/authors/top',
  {
    tags: ['authors'],
    summary: 'Authors with the most books, and the average rating of their reviews',
    response: {
      200: t.Array(
        t.Object({
          id: t.Integer(),
          name: t.String(),
          bookCount: t.Integer(),
          rating: t.Union([t.Number(), t.Null()]),
        }),
      ),
    },
  },
  (ctx) =>
    query(ctx.db, Author)
      .annotate({ bookCount: count('books'), rating: avg('books__reviews__rating') })
      .filter({ bookCount__gte: 1 })
      .orderBy('-bookCount', 'name')
      .limit(10)
      .values('id', 'name', 'bookCount', 'rating'),
);

// --- Books ---------------------------------------------------------------------------------

const BookWithAuthor = t.Object({ ...Book.schema.read.properties, author: Author.schema.read });
const BookDetail = t.Object({
  ...BookWithAuthor.properties,
  tags: t.Array(Tag.schema.read),
  reviews: t.Array(Review.schema.read),
});

app.get(
  '/books',
  {
    tags: ['books'],
    summary: 'List books, newest first within a status',
    query: t.Object({
      ...page.properties,
      status: t.Optional(t.Union([t.Literal('draft'), t.Literal('published')])),
      author: t.Optional(t.Integer({ minimum: 1, description: 'Only books of this author' })),
      q: t.Optional(t.String({ minLength: 1, maxLength: 100, description: 'Words in the title' })),
    }),
    response: { 200: t.Array(BookWithAuthor) },
  },
  (ctx) => {
    let books = query(ctx.db, Book).selectRelated('author');
    if (ctx.query.status) books = books.filter({ status: ctx.query.status });
    if (ctx.query.author) books = books.filter({ authorId: ctx.query.author });
    if (ctx.query.q) books = books.filter({ title__icontains: ctx.query.q });
    return books.orderBy('-publishedOn', 'title').offset(ctx.query.offset).limit(ctx.query.limit).all();
  },
);

app.get(
  '/books/:id',
  {
    tags: ['books'],
    summary: 'A book with its author and reviews',
    params: id,
    response: { 200: BookDetail },
  },
  (ctx) =>
    query(ctx.db, Book)
      .selectRelated('author')
      .prefetchRelated('tags', Tag)
      .prefetchRelated('reviews', Review)
      .get({ id: ctx.params.id }),
);

app.post(
  '/books',
  {
    tags: ['books'],
    summary: 'Add a book',
    dependencies: [users.requirePerm(Book, 'add')],
    status: 201,
    body: Book.schema.create,
    response: { 201: Book.schema.read },
  },
  (ctx) => query(ctx.db, Book).create(ctx.body),
);

app.patch(
  '/books/:id',
  {
    tags: ['books'],
    summary: 'Change a book',
    dependencies: [users.requirePerm(Book, 'change')],
    params: id,
    body: Book.schema.update,
    response: { 200: Book.schema.read },
  },
  async (ctx) => {
    // The row as it is now (a 404 when there is none); an empty PATCH changes nothing.
    return query(ctx.db, Book).filter({ id: ctx.params.id }).updateOne(ctx.body);
  },
);

app.delete(
  '/books/:id',
  {
    tags: ['books'],
    summary: 'Remove a book and its reviews',
    dependencies: [users.requirePerm(Book, 'delete')],
    params: id,
    status: 204,
  },
  async (ctx) => {
    await query(ctx.db, Book).get({ id: ctx.params.id });
    await query(ctx.db, Book).filter({ id: ctx.params.id }).delete();
  },
);

app.put(
  '/books/:id/tags',
  {
    tags: ['books'],
    summary: "Set a book's tags (by slug)",
    dependencies: [users.requirePerm(Book, 'change')],
    params: id,
    body: t.Object({ tags: t.Array(t.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 }) }),
    response: { 200: t.Array(Tag.schema.read) },
  },
  async (ctx) => {
    const book = await query(ctx.db, Book).get({ id: ctx.params.id });
    const tags = await query(ctx.db, Tag).filter({ slug__in: ctx.body.tags }).all();
    const unknown = ctx.body.tags.filter((slug) => !tags.some((tag) => tag.slug === slug));
    if (unknown.length)
      throw new HttpError(422, {
        detail: 'The request is not valid.',
        errors: unknown.map((slug) => ({
          loc: ['body', 'tags'],
          msg: `No tag '${slug}'`,
          type: 'not_found',
        })),
      });
    const links = query(ctx.db, Book).related(book, 'tags', Tag);
    await links.set(tags);
    return links.all();
  },
);

// --- Reviews -------------------------------------------------------------------------------

// Ownership: a review is its author's. Only they may change or delete it — or a moderator with
// the model permission (library.change_review, library.delete_review); superusers may do all.
// The routes ask can() with the row; the author comes from the login, never from the body.
users.definePolicy(Review, {
  canChange: async (user, review?: { userId: number | null }) =>
    user.isAuthenticated &&
    ((review !== undefined && review.userId === user.id) || (await user.hasPerm('library.change_review'))),
  canDelete: async (user, review?: { userId: number | null }) =>
    user.isAuthenticated &&
    ((review !== undefined && review.userId === user.id) || (await user.hasPerm('library.delete_review'))),
});

// What a client may write of a review: the rest (the book, the author) comes from the server.
const { rating, body } = Review.schema.create.properties;
const ReviewIn = t.Object({ rating, body }, { additionalProperties: false });
const ReviewChange = t.Object(
  { rating: Review.schema.update.properties.rating, body: Review.schema.update.properties.body },
  { additionalProperties: false },
);

app.post(
  '/books/:id/reviews',
  {
    tags: ['reviews'],
    summary: 'Review a published book (as the logged-in user)',
    deps: { user: users.requireUser },
    params: id,
    status: 201,
    body: ReviewIn,
    response: { 201: Review.schema.read },
  },
  async (ctx) => {
    const book = await query(ctx.db, Book).get({ id: ctx.params.id });
    if (book.status !== 'published')
      throw new HttpError(409, { detail: 'Only published books can be reviewed.' });
    const author = ctx.deps.user.row;
    return query(ctx.db, Review).create({
      ...ctx.body,
      bookId: book.id,
      reviewer: author.username,
      userId: author.id,
    });
  },
);

app.patch(
  '/reviews/:id',
  {
    tags: ['reviews'],
    summary: 'Change your review',
    description: 'Only its author, or a user with `library.change_review`.',
    deps: { user: users.requireUser },
    params: id,
    body: ReviewChange,
    response: { 200: Review.schema.read },
    responseDescriptions: { 403: 'Not your review' },
  },
  async (ctx) => {
    const reviews = query(ctx.db, Review).filter({ id: ctx.params.id });
    if (!(await can(ctx.deps.user, 'change', Review, await reviews.get())))
      throw new HttpError(403, { detail: 'Only its author may change this review.' });
    return reviews.updateOne(ctx.body); // an empty PATCH changes nothing
  },
);

app.delete(
  '/reviews/:id',
  {
    tags: ['reviews'],
    summary: 'Delete your review',
    description: 'Only its author, or a user with `library.delete_review`.',
    deps: { user: users.requireUser },
    params: id,
    status: 204,
    responseDescriptions: { 403: 'Not your review' },
  },
  async (ctx) => {
    const reviews = query(ctx.db, Review).filter({ id: ctx.params.id });
    if (!(await can(ctx.deps.user, 'delete', Review, await reviews.get())))
      throw new HttpError(403, { detail: 'Only its author may delete this review.' });
    await reviews.delete();
  },
);

// --- Tags ----------------------------------------------------------------------------------

app.get(
  '/tags',
  { tags: ['tags'], summary: 'List tags', response: { 200: t.Array(Tag.schema.read) } },
  (ctx) => query(ctx.db, Tag).all(),
);

app.post(
  '/tags',
  {
    tags: ['tags'],
    summary: 'Add a tag',
    dependencies: [users.requirePerm(Tag, 'add')],
    status: 201,
    body: Tag.schema.create,
    response: { 201: Tag.schema.read },
  },
  (ctx) => query(ctx.db, Tag).create(ctx.body),
);
