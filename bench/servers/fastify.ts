/**
 * Bare Fastify serving the four benchmark routes, written the way Fastify's docs do it:
 * JSON schemas for validation (ajv) and for response serialization (fast-json-stringify),
 * logger off. The peer Volt is measured against: Volt runs on this engine.
 *
 * Usage: `PORT=3001 node --conditions=volt-source bench/servers/fastify.ts`
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });

app.get('/plaintext', (_request, reply) => {
  reply.type('text/plain; charset=utf-8').send('Hello, World!');
});

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

interface ItemIn {
  name: string;
  price: number;
  tags?: string[];
}

app.post<{ Body: ItemIn }>(
  '/items',
  {
    schema: {
      body: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100 },
          price: { type: 'number', exclusiveMinimum: 0 },
          tags: { type: 'array', items: { type: 'string' }, maxItems: 10 },
        },
        required: ['name', 'price'],
      },
      response: {
        200: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            price: { type: 'number' },
            tags: { type: 'array', items: { type: 'string' } },
          },
          required: ['name', 'price', 'tags'],
        },
      },
    },
  },
  async (request) => ({ name: request.body.name, price: request.body.price, tags: request.body.tags ?? [] }),
);

/** The "dependency" of /users/:id: who is calling, from the x-client header. */
function clientOf(headers: { 'x-client'?: string }): { name: string } {
  return { name: headers['x-client'] ?? 'anonymous' };
}

app.get<{ Params: { id: number }; Querystring: { verbose: boolean }; Headers: { 'x-client'?: string } }>(
  '/users/:id',
  {
    schema: {
      params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
      querystring: { type: 'object', properties: { verbose: { type: 'boolean', default: false } } },
      headers: { type: 'object', properties: { 'x-client': { type: 'string', maxLength: 40 } } },
      response: {
        200: {
          type: 'object',
          properties: { id: { type: 'integer' }, verbose: { type: 'boolean' }, client: { type: 'string' } },
          required: ['id', 'verbose', 'client'],
        },
      },
    },
  },
  async (request) => ({
    id: request.params.id,
    verbose: request.query.verbose,
    client: clientOf(request.headers).name,
  }),
);

// Exit normally on SIGTERM so `--cpu-prof` can write its profile (bench/profile.ts).
process.once('SIGTERM', () => {
  app.close().then(() => process.exit(0));
});

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3001) });
