/**
 * The smallest Fastify app (one route, logger off): the cold-start reference for Volt's engine.
 *
 * Usage: `PORT=3011 node bench/servers/minimal-fastify.ts`
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3011) });
