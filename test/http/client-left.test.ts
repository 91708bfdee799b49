/**
 * Whether the client has left is read from its socket, not from the request stream (which Node
 * destroys once the body was read whole): an upstream `ECONNRESET` after the body was read, with
 * the client connected and waiting, is a 500; an upload the client abandons is a 499.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { t } from '../../src/openapi/t.ts';
import { gate, listenLocal, quietApp, recordingLogger, sleep, waitFor } from './support.ts';

test('an upstream ECONNRESET after the body was read, the client still there: a 500, not a 499', async (tc) => {
  const { logger, entries } = recordingLogger();
  const app = quietApp({ fastify: { loggerInstance: logger } });
  app.post('/forward', { body: t.Object({ to: t.String() }) }, async (ctx) => {
    // A call upstream: by its end, Node has destroyed the request stream whose body was read.
    await sleep(20);
    if (!ctx.request.raw.destroyed) throw new Error('the request stream should be destroyed by now');
    throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  });
  const { host, port } = await listenLocal(app);
  tc.after(() => app.close());
  const res = await fetch(`http://${host}:${port}/forward`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: 'upstream' }),
  });
  assert.equal(res.status, 500);
  const problem = (await res.json()) as { instance: string };
  assert.equal(problem.instance, `urn:volt:request:${res.headers.get('x-request-id')}`);
  assert.ok(entries.some((e) => e.level === 'error' && e.msg === 'unhandled error'));
});

test('an upload the client abandons half way is a 499, logged as no server fault', async (tc) => {
  const { logger, entries } = recordingLogger();
  const app = quietApp({ fastify: { loggerInstance: logger } });
  const statuses: number[] = [];
  app.fastify.addHook('onSend', async (_request, reply) => {
    statuses.push(reply.statusCode);
  });
  const reading = gate();
  app.fastify.addHook('preParsing', async (_request, _reply, payload) => {
    reading.open();
    return payload;
  });
  app.post('/upload', { body: t.Object({ data: t.String() }) }, () => ({ ok: true }));
  const { host, port } = await listenLocal(app);
  tc.after(() => app.close());
  const socket = net.connect(port, host);
  socket.on('error', () => {});
  socket.write(
    'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"data":"',
  );
  await reading.promise;
  socket.destroy();
  assert.ok(await waitFor(() => statuses.length > 0), 'the error was answered');
  assert.deepEqual(statuses, [499]);
  assert.deepEqual(
    entries.filter((e) => e.level === 'error' || e.level === 'warn').map((e) => e.msg),
    [],
  );
});
