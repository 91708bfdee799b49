/**
 * Graceful shutdown of a real process: SIGTERM with keep-alive clients, a request that arrives
 * during the drain, an SSE stream, and a second SIGTERM. Each test starts the fixture app as its
 * own process and reads its JSON log.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { listenLocal, quietApp, sleep } from './support.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'shutdown-app.ts');

interface LogLine {
  msg: string;
  level: number;
  [key: string]: unknown;
}

interface Server {
  child: ChildProcess;
  port: number;
  lines: LogLine[];
  /** Resolves with the exit code and the time of the exit. */
  exited: Promise<{ code: number | null; at: number }>;
}

async function start(env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, ['--conditions=volt-source', fixture], {
    env: {
      ...process.env,
      VOLT_ENV: 'production',
      SECRET_KEY: 'k'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789',
      ALLOWED_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT: '8',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let buffer = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => {
    child.on('exit', (code) => resolve({ code, at: performance.now() }));
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      buffer += chunk;
      let end = buffer.indexOf('\n');
      while (end !== -1) {
        const line = JSON.parse(buffer.slice(0, end)) as LogLine;
        lines.push(line);
        buffer = buffer.slice(end + 1);
        end = buffer.indexOf('\n');
        const listening = /^Server listening at http:\/\/127\.0\.0\.1:(\d+)$/.exec(line.msg);
        if (listening) resolve(Number(listening[1]));
      }
    });
    exited.then(({ code }) => reject(new Error(`the fixture exited (${code}) before listening: ${stderr}`)));
  });
  return { child, port, lines, exited };
}

/** A GET over the given agent: the status, the headers and the body. */
function get(port: number, path: string, agent: http.Agent) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; at: number }>(
    (resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, at: performance.now() }),
          );
        })
        .on('error', reject);
    },
  );
}

function kill(server: Server): void {
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
}

describe('shutdown of a real process', { timeout: 60_000 }, () => {
  test('with keep-alive clients, the process exits right after the last response, not at SHUTDOWN_TIMEOUT', async () => {
    const server = await start();
    try {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      // One connection left idle, as a browser or a proxy leaves them.
      const idle = await get(server.port, '/ping', agent);
      assert.equal(idle.headers.connection, 'keep-alive');
      const inFlight = get(server.port, '/slow?ms=800', agent);
      await sleep(200);
      const signalled = performance.now();
      server.child.kill('SIGTERM');
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.body), { slept: 800 });
      assert.equal(res.headers.connection, 'close', 'the last response tells the client to stop reusing it');
      const { code, at } = await server.exited;
      assert.equal(code, 0);
      const afterResponse = at - res.at;
      const afterSignal = at - signalled;
      // SHUTDOWN_TIMEOUT is 8 s: an exit bound to it would take that long. The bands are wide
      // for a busy machine; an exit right after the response takes tens of milliseconds.
      assert.ok(afterResponse < 2500, `exited ${afterResponse.toFixed(0)} ms after the last response`);
      assert.ok(afterSignal < 4000, `exited ${afterSignal.toFixed(0)} ms after SIGTERM`);
      assert.ok(server.lines.some((line) => line.msg === 'SIGTERM received, shutting down'));
      agent.destroy();
    } finally {
      kill(server);
    }
  });

  test('a request arriving on an open connection during the drain gets a 503 problem with the security headers', async () => {
    const server = await start();
    try {
      const socket = net.connect(server.port, '127.0.0.1');
      socket.setEncoding('latin1');
      let received = '';
      socket.on('data', (chunk: string) => {
        received += chunk;
      });
      const closed = new Promise((resolve) => socket.on('close', resolve));
      // A slow request keeps the server draining; a second connection is half-way through the
      // headers of its request when the signal comes, and finishes them during the drain.
      const agent = new http.Agent({ keepAlive: true });
      const inFlight = get(server.port, '/slow?ms=2000', agent);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      await sleep(200);
      server.child.kill('SIGTERM');
      while (!server.lines.some((line) => line.msg === 'SIGTERM received, shutting down')) await sleep(10);
      await sleep(50);
      socket.write('\r\n');
      await closed;
      const [head = '', body = ''] = received.split('\r\n\r\n', 2);
      assert.match(head, /^HTTP\/1\.1 503 /);
      assert.match(head, /\r\ncontent-type: application\/problem\+json; charset=utf-8\r\n/i);
      assert.match(head, /\r\nconnection: close\r\n/i);
      assert.match(head, /\r\nx-content-type-options: nosniff\r\n/i);
      assert.match(head, /\r\ncontent-security-policy: /i);
      const problem = JSON.parse(body) as { status: number; title: string; detail: string };
      assert.equal(problem.status, 503);
      assert.equal(problem.title, 'Service Unavailable');
      assert.match(problem.detail, /shutting down/);
      assert.equal((await inFlight).status, 200, 'the request in flight was still served');
      assert.equal((await server.exited).code, 0);
      agent.destroy();
    } finally {
      kill(server);
    }
  });

  test('an SSE stream gets a closing event and ends at once; its ctx.signal aborts with the shutdown reason', async () => {
    const server = await start();
    try {
      let text = '';
      const ended = new Promise<number>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: server.port, path: '/events', agent: false }, (res) => {
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              text += chunk;
            });
            res.on('end', () => resolve(performance.now()));
            res.on('error', reject);
          })
          .on('error', reject);
      });
      while (!text.includes('"tick":2')) await sleep(20);
      const signalled = performance.now();
      server.child.kill('SIGTERM');
      const endedAt = await ended;
      assert.ok(
        endedAt - signalled < 1000,
        `the stream ended ${(endedAt - signalled).toFixed(0)} ms after SIGTERM`,
      );
      assert.ok(
        text.endsWith('event: close\nretry: 1000\ndata: {"reason":"shutdown"}\n\n'),
        `the stream ends with the closing event: ${JSON.stringify(text.slice(-120))}`,
      );
      const { code, at } = await server.exited;
      assert.equal(code, 0);
      assert.ok(at - signalled < 4000, `exited ${(at - signalled).toFixed(0)} ms after SIGTERM`);
      const aborted = server.lines.find((line) => line.msg === 'stream signal aborted');
      assert.equal(aborted?.reason, 'VOLT_SHUTDOWN');
      assert.ok(
        server.lines.some((line) => line.msg === 'stream source finished'),
        "the source's finally ran",
      );
    } finally {
      kill(server);
    }
  });

  test('a connection that connected and sent nothing does not hold the exit until SHUTDOWN_TIMEOUT', async () => {
    const server = await start({ HEADERS_TIMEOUT: '8' });
    try {
      const silent = net.connect(server.port, '127.0.0.1');
      silent.on('error', () => {});
      await new Promise((resolve) => silent.once('connect', resolve));
      await sleep(200);
      const signalled = performance.now();
      server.child.kill('SIGTERM');
      const { code, at } = await server.exited;
      assert.equal(code, 0);
      // SHUTDOWN_TIMEOUT and HEADERS_TIMEOUT are 8 s: an exit bound to either would take that long.
      assert.ok(at - signalled < 4000, `exited ${(at - signalled).toFixed(0)} ms after SIGTERM`);
      silent.destroy();
    } finally {
      kill(server);
    }
  });

  test('a second SIGTERM exits at once and says so in the log', async () => {
    const server = await start();
    try {
      const stuck = get(server.port, '/stuck', new http.Agent({ keepAlive: true })).catch(() => undefined);
      await sleep(200);
      server.child.kill('SIGTERM');
      await sleep(500);
      assert.equal(server.child.exitCode, null, 'still draining after the first SIGTERM');
      const again = performance.now();
      server.child.kill('SIGTERM');
      const { code, at } = await server.exited;
      assert.ok(at - again < 2500, `exited ${(at - again).toFixed(0)} ms after the second SIGTERM`);
      assert.equal(code, 1);
      const warning = server.lines.find((line) => /SIGTERM received again/.test(line.msg));
      assert.ok(warning, 'the forced exit is logged');
      assert.equal(warning.level, 40);
      await stuck;
    } finally {
      kill(server);
    }
  });
});

describe('close() in process', () => {
  test('a connection that never sent a byte is closed at once: close() does not wait for it', async () => {
    // Node counts such a connection as busy until HEADERS_TIMEOUT; both limits are long here.
    const app = quietApp({ shutdownTimeout: 8, headersTimeout: 8 });
    app.get('/ping', () => ({ ok: true }));
    const { host, port } = await listenLocal(app);
    const silent = net.connect(port, host);
    silent.on('error', () => {});
    const cut = new Promise<void>((resolve) => silent.on('close', () => resolve()));
    await new Promise((resolve) => silent.once('connect', resolve));
    await sleep(100);
    const started = performance.now();
    await app.close();
    const took = performance.now() - started;
    assert.ok(took < 2000, `close() took ${took.toFixed(0)} ms`);
    await cut;
  });

  test('a raw stream in flight is not ended early: it finishes whole (or is cut at SHUTDOWN_TIMEOUT)', async () => {
    const app = quietApp({ shutdownTimeout: 5 });
    app.get('/export', (ctx) =>
      ctx.stream(
        (async function* () {
          for (let i = 0; i < 6; i++) {
            yield `row ${i}\n`;
            await sleep(50);
          }
        })(),
      ),
    );
    const { host, port } = await listenLocal(app);
    const res = await fetch(`http://${host}:${port}/export`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    const closing = app.close();
    let text = new TextDecoder().decode(first.value);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      text += new TextDecoder().decode(chunk.value);
    assert.equal(text, 'row 0\nrow 1\nrow 2\nrow 3\nrow 4\nrow 5\n');
    await closing;
  });
});
