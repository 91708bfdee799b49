/**
 * ALLOWED_HOSTS is enforced on every request of a volt() app: another Host header is a 400 problem before any
 * route runs, whatever the route and method.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import net from 'node:net';
import { describe, test } from 'node:test';
import { hostCheck, hostOf } from '../../src/security/hosts.ts';
import { testClient } from '../../src/testing/index.ts';
import { listenLocal } from '../http/support.ts';
import { quietApp } from './support.ts';

describe('hostOf', () => {
  test('lower-cases, drops the port and a trailing dot, keeps IPv6 brackets', () => {
    assert.equal(hostOf('API.Example.com:8443'), 'api.example.com');
    assert.equal(hostOf('example.com.'), 'example.com');
    assert.equal(hostOf('[::1]:8000'), '[::1]');
    assert.equal(hostOf('127.0.0.1'), '127.0.0.1');
  });

  test('a malformed header has no host', () => {
    for (const header of [undefined, '', 'example.com:port', 'a b', 'evil.test/x', '[::1', 'x@y', 'a..b'])
      assert.equal(hostOf(header), undefined, String(header));
  });
});

describe('hostCheck', () => {
  test('exact names and .domain entries (the domain and its subdomains); * checks nothing', () => {
    const allowed = hostCheck(['example.com', '.example.org', 'LOCALHOST'])!;
    assert.equal(allowed('example.com'), true);
    assert.equal(allowed('example.com:8000'), true);
    assert.equal(allowed('www.example.com'), false);
    assert.equal(allowed('example.org'), true);
    assert.equal(allowed('api.example.org'), true);
    assert.equal(allowed('badexample.org'), false);
    assert.equal(allowed('localhost:3000'), true);
    assert.equal(allowed(undefined), false);
    assert.equal(hostCheck(['*', 'example.com']), undefined);
  });
});

describe('requests', () => {
  function app(allowedHosts: string[]) {
    const app = quietApp({ allowedHosts });
    app.get('/ping', {}, () => 'pong');
    app.post('/items', {}, () => ({ ok: true }));
    return app;
  }

  test('an allowed Host reaches the route; another is a 400 problem, on every route and method', async () => {
    const client = testClient(app(['api.example.com']));
    assert.equal((await client.get('/ping', { headers: { host: 'api.example.com' } })).status, 200);
    for (const [method, path] of [
      ['GET', '/ping'],
      ['POST', '/items'],
      ['GET', '/missing'],
    ] as const) {
      const res = await client.request(method, path, { headers: { host: 'evil.test' } });
      assert.equal(res.status, 400, `${method} ${path}`);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.match(res.json<{ detail: string }>().detail, /ALLOWED_HOSTS/);
      // The forged host is not echoed back.
      assert.doesNotMatch(res.text, /evil/);
    }
    await client.close();
  });

  test('the defaults answer localhost, 127.0.0.1 and [::1] only', async () => {
    const client = testClient(quietApp());
    for (const host of ['localhost:8000', '127.0.0.1', '[::1]:8000'])
      assert.equal((await client.get('/nope', { headers: { host } })).status, 404, host);
    assert.equal((await client.get('/nope', { headers: { host: 'example.com' } })).status, 400);
    await client.close();
  });

  test('over a real socket, a request without a Host header is refused', async (t) => {
    const server = app(['127.0.0.1']);
    const { host, port } = await listenLocal(server);
    t.after(() => server.close());
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host, port, path: '/ping', setHost: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 400);
  });
});

/** Sends raw bytes on a new connection and answers the status line and body the server wrote. */
async function rawRequest(
  port: number,
  text: string,
): Promise<{ status: number; head: string; body: string }> {
  const response = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      out += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
  });
  const [head = '', body = ''] = response.split('\r\n\r\n', 2);
  return { status: Number(head.split(' ', 3)[1]), head, body };
}

describe('over a raw socket', () => {
  async function serve(t: { after: (fn: () => unknown) => void }, allowedHosts = ['localhost', '127.0.0.1']) {
    const server = quietApp({ allowedHosts });
    server.get('/ping', {}, () => 'pong');
    const { port } = await listenLocal(server);
    t.after(() => server.close());
    return port;
  }

  test('one allowed Host is answered', async (t) => {
    const port = await serve(t);
    const res = await rawRequest(port, 'GET /ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'pong');
  });

  test('two Host headers are a 400, whichever comes first and even when both are allowed', async (t) => {
    const port = await serve(t);
    for (const hosts of [
      ['localhost', 'evil.example'],
      ['evil.example', 'localhost'],
      ['localhost', 'localhost'],
      ['localhost', '127.0.0.1'],
    ]) {
      const res = await rawRequest(
        port,
        `GET /ping HTTP/1.1\r\n${hosts.map((h, i) => `${i ? 'host' : 'Host'}: ${h}\r\n`).join('')}Connection: close\r\n\r\n`,
      );
      assert.equal(res.status, 400, hosts.join(' + '));
      assert.match(res.head, /content-type: application\/problem\+json/i);
      assert.match(res.head, /x-content-type-options: nosniff/i, 'the 400 carries the security headers');
      assert.doesNotMatch(res.body, /evil/);
    }
  });

  test('an absolute-form target is checked like the Host: another host is a 400', async (t) => {
    const port = await serve(t);
    for (const target of [
      'http://evil.example/ping',
      'http://evil.example:80/ping',
      'HTTP://EVIL.EXAMPLE/ping',
      'https://evil.example/ping?x=1',
      'http://localhost@evil.example/ping',
      'http://evil.example@localhost/ping',
    ]) {
      const res = await rawRequest(
        port,
        `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(res.status, 400, target);
      assert.match(res.head, /x-content-type-options: nosniff/i);
      assert.doesNotMatch(res.body, /evil/);
    }
  });

  test('an absolute-form target naming an allowed host is answered', async (t) => {
    const port = await serve(t);
    for (const target of [
      'http://localhost/ping',
      'http://LOCALHOST:8000/ping',
      'http://127.0.0.1/ping?x=1',
    ]) {
      const res = await rawRequest(
        port,
        `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(res.status, 200, target);
    }
  });

  test('with ALLOWED_HOSTS=* nothing is checked', async (t) => {
    const port = await serve(t, ['*']);
    const res = await rawRequest(
      port,
      'GET http://anything.example/ping HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n',
    );
    assert.equal(res.status, 200);
  });
});
