/**
 * The TechEmpower test types on Volt, written as a Volt user would: an installed app with the
 * two models, `query(ctx.db, …)` for every read and write, typed query strings, and the
 * fortunes page from an `html` template. Run by bench/tfb/run.ts with VOLT_ENV=production, a
 * throwaway SECRET_KEY and LOG_LEVEL=silent; the security layer stays as it is by default.
 *
 * Usage: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/volt_tfb PORT=3000 \
 *   node --conditions=volt-source bench/tfb/servers/volt.ts`
 */
import { defineApp, html, t, volt } from 'voltjs';
import { query } from 'voltjs/orm';
import { Fortune, World } from './volt-models.ts';

const app = volt({
  // DATABASE_URL, with Volt's default pool of 10.
  database: true,
  apps: [defineApp({ name: 'tfb', models: [World, Fortune] })],
});

// TechEmpower asks for a Server header on every answer; Volt sends none of its own.
app.on('request', (ctx) => {
  ctx.header('server', 'Volt');
});

/** An id (or a new random number): 1..10000. */
const random = () => 1 + Math.floor(Math.random() * 10_000);

/** How many rows a request asks for: a number clamped to 1..500; anything else is 1. */
function count(text: string | undefined): number {
  const n = Number.parseInt(text ?? '', 10);
  if (Number.isNaN(n) || n < 1) return 1;
  return Math.min(n, 500);
}

const Message = t.Object({ message: t.String() });
const Worlds = t.Array(World.schema.read);

app.get('/json', { response: { 200: Message } }, () => ({ message: 'Hello, World!' }));

app.get('/plaintext', { contentType: 'text/plain' }, () => 'Hello, World!');

app.get('/db', { response: { 200: World.schema.read } }, (ctx) => query(ctx.db, World).get({ id: random() }));

app.get(
  '/queries',
  { query: t.Object({ queries: t.Optional(t.String()) }), response: { 200: Worlds } },
  (ctx) => {
    const worlds = query(ctx.db, World);
    return Promise.all(Array.from({ length: count(ctx.query.queries) }, () => worlds.get({ id: random() })));
  },
);

app.get(
  '/updates',
  { query: t.Object({ queries: t.Optional(t.String()) }), response: { 200: Worlds } },
  async (ctx) => {
    const worlds = query(ctx.db, World);
    const rows = await Promise.all(
      Array.from({ length: count(ctx.query.queries) }, () => worlds.get({ id: random() })),
    );
    for (const row of rows) row.randomNumber = random();
    // One UPDATE … FROM (VALUES …) for all the rows, as Django's bulk_update.
    await worlds.bulkUpdate(rows, ['randomNumber']);
    return rows;
  },
);

const byMessage = (a: { message: string }, b: { message: string }) =>
  a.message < b.message ? -1 : a.message > b.message ? 1 : 0;

app.get('/fortunes', { contentType: 'text/html', response: { 200: t.String() } }, async (ctx) => {
  const fortunes = await query(ctx.db, Fortune).all();
  fortunes.push({ id: 0, message: 'Additional fortune added at request time.' });
  fortunes.sort(byMessage);
  const rows = fortunes.map((f) => html`<tr><td>${f.id}</td><td>${f.message}</td></tr>`);
  return html`<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>${rows}</table></body></html>`;
});

// The cache of cached-queries: every world row, read once when the app starts, by id.
let cache: Array<{ id: number; randomNumber: number }> = [];
app.onStartup(async () => {
  cache = [];
  for (const row of await query(app.db, World).all()) cache[row.id] = row;
});

app.get(
  '/cached-queries',
  { query: t.Object({ count: t.Optional(t.String()) }), response: { 200: Worlds } },
  (ctx) => Array.from({ length: count(ctx.query.count) }, () => cache[random()]!),
);

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
