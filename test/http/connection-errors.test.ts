/**
 * What Volt answers below the routing, over a real socket: a request Node's parser refuses, a
 * request without Host, the `Expect` header. Each answer is a problem+json with the security
 * headers and `Connection: close`; none is written into a response already on its way.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import type { VoltApp } from '../../src/http/app.ts';
import { t } from '../../src/openapi/t.ts';
import { volt } from '../../src/volt.ts';
import { sleep } from './support.ts';

const apps: VoltApp[] = [];
after(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

async function serve(options: { allowedHosts?: string[] } = {}): Promise<number> {
  const app = volt({ docs: false, logger: false, envFile: false, shutdownTimeout: 0.1, ...options });
  app.get('/ping', () => ({ ok: true }));
  app.post('/items', { body: t.Object({ name: t.String() }), bodyLimit: 100 }, (ctx) => ctx.body);
  app.get('/stream', (ctx) =>
    ctx.stream(
      (async function* () {
        for (let i = 0; i < 4; i++) {
          yield `chunk ${i}\n`;
          await sleep(200);
        }
      })(),
    ),
  );
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0, signals: false });
  return (app.fastify.server.address() as net.AddressInfo).port;
}

/** A raw connection: what it received so far, a way to write, and its end. */
function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  const state = { received: '' };
  socket.on('data', (chunk: string) => {
    state.received += chunk;
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, state, closed };
}

/** Sends `request` on a new connection; answers everything received until the server closed it. */
async function exchange(port: number, request: string): Promise<string> {
  const { socket, state, closed } = connect(port);
  socket.write(request);
  const giveUp = setTimeout(() => socket.destroy(), 5000);
  await closed;
  clearTimeout(giveUp);
  return state.received;
}

function assertSecurityHeaders(head: string): void {
  assert.match(head, /\r\nx-content-type-options: nosniff\r\n/i);
  assert.match(head, /\r\nx-frame-options: DENY\r\n/i);
  assert.match(head, /\r\ncontent-security-policy: /i);
}

describe('answers at the connection level', { timeout: 30_000 }, () => {
  test('malformed HTTP: a 400 problem with the security headers and Connection: close', async () => {
    const port = await serve();
    const received = await exchange(port, 'GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n');
    assert.match(received, /^HTTP\/1\.1 400 /);
    assert.match(received, /\r\ncontent-type: application\/problem\+json/i);
    assert.match(received, /\r\nconnection: close\r\n/i);
    assertSecurityHeaders(received);
  });

  test('headers past the limit: a 431 problem with the security headers', async () => {
    const port = await serve();
    const received = await exchange(
      port,
      `GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    assert.match(received, /^HTTP\/1\.1 431 /);
    assert.match(received, /"status":431/);
    assertSecurityHeaders(received);
  });

  test('malformed HTTP pipelined behind a response in progress: the connection is cut, nothing written into the response', async () => {
    const port = await serve();
    const { socket, state, closed } = connect(port);
    socket.write('GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const deadline = Date.now() + 3000;
    while (!state.received.includes('chunk 0') && Date.now() < deadline) await sleep(10);
    assert.match(state.received, /^HTTP\/1\.1 200 /);
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    const giveUp = setTimeout(() => socket.destroy(), 5000);
    await closed;
    clearTimeout(giveUp);
    assert.equal(state.received.match(/HTTP\/1\.1 /g)?.length, 1, state.received);
    assert.doesNotMatch(state.received, /problem\+json/);
  });
});

describe('Host', () => {
  test('an HTTP/1.1 request without Host is a 400 problem with the security headers, also with ALLOWED_HOSTS=*', async () => {
    for (const allowedHosts of [['127.0.0.1'], ['*']]) {
      const port = await serve({ allowedHosts });
      const received = await exchange(port, 'GET /ping HTTP/1.1\r\nConnection: close\r\n\r\n');
      assert.match(received, /^HTTP\/1\.1 400 /, `ALLOWED_HOSTS=${allowedHosts}`);
      assert.match(received, /\r\ncontent-type: application\/problem\+json/i);
      assert.match(received, /"detail":"The request has no Host header\."/);
      assertSecurityHeaders(received);
    }
  });

  test('an HTTP/1.0 request without Host is served when every host is allowed', async () => {
    const port = await serve({ allowedHosts: ['*'] });
    const received = await exchange(port, 'GET /ping HTTP/1.0\r\n\r\n');
    assert.match(received, /^HTTP\/1\.1 200 /);
  });
});

describe('Expect', { timeout: 30_000 }, () => {
  const head = (length: number, type = 'application/json') =>
    `POST /items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n` +
    'Expect: 100-continue\r\n\r\n';

  test('100-continue on a body the route takes: "100 Continue", then the body is read and answered', async () => {
    const port = await serve();
    const { socket, state, closed } = connect(port);
    const body = '{"name":"pen"}';
    socket.write(head(body.length));
    const deadline = Date.now() + 3000;
    while (!state.received.includes('100 Continue') && Date.now() < deadline) await sleep(10);
    assert.match(state.received, /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    socket.write(body);
    while (!state.received.includes('"pen"') && Date.now() < deadline) await sleep(10);
    assert.match(state.received, /HTTP\/1\.1 200 OK/);
    assert.doesNotMatch(state.received, /connection: close/i);
    socket.destroy();
    await closed;
  });

  test('100-continue on a body past the limit: a 413 at once, no "100 Continue", the connection closed', async () => {
    const port = await serve();
    const received = await exchange(port, head(5000));
    assert.match(received, /^HTTP\/1\.1 413 /);
    assert.doesNotMatch(received, /100 Continue/);
    assert.match(received, /\r\nconnection: close\r\n/i);
    assertSecurityHeaders(received);
  });

  test('100-continue on a media type the route does not take: a 415 at once, no "100 Continue"', async () => {
    const port = await serve();
    const received = await exchange(port, head(10, 'text/csv'));
    assert.match(received, /^HTTP\/1\.1 415 /);
    assert.doesNotMatch(received, /100 Continue/);
    assert.match(received, /\r\nconnection: close\r\n/i);
  });

  test('an expectation other than 100-continue: a 417 problem with the security headers', async () => {
    const port = await serve();
    const received = await exchange(
      port,
      'GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: something-else\r\n\r\n',
    );
    assert.match(received, /^HTTP\/1\.1 417 /);
    assert.match(received, /\r\ncontent-type: application\/problem\+json/i);
    assert.match(received, /"status":417/);
    assert.match(received, /\r\nconnection: close\r\n/i);
    assertSecurityHeaders(received);
  });
});
