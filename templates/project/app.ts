/**
 * {{name}}: a Volt app. The notes live in the database DATABASE_URL names ({{databaseDescription}}),
 * in the tables the migrations in migrations/ make.
 *
 *   npm start                 apply the migrations, then serve on http://127.0.0.1:8000 (docs at /docs)
 *   npm run createsuperuser   make a user, to log in with the Authorize button of /docs
 */
import { dependency, t, volt } from '{{volt}}';
import { createAuth } from '{{volt}}/auth';
import { connect, type Database, query } from '{{volt}}/orm';
import { Note } from './models.ts';

export const app = volt({ info: { title: '{{name}}', version: '0.1.0' } });

let connection: Database | undefined;
app.onStartup(async () => {
  // DATABASE_URL's database, unless a test gave the app its own (useDatabase).
  connection ??= await connect(app.settings.databaseUrl, { logger: app.fastify.log });
});
app.onShutdown(async () => {
  await connection?.close();
  connection = undefined;
});

/** The app's database, opened at startup. */
export function db(): Database {
  if (!connection) throw new Error('The database is opened at startup');
  return connection;
}

/** Makes the app use `database` instead of opening DATABASE_URL's (for tests). */
export function useDatabase(database: Database): void {
  connection = database;
}

/** Users: the /auth routes (log in, tokens), sessions and CSRF protection. */
export const auth = createAuth(app, { db });

const deps = { db: dependency(db) };

app.get(
  '/notes',
  {
    tags: ['notes'],
    summary: 'List notes, newest first',
    deps,
    query: t.Object({
      limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }),
      offset: t.Integer({ minimum: 0, default: 0 }),
    }),
    response: { 200: t.Array(Note.schema.read) },
  },
  (ctx) => query(ctx.deps.db, Note).offset(ctx.query.offset).limit(ctx.query.limit).all(),
);

app.post(
  '/notes',
  {
    tags: ['notes'],
    summary: 'Add a note (logged in)',
    dependencies: [auth.requireUser],
    deps,
    status: 201,
    body: Note.schema.create,
    response: { 201: Note.schema.read },
  },
  (ctx) => query(ctx.deps.db, Note).create(ctx.body),
);
