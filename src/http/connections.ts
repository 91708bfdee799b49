/**
 * What happens on a connection below Fastify's routing: the answers Volt writes itself when
 * Node's parser refuses a request (malformed HTTP, headers too large, a timeout), the `Expect`
 * header (`100-continue` only once the body is going to be read, `417` for anything else), and
 * the connections that never sent a byte, which a shutdown closes at once.
 */
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE } from './errors.ts';

/** Headers to put on the answers Volt writes at the connection level, by lower-case name. */
export type ConnectionHeaders = Readonly<Record<string, string>>;

// What Node's parser reports, and what Volt answers; anything else is a 400.
const CONNECTION_ERRORS: Record<string, [status: number, detail: string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [
    408,
    'The request was not received in time (HEADERS_TIMEOUT for the headers, REQUEST_TIMEOUT in all).',
  ],
  HPE_HEADER_OVERFLOW: [431, 'The request headers are larger than the limit.'],
};

/** The problem+json body Volt sends for a status at the connection level. */
function problemBody(status: number, detail: string): string {
  const title = STATUS_CODES[status] ?? 'Bad Request';
  return JSON.stringify({ type: 'about:blank', title, status, detail });
}

/**
 * Whether a raw answer may be written on the socket: not when a response is on its way (its
 * headers went out, or the request it answers was received whole and is being handled — the
 * error then belongs to a later, pipelined request), as the bytes would land inside it.
 */
function answerable(socket: Duplex): boolean {
  const current = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!current) return true;
  return !current.headersSent && current.req?.complete !== true;
}

/**
 * Answers what Node's HTTP parser refuses before there is a request to route (a slow client
 * past its timeout, malformed HTTP, headers too large) with a problem+json written on the
 * socket, with `headers` (the security headers) and `Connection: close`, then closes it. A
 * socket whose response is already in progress is closed without a word.
 *
 * @example
 * ```ts
 * server.on('clientError', (error, socket) => sendConnectionError(error, socket, { 'x-content-type-options': 'nosniff' }));
 * ```
 */
export function sendConnectionError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  headers: ConnectionHeaders = {},
): void {
  // A reset connection is gone: there is no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable && answerable(socket)) {
    const [status, detail] = CONNECTION_ERRORS[error.code ?? ''] ?? [400, 'The request is not valid HTTP.'];
    const body = problemBody(status, detail);
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    socket.write(
      `${head}Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Handles the `Expect` header on `server`, whose `request` listener is the app's.
 *
 * `100-continue`: the client waits before sending the body. Node would say "continue" at
 * once; Volt says it only when the body is read, so a request refused before (a media type
 * the route does not take, a `Content-Length` past the limit, a Host not allowed) gets its
 * 4xx without the body being sent, and `Connection: close`, as the body it announced never came.
 *
 * Any other expectation is a 417 problem with `headers`, instead of Node's bare 417.
 */
export function handleExpectations(server: Server, headers: () => ConnectionHeaders): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('connection', 'close');
    // Reading the body starts the stream flowing: the client may send it now.
    request.once('resume', () => {
      if (response.headersSent || response.writableEnded) return;
      response.writeContinue();
      response.removeHeader('connection');
    });
    server.emit('request', request, response);
  });
  server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    const body = problemBody(417, 'The only expectation this server meets is "Expect: 100-continue".');
    response.writeHead(417, {
      ...headers(),
      'content-type': PROBLEM_CONTENT_TYPE,
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    response.end(body);
  });
}

/**
 * Tracks the connections of `server` to tell which never sent a byte. Answers a function that
 * destroys those: a shutdown calls it, as Node counts such a connection as busy (its
 * HEADERS_TIMEOUT runs) and would wait for it.
 */
export function trackFreshConnections(server: Server): () => void {
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return () => {
    for (const socket of open) if (socket.bytesRead === 0) socket.destroy();
  };
}
