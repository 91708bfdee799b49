/**
 * The four benchmark routes on raw `node:http`: hand-written routing, `JSON.parse` and
 * hand-written validation. The floor every framework on Node pays for.
 *
 * Usage: `PORT=3002 node bench/servers/node-http.ts`
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const BODY_LIMIT = 1024 * 1024;
const HELLO = 'Hello, World!';

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

interface FieldError {
  loc: Array<string | number>;
  msg: string;
}

function problem(res: ServerResponse, status: number, detail: string, errors?: FieldError[]): void {
  send(res, status, 'application/problem+json', JSON.stringify({ status, detail, errors }));
}

interface Item {
  name: string;
  price: number;
  tags: string[];
}

/** Checks the /items body by hand: name 1..100 chars, price > 0, tags ≤ 10 strings. */
function validateItem(value: unknown): { item: Item } | { errors: FieldError[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { errors: [{ loc: ['body'], msg: 'Input should be an object' }] };
  }
  const { name, price, tags } = value as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (typeof name !== 'string') errors.push({ loc: ['body', 'name'], msg: 'Input should be a string' });
  else if (name.length < 1 || name.length > 100) {
    errors.push({ loc: ['body', 'name'], msg: 'String should have 1 to 100 characters' });
  }
  if (typeof price !== 'number' || !Number.isFinite(price)) {
    errors.push({ loc: ['body', 'price'], msg: 'Input should be a number' });
  } else if (!(price > 0)) errors.push({ loc: ['body', 'price'], msg: 'Input should be greater than 0' });
  if (tags !== undefined) {
    if (!Array.isArray(tags)) errors.push({ loc: ['body', 'tags'], msg: 'Input should be an array' });
    else {
      if (tags.length > 10) errors.push({ loc: ['body', 'tags'], msg: 'List should have at most 10 items' });
      tags.forEach((tag, i) => {
        if (typeof tag !== 'string')
          errors.push({ loc: ['body', 'tags', i], msg: 'Input should be a string' });
      });
    }
  }
  if (errors.length > 0) return { errors };
  return {
    item: { name: name as string, price: price as number, tags: (tags as string[] | undefined) ?? [] },
  };
}

function readBody(req: IncomingMessage, done: (error: Error | undefined, body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > BODY_LIMIT) {
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => done(undefined, Buffer.concat(chunks).toString('utf8')));
  req.on('error', (error) => done(error, ''));
}

function postItem(req: IncomingMessage, res: ServerResponse): void {
  if (!String(req.headers['content-type']).startsWith('application/json')) {
    problem(res, 415, 'Send application/json.');
    return;
  }
  readBody(req, (error, text) => {
    if (error) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      problem(res, 400, 'The request body is not valid JSON.');
      return;
    }
    const result = validateItem(parsed);
    if ('errors' in result) problem(res, 422, 'Invalid item.', result.errors);
    else sendJson(res, 200, result.item);
  });
}

/** The "dependency" of /users/:id: who is calling, from the x-client header. */
function clientOf(req: IncomingMessage): { name: string } | undefined {
  const header = req.headers['x-client'];
  if (header === undefined) return { name: 'anonymous' };
  return typeof header === 'string' && header.length <= 40 ? { name: header } : undefined;
}

function getUser(req: IncomingMessage, res: ServerResponse, idText: string, search: string): void {
  const id = /^\d+$/.test(idText) ? Number(idText) : Number.NaN;
  const errors: FieldError[] = [];
  if (!Number.isSafeInteger(id) || id < 1)
    errors.push({ loc: ['path', 'id'], msg: 'Input should be an integer ≥ 1' });
  const raw = new URLSearchParams(search).get('verbose');
  const verbose = raw === null ? false : raw === 'true' ? true : raw === 'false' ? false : undefined;
  if (verbose === undefined)
    errors.push({ loc: ['query', 'verbose'], msg: 'Input should be a valid boolean' });
  const client = clientOf(req);
  if (!client) errors.push({ loc: ['header', 'x-client'], msg: 'String should have at most 40 characters' });
  if (errors.length > 0 || !client) {
    problem(res, 422, 'Invalid request.', errors);
    return;
  }
  sendJson(res, 200, { id, verbose, client: client.name });
}

function route(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const search = q === -1 ? '' : url.slice(q + 1);
  if (req.method === 'GET' && path === '/plaintext') send(res, 200, 'text/plain; charset=utf-8', HELLO);
  else if (req.method === 'GET' && path === '/json') sendJson(res, 200, { message: HELLO });
  else if (req.method === 'POST' && path === '/items') postItem(req, res);
  else if (req.method === 'GET' && path.startsWith('/users/') && path.indexOf('/', 7) === -1) {
    getUser(req, res, path.slice(7), search);
  } else problem(res, 404, `No route matches ${req.method} ${path}.`);
}

const server = createServer(route).listen(Number(process.env.PORT ?? 3002), '127.0.0.1');

// Exit normally on SIGTERM so `--cpu-prof` can write its profile (bench/profile.ts).
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
