/**
 * Slow clients over a real socket: headers sent a byte at a time and bodies trickled in are cut
 * off within a second of HEADERS_TIMEOUT / REQUEST_TIMEOUT, not at Node's next 30 s check.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import type { VoltApp } from '../../src/http/app.ts';
import { listenLocal, quietApp, sleep } from './support.ts';

const apps: VoltApp[] = [];
after(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

async function serve(options: { headersTimeout: number; requestTimeout: number }): Promise<number> {
  const app = quietApp({ ...options, shutdownTimeout: 0.1 });
  app.post('/upload', () => ({ ok: true }));
  app.get('/slow-answer', (ctx) =>
    ctx.stream(
      (async function* () {
        for (let i = 0; i < 5; i++) {
          yield `${i}\n`;
          await sleep(300);
        }
      })(),
    ),
  );
  apps.push(app);
  return (await listenLocal(app)).port;
}

/**
 * Connects, sends `head` at once, then `trickled` one byte every `everyMs` until the server
 * closes the connection (or `giveUpMs` passed). Answers how long it lived and what came back.
 */
function trickle(
  port: number,
  head: string,
  trickled: string,
  everyMs: number,
  giveUpMs = 10_000,
): Promise<{ lifetime: number; received: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    let received = '';
    let i = 0;
    const timer = setInterval(() => {
      if (i < trickled.length && socket.writable) socket.write(trickled[i++]!);
    }, everyMs);
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ lifetime: performance.now() - started, received });
    });
  });
}

describe('slow clients are cut off in time', { timeout: 30_000 }, () => {
  test('headers sent a byte at a time: closed within HEADERS_TIMEOUT + 1 s', async () => {
    const port = await serve({ headersTimeout: 1, requestTimeout: 5 });
    const headers = `GET /slow-answer HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(500)}\r\n\r\n`;
    const { lifetime, received } = await trickle(port, '', headers, 50);
    assert.ok(lifetime >= 950, `closed after ${lifetime.toFixed(0)} ms, before the timeout`);
    assert.ok(lifetime < 2000, `closed after ${lifetime.toFixed(0)} ms (HEADERS_TIMEOUT is 1000 ms)`);
    assert.match(received, /^HTTP\/1\.1 408 /);
    assert.match(received, /content-type: application\/problem\+json/i);
    assert.match(received, /"status":408/);
  });

  test('a body at a few bytes a second: closed within REQUEST_TIMEOUT + 1 s', async () => {
    const port = await serve({ headersTimeout: 1, requestTimeout: 2 });
    const head =
      'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
    // The headers arrive at once; the body then trickles in, 1 byte every 200 ms.
    const result = await trickle(port, head, ' '.repeat(1000), 200);
    assert.ok(result.lifetime >= 1950, `closed after ${result.lifetime.toFixed(0)} ms, before the timeout`);
    assert.ok(
      result.lifetime < 3000,
      `closed after ${result.lifetime.toFixed(0)} ms (REQUEST_TIMEOUT is 2000 ms)`,
    );
    assert.match(result.received, /^HTTP\/1\.1 408 /);
  });

  test('malformed HTTP is answered with a 400 problem and the connection closed', async () => {
    const port = await serve({ headersTimeout: 1, requestTimeout: 2 });
    const { received } = await trickle(port, 'GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n', '', 10);
    assert.match(received, /^HTTP\/1\.1 400 /);
    assert.match(received, /content-type: application\/problem\+json/i);
    assert.match(received, /"detail":"The request is not valid HTTP\."/);
  });

  test('a response that takes longer than REQUEST_TIMEOUT to send is not cut', async () => {
    const port = await serve({ headersTimeout: 0.5, requestTimeout: 0.5 });
    const res = await fetch(`http://127.0.0.1:${port}/slow-answer`);
    assert.equal(await res.text(), '0\n1\n2\n3\n4\n');
  });
});
