/**
 * The TechEmpower test types on bare Fastify 5: logger off, response schemas for the JSON
 * answers (fast-json-stringify), the database work by hand on `pg` (./raw-pg.ts: named
 * prepared statements, a pool of 10, one `UPDATE … FROM (VALUES …)` per updates request).
 *
 * Usage: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/volt_tfb PORT=3001 \
 *   node --conditions=volt-source bench/tfb/servers/fastify.ts`
 */
import Fastify from 'fastify';
import {
  cachedWorlds,
  closePool,
  count,
  fortunesPage,
  loadCache,
  random,
  updateWorlds,
  world,
  worlds,
} from './raw-pg.ts';

const app = Fastify({ logger: false });

// TechEmpower asks for a Server header on every answer; Fastify sends none of its own.
app.addHook('onRequest', (_request, reply, done) => {
  reply.header('server', 'Fastify');
  done();
});

const worldSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, randomNumber: { type: 'integer' } },
  required: ['id', 'randomNumber'],
} as const;
const worldsSchema = { schema: { response: { 200: { type: 'array', items: worldSchema } } } };

type Count = { Querystring: { queries?: string; count?: string } };

app.get(
  '/json',
  {
    schema: {
      response: {
        200: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
      },
    },
  },
  async () => ({ message: 'Hello, World!' }),
);

app.get('/plaintext', (_request, reply) => {
  reply.type('text/plain; charset=utf-8').send('Hello, World!');
});

app.get('/db', { schema: { response: { 200: worldSchema } } }, () => world(random()));

app.get<Count>('/queries', worldsSchema, (request) => worlds(count(request.query.queries)));

app.get<Count>('/updates', worldsSchema, (request) => updateWorlds(count(request.query.queries)));

app.get<Count>('/cached-queries', worldsSchema, async (request) => cachedWorlds(count(request.query.count)));

app.get('/fortunes', async (_request, reply) => {
  reply.type('text/html; charset=utf-8');
  return fortunesPage();
});

process.once('SIGTERM', () => {
  app
    .close()
    .then(closePool)
    .then(() => process.exit(0));
});

await loadCache();
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3001) });
