/**
 * The smallest `node:http` server: the cold-start floor of any Node framework.
 *
 * Usage: `PORT=3012 node bench/servers/minimal-node-http.ts`
 */
import { createServer } from 'node:http';

createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
}).listen(Number(process.env.PORT ?? 3012), '127.0.0.1');
