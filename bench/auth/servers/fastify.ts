/**
 * Bare Fastify doing by hand what `auth.requireUser` does (bench/auth/servers/by-hand.ts):
 * `GET /me` for a bearer token or the session cookie, `GET /open` with no check. Response
 * schemas for serialization, logger off.
 *
 * Usage: `PORT=3001 SECRET_KEY=… AUTH_BENCH_DB=/tmp/…/auth.db node bench/auth/servers/fastify.ts`
 */
import Fastify from 'fastify';
import { handAuth, UNAUTHORIZED } from './by-hand.ts';

const auth = handAuth(process.env.AUTH_BENCH_DB ?? '', process.env.SECRET_KEY ?? '');
const app = Fastify({ logger: false });
// Typed loosely so the handler may answer 401 as well as the serialized 200.
const Me: Record<string, object> = {
  200: {
    type: 'object',
    properties: { id: { type: 'integer' }, username: { type: 'string' } },
    required: ['id', 'username'],
  },
};

app.get('/me', { schema: { response: Me } }, async (request, reply) => {
  const user = auth.authenticate(request.headers.authorization, request.headers.cookie);
  if (!user) {
    reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .type('application/problem+json')
      .serializer((body: string) => body);
    return UNAUTHORIZED;
  }
  return user;
});

app.get('/open', { schema: { response: Me } }, async () => ({ id: 0, username: 'anonymous' }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3001) });

// Exit normally on SIGTERM so `--cpu-prof` can write its profile.
process.once('SIGTERM', () => {
  app.close().then(() => {
    auth.close();
    process.exit(0);
  });
});
