/**
 * Headers checked once per app (the security headers): written on the wire as checked, once
 * each; a response that changes or removes one is written as it says.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { listenLocal, quietApp } from './support.ts';

/** The raw head of the final answer to `request` (a whole HTTP/1.1 request). */
async function rawHead(port: number, request: string): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(request);
  let out = '';
  socket.on('data', (chunk) => {
    out += chunk;
  });
  await new Promise((resolve) => socket.on('close', resolve));
  // The final answer's head (after a `100 Continue`, when one came).
  const heads = out.split('\r\n\r\n').filter((part) => /^HTTP\/1\.1 [2-5]/.test(part));
  return heads[0]!.split('\r\n');
}

function app() {
  const app = quietApp();
  app.checkHeadersOnce({ 'X-Frame-Options': 'DENY', 'x-checked': 'yes', 'referrer-policy': 'same-origin' });
  app.on('request', (ctx) => {
    ctx.header('x-frame-options', 'DENY');
    ctx.header('x-checked', 'yes');
    ctx.header('referrer-policy', 'same-origin');
  });
  app.get('/plain', () => ({ ok: true }));
  app.get('/changed', (ctx) => {
    ctx.header('x-frame-options', 'SAMEORIGIN');
    ctx.reply.removeHeader('x-checked');
    return { ok: true };
  });
  app.get('/fails', () => {
    throw new Error('boom');
  });
  return app;
}

const get = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`;

test('checked headers are written once each, with the framing headers, on answers and errors alike', async (t) => {
  const server = app();
  t.after(() => server.close());
  const { port } = await listenLocal(server);
  for (const path of ['/plain', '/fails', '/missing']) {
    const head = await rawHead(port, get(path));
    const lines = head.slice(1).map((line) => line.toLowerCase());
    for (const expected of ['x-frame-options: deny', 'x-checked: yes', 'referrer-policy: same-origin'])
      assert.equal(
        lines.filter((line) => line === expected).length,
        1,
        `${path}: ${expected} in\n${head.join('\n')}`,
      );
    assert.ok(
      lines.some((line) => line.startsWith('content-length: ')),
      path,
    );
    assert.ok(
      lines.some((line) => line === 'connection: close'),
      path,
    );
  }
});

test('a response that changes a checked header sends its value, and one that removes it sends none', async (t) => {
  const server = app();
  t.after(() => server.close());
  const { port } = await listenLocal(server);
  const lines = (await rawHead(port, get('/changed'))).map((line) => line.toLowerCase());
  assert.deepEqual(
    lines.filter((line) => line.startsWith('x-frame-options')),
    ['x-frame-options: sameorigin'],
  );
  assert.equal(lines.filter((line) => line.startsWith('x-checked')).length, 0);
  assert.equal(lines.filter((line) => line === 'referrer-policy: same-origin').length, 1);
});

test('with Expect: 100-continue the checked headers are still sent', async (t) => {
  const server = app();
  t.after(() => server.close());
  const { port } = await listenLocal(server);
  const head = await rawHead(
    port,
    'POST /plain HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
  );
  const lines = head.map((line) => line.toLowerCase());
  assert.ok(lines.includes('x-frame-options: deny'), head.join('\n'));
});

test('a header that is not valid HTTP is refused when it is checked, not on the wire', () => {
  const server = quietApp();
  assert.throws(() => server.checkHeadersOnce({ 'x-bad': 'line\r\nInjected: yes' }), /Invalid character/);
  assert.throws(() => server.checkHeadersOnce({ 'bad name': 'x' }), /Header name must be a valid HTTP token/);
});
