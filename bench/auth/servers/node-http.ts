/**
 * Raw `node:http` doing by hand what `auth.requireUser` does (bench/auth/servers/by-hand.ts):
 * `GET /me` for a bearer token or the session cookie, `GET /open` with no check.
 *
 * Usage: `PORT=3002 SECRET_KEY=… AUTH_BENCH_DB=/tmp/…/auth.db node bench/auth/servers/node-http.ts`
 */
import { createServer, type ServerResponse } from 'node:http';
import { handAuth, UNAUTHORIZED } from './by-hand.ts';

const auth = handAuth(process.env.AUTH_BENCH_DB ?? '', process.env.SECRET_KEY ?? '');

function send(res: ServerResponse, status: number, type: string, body: string, extra = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

const JSON_TYPE = 'application/json; charset=utf-8';

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (req.method === 'GET' && path === '/me') {
    const user = auth.authenticate(req.headers.authorization, req.headers.cookie);
    if (user) send(res, 200, JSON_TYPE, JSON.stringify(user));
    else send(res, 401, 'application/problem+json', UNAUTHORIZED, { 'www-authenticate': 'Bearer' });
  } else if (req.method === 'GET' && path === '/open')
    send(res, 200, JSON_TYPE, JSON.stringify({ id: 0, username: 'anonymous' }));
  else send(res, 404, 'application/problem+json', JSON.stringify({ status: 404, detail: 'Not found.' }));
}).listen(Number(process.env.PORT ?? 3002), '127.0.0.1');

// Exit normally on SIGTERM so `--cpu-prof` can write its profile.
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => {
    auth.close();
    process.exit(0);
  });
});
