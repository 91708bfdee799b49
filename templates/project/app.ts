/**
 * {{name}}: a Volt app. The notes live in the database DATABASE_URL names ({{databaseDescription}}),
 * in the tables the migrations in migrations/ make. The app opens it at startup and hands it to
 * every handler as `ctx.db`.
 *
 *   npm start                 apply the migrations, then serve on http://127.0.0.1:8000 (docs at /docs)
 *   npm run createsuperuser   make a user, to log in at /admin or with the Authorize button of /docs
 */
import { defineApp, volt } from '{{volt}}';
import { admin } from '{{volt}}/admin';
import { auth } from '{{volt}}/auth';
import { resource } from '{{volt}}/crud';
import { Note } from './models.ts';

/** Users: the /auth routes (log in, tokens), sessions and CSRF protection. */
export const users = auth();

/** This project's own models; their migrations are in migrations/notes/. */
export const notes = defineApp({ name: 'notes', models: [Note] });

/** The back office at /admin, for staff users: list, search, add, change and delete notes, with their history. */
export const site = admin();
site.register(Note, { list: ['title', 'created'], search: ['title', 'body'], filters: ['created'] });

export const app = volt({ info: { title: '{{name}}', version: '0.1.0' }, apps: [users, notes, site] });

// The notes as a REST resource: list (cursor pages, ?search=, ?ordering=), read, add, change,
// delete — validated from the model, documented at /docs. Anyone reads; writing needs the
// model permission (notes.change_note…), except adding: any logged-in user may (the policy).
users.definePolicy(Note, { canAdd: (user) => user.isAuthenticated });
app.include(
  resource('/notes', Note, {
    permissions: 'read-public',
    search: ['title', 'body'],
    ordering: ['created', 'title'],
  }),
);
