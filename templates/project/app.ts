/**
 * {{name}}: a Volt app. The notes live in the database DATABASE_URL names ({{databaseDescription}}),
 * in the tables the migrations in migrations/ make. The app opens it at startup and hands it to
 * every handler as `ctx.db`.
 *
 *   npm start                 apply the migrations, then serve on http://127.0.0.1:8000 (docs at /docs)
 *   npm run createsuperuser   make a user, to log in with the Authorize button of /docs
 */
import { defineApp, t, volt } from '{{volt}}';
import { auth } from '{{volt}}/auth';
import { query } from '{{volt}}/orm';
import { Note } from './models.ts';

/** Users: the /auth routes (log in, tokens), sessions and CSRF protection. */
export const users = auth();

/** This project's own models; their migrations are in migrations/notes/. */
export const notes = defineApp({ name: 'notes', models: [Note] });

export const app = volt({ info: { title: '{{name}}', version: '0.1.0' }, apps: [users, notes] });

app.get(
  '/notes',
  {
    tags: ['notes'],
    summary: 'List notes, newest first',
    query: t.Object({
      limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }),
      offset: t.Integer({ minimum: 0, default: 0 }),
    }),
    response: { 200: t.Array(Note.schema.read) },
  },
  (ctx) => query(ctx.db, Note).offset(ctx.query.offset).limit(ctx.query.limit).all(),
);

app.post(
  '/notes',
  {
    tags: ['notes'],
    summary: 'Add a note (logged in)',
    dependencies: [users.requireUser],
    status: 201,
    body: Note.schema.create,
    response: { 201: Note.schema.read },
  },
  (ctx) => query(ctx.db, Note).create(ctx.body),
);
