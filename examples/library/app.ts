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
import { admin } from 'voltjs/admin';
import { auth } from 'voltjs/auth';
import { resource } from 'voltjs/crud';
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

/**
 * The back office at /admin: staff users (`volt createsuperuser`) list, search, filter, edit
 * and delete the library's rows, with each change's history. Users and groups are there too.
 */
export const site = admin();
site.register(Author, {
  list: ['name', 'email', 'born'],
  search: ['name', 'email'],
  filters: ['born'],
});
site.register(Book, {
  list: ['title', 'author', 'status', 'price', 'publishedOn'],
  search: ['title', 'isbn', 'author__name'],
  filters: ['status', 'author', 'publishedOn', 'tags'],
  autocomplete: ['author'],
  fieldsets: [
    { fields: ['title', 'isbn', 'author', 'tags'] },
    { title: 'Sales', fields: ['price', 'status', 'publishedOn'] },
  ],
  inlines: [{ model: Review, fields: ['reviewer', 'rating', 'body'], extra: 1 }],
  actions: {
    publish: {
      label: 'Publish the selected books',
      run: async ({ rows }) => {
        const count = await rows.update({ status: 'published' });
        return `${count} book${count === 1 ? '' : 's'} published.`;
      },
    },
  },
});
site.register(Review, {
  list: ['book', 'reviewer', 'rating', 'created'],
  filters: ['created'],
  search: ['reviewer', 'body'],
});
site.register(Tag, { list: ['name', 'slug'], search: ['name', 'slug'] });

// The database is DATABASE_URL (SQLite by default): opened at startup, closed at shutdown, `ctx.db`.
export const app = volt({
  apps: [users, library, site],
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

// Reading is open to everyone ('read-public'); writing needs the model permission
// (library.add_book, …), or what the model's policy says (reviews, below).

// --- Authors -------------------------------------------------------------------------------

app.include(
  resource('/authors', Author, {
    permissions: 'read-public',
    operations: ['list', 'retrieve', 'create', 'update', 'delete'],
    search: ['name'],
    ordering: ['name', 'born'],
    expand: { books: Book },
  }),
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

app.include(
  resource('/books', Book, {
    permissions: 'read-public',
    filters: {
      status: true,
      author: true,
      price: ['gte', 'lte'],
      publishedOn: ['gte', 'lte', 'year', 'isNull'],
      tags__slug: ['exact'],
    },
    search: ['title', 'author__name'],
    ordering: ['title', 'publishedOn', 'price', 'created'],
    defaultOrdering: ['-publishedOn', 'title'],
    nested: { author: Author },
    expand: { tags: Tag, reviews: Review },
    actions: {
      // PUT /books/:id/tags — the book's tags, by slug.
      tags: {
        method: 'PUT',
        summary: "Set a book's tags (by slug)",
        body: t.Object({ tags: t.Array(t.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 }) }),
        response: { 200: t.Array(Tag.schema.read) },
        handler: async (ctx, { tx, row }) => {
          const slugs: string[] = ctx.body.tags;
          const tags = await query(tx, Tag).filter({ slug__in: slugs }).all();
          const unknown = slugs.filter((slug) => !tags.some((tag) => tag.slug === slug));
          if (unknown.length)
            throw new HttpError(422, {
              detail: 'The request is not valid.',
              errors: unknown.map((slug) => ({
                loc: ['body', 'tags'],
                msg: `No tag '${slug}'`,
                type: 'not_found',
              })),
            });
          const links = query(tx, Book).related(row!, 'tags', Tag);
          await links.set(tags);
          return links.all();
        },
      },
      // POST /books/:id/reviews — a review by the logged-in user (who may see the book).
      reviews: {
        permission: 'view',
        summary: 'Review a published book (as the logged-in user)',
        status: 201,
        body: t.Object(
          { rating: Review.schema.create.properties.rating, body: Review.schema.create.properties.body },
          { additionalProperties: false },
        ),
        response: { 201: Review.schema.read },
        handler: async (ctx, { tx, row }) => {
          const user = ctx.user;
          if (!user.isAuthenticated)
            throw new HttpError(401, {
              detail: 'Log in to review a book.',
              headers: { 'www-authenticate': 'Bearer' },
            });
          if (row!.status !== 'published')
            throw new HttpError(409, { detail: 'Only published books can be reviewed.' });
          // The author comes from the login, never from the body (whose schema leaves it out).
          return query(tx, Review).create({
            ...ctx.body,
            bookId: row!.id,
            reviewer: user.row.username,
            userId: user.row.id,
          });
        },
      },
    },
  }),
);

// --- Reviews -------------------------------------------------------------------------------

// Ownership: a review is its author's. Only they may change or delete it — or a moderator with
// the model permission (library.change_review, library.delete_review); superusers may do all.
// The resource asks these rules with the row; the author is never written by a client.
users.definePolicy(Review, {
  canChange: async (user, review?: { userId: number | null }) =>
    user.isAuthenticated &&
    ((review !== undefined && review.userId === user.id) || (await user.hasPerm('library.change_review'))),
  canDelete: async (user, review?: { userId: number | null }) =>
    user.isAuthenticated &&
    ((review !== undefined && review.userId === user.id) || (await user.hasPerm('library.delete_review'))),
});

app.include(
  resource('/reviews', Review, {
    permissions: 'read-public',
    // Made through POST /books/:id/reviews; the book and the author are not changed.
    operations: ['list', 'retrieve', 'update', 'delete'],
    writable: ['rating', 'body'],
    filters: { book: true, rating: ['gte', 'lte'] },
    ordering: ['created', 'rating'],
  }),
);

// --- Tags ----------------------------------------------------------------------------------

app.include(resource('/tags', Tag, { permissions: 'read-public', lookup: 'slug', search: ['name'] }));
