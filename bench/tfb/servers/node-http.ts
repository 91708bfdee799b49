/**
 * The TechEmpower test types on raw `node:http`: routing by hand, the same database work as the
 * Fastify server (./raw-pg.ts). The floor on Node.
 *
 * Usage: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/volt_tfb PORT=3002 \
 *   node --conditions=volt-source bench/tfb/servers/node-http.ts`
 */
import { createServer, type ServerResponse } from 'node:http';
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

const JSON_TYPE = 'application/json';

function send(res: ServerResponse, status: number, type: string, body: string): void {
  // node:http adds Date; TechEmpower asks for Server too.
  res.writeHead(status, { server: 'node', 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The value of `name` in a query string (`a=1&b=2`), or `null`. */
function param(query: string, name: string): string | null {
  return new URLSearchParams(query).get(name);
}

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  const query = mark === -1 ? '' : url.slice(mark + 1);
  const fail = (error: unknown) => {
    console.error(error);
    if (!res.headersSent) send(res, 500, 'text/plain', 'Internal Server Error');
  };
  if (req.method !== 'GET') return send(res, 405, 'text/plain', 'Method Not Allowed');
  switch (path) {
    case '/json':
      return send(res, 200, JSON_TYPE, JSON.stringify({ message: 'Hello, World!' }));
    case '/plaintext':
      return send(res, 200, 'text/plain', 'Hello, World!');
    case '/db':
      world(random()).then((row) => send(res, 200, JSON_TYPE, JSON.stringify(row)), fail);
      return;
    case '/queries':
      worlds(count(param(query, 'queries'))).then(
        (rows) => send(res, 200, JSON_TYPE, JSON.stringify(rows)),
        fail,
      );
      return;
    case '/updates':
      updateWorlds(count(param(query, 'queries'))).then(
        (rows) => send(res, 200, JSON_TYPE, JSON.stringify(rows)),
        fail,
      );
      return;
    case '/cached-queries':
      return send(res, 200, JSON_TYPE, JSON.stringify(cachedWorlds(count(param(query, 'count')))));
    case '/fortunes':
      fortunesPage().then((page) => send(res, 200, 'text/html; charset=utf-8', page), fail);
      return;
    default:
      return send(res, 404, 'text/plain', 'Not Found');
  }
});

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  closePool().then(() => process.exit(0));
});

await loadCache();
server.listen(Number(process.env.PORT ?? 3002), '127.0.0.1');
