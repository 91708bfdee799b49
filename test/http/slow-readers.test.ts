/**
 * SOCKET_IDLE_TIMEOUT over a real socket: a client that asks for a response and stops reading
 * it (its window full, so nothing moves) is cut after the idle time; an SSE stream that keeps
 * writing is never cut, however long it lasts.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import type { VoltApp } from '../../src/http/app.ts';
import { listenLocal, quietApp, sleep, waitFor } from './support.ts';

const apps: VoltApp[] = [];
after(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

describe('SOCKET_IDLE_TIMEOUT', { timeout: 30_000 }, () => {
  test('a client that stops reading a large response is cut after the idle time', async () => {
    const app = quietApp({ socketIdleTimeout: 0.5, shutdownTimeout: 0.1 });
    let closedAt: number | undefined;
    let lastWrite = 0;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    app.get('/export', (ctx) => {
      ctx.reply.raw.once('close', () => {
        closedAt = performance.now();
      });
      return ctx.stream(
        (async function* () {
          // Far more than the socket buffers hold: the writes stall once the client stops reading.
          for (let i = 0; i < 2000 && !ctx.signal.aborted; i++) {
            lastWrite = performance.now();
            yield chunk;
          }
        })(),
      );
    });
    apps.push(app);
    const { host, port } = await listenLocal(app);
    const socket = net.connect(port, host);
    socket.on('error', () => {});
    socket.write('GET /export HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    // Read the first bytes, then nothing more.
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    assert.ok(await waitFor(() => closedAt !== undefined, 8000), 'the server closed the connection');
    const idle = closedAt! - lastWrite;
    // 500 ms of no traffic; a wide band for a busy machine.
    assert.ok(idle >= 400, `cut ${idle.toFixed(0)} ms after the last write`);
    assert.ok(idle < 4000, `cut ${idle.toFixed(0)} ms after the last write (the limit is 500 ms)`);
    socket.destroy();
  });

  test('an SSE stream that keeps writing outlives the idle time many times over', async () => {
    const app = quietApp({ socketIdleTimeout: 0.3, shutdownTimeout: 0.1 });
    app.get('/ticks', (ctx) =>
      ctx.sse(
        (async function* () {
          for (let i = 0; i < 15; i++) {
            yield { tick: i };
            await sleep(100);
          }
        })(),
        { heartbeat: 0 },
      ),
    );
    apps.push(app);
    const { host, port } = await listenLocal(app);
    const res = await fetch(`http://${host}:${port}/ticks`);
    const text = await res.text();
    assert.equal(text.match(/^data: /gm)?.length, 15, 'every event arrived');
  });

  test('a handler silent for less than the idle time is not cut', async () => {
    const app = quietApp({ socketIdleTimeout: 0.6, shutdownTimeout: 0.1 });
    app.get('/slow', async () => {
      await sleep(300);
      return { ok: true };
    });
    apps.push(app);
    const { host, port } = await listenLocal(app);
    const res = await fetch(`http://${host}:${port}/slow`);
    assert.deepEqual(await res.json(), { ok: true });
  });
});
