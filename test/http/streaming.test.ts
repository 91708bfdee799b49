/**
 * Background tasks, raw streams and Server-Sent Events, including disconnects and backpressure
 * over a real socket.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import type { VoltApp } from '../../src/http/app.ts';
import { dependency } from '../../src/http/dependencies.ts';
import { HttpError } from '../../src/http/errors.ts';
import { sseEvent } from '../../src/http/streaming.ts';
import { testClient } from '../../src/testing/index.ts';
import { gate, listenLocal, quietApp, recordingLogger, sleep, waitFor } from './support.ts';

describe('background tasks', () => {
  test('a task runs after the response: the client has it before the task ends', async () => {
    const app = quietApp();
    const release = gate();
    const events: string[] = [];
    app.post('/signup', { status: 201 }, (ctx) => {
      ctx.background(async () => {
        events.push('task started');
        await release.promise;
        events.push('task done');
      });
      return { id: 1 };
    });
    const res = await testClient(app).post('/signup');
    assert.equal(res.status, 201);
    assert.deepEqual(res.json(), { id: 1 });
    assert.ok(!events.includes('task done'));
    release.open();
    assert.ok(await waitFor(() => events.includes('task done')));
  });

  test('tasks run one after another in the order added, after dependency teardown', async () => {
    const app = quietApp();
    const events: string[] = [];
    const session = dependency(function* session() {
      try {
        yield 1;
      } finally {
        events.push('teardown');
      }
    });
    app.get('/', { deps: { session } }, (ctx) => {
      ctx.background(async () => {
        await sleep(10);
        events.push('first');
      });
      ctx.background(() => {
        events.push('second');
      });
      return {};
    });
    await testClient(app).get('/');
    assert.ok(await waitFor(() => events.length === 3));
    assert.deepEqual(events, ['teardown', 'first', 'second']);
  });

  test('a failing task is logged, does not change the response and does not stop the next task', async () => {
    const { logger, entries } = recordingLogger();
    const app = quietApp({ fastify: { loggerInstance: logger } });
    let nextRan = false;
    app.get('/', (ctx) => {
      ctx.background(() => {
        throw new Error('mail server down');
      });
      ctx.background(() => {
        nextRan = true;
      });
      return { ok: true };
    });
    const res = await testClient(app).get('/');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { ok: true });
    assert.ok(await waitFor(() => nextRan));
    const logged = entries.find((e) => e.msg === 'background task failed');
    assert.ok(logged, 'the failure is logged');
    assert.equal(logged.level, 'error');
    assert.equal((logged.obj as { err: Error }).err.message, 'mail server down');
  });

  test('tasks are dropped when the handler throws', async () => {
    const app = quietApp();
    let sent = false;
    app.post('/users', (ctx) => {
      ctx.background(() => {
        sent = true;
      });
      throw new HttpError(409, 'The e-mail is taken.');
    });
    const res = await testClient(app).post('/users');
    assert.equal(res.status, 409);
    await sleep(20);
    assert.equal(sent, false);
  });
});

describe('ctx.stream', () => {
  test('streams the chunks of an async iterable as application/octet-stream', async () => {
    const app = quietApp();
    app.get('/export', (ctx) =>
      ctx.stream(
        (async function* () {
          yield 'id,name\n';
          yield new TextEncoder().encode('1,Ada\n');
          yield '2,Grace\n';
        })(),
      ),
    );
    const res = await testClient(app).get('/export');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    assert.equal(res.text, 'id,name\n1,Ada\n2,Grace\n');
  });

  test('takes a content type, an iterable or a Node readable', async () => {
    const app = quietApp();
    app.get('/csv', (ctx) => ctx.stream(['a,b\n', '1,2\n'], { contentType: 'text/csv; charset=utf-8' }));
    app.get('/readable', (ctx) => ctx.stream(Readable.from(['x', 'y', 'z'])));
    const client = testClient(app);
    const csv = await client.get('/csv');
    assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(csv.text, 'a,b\n1,2\n');
    assert.equal((await client.get('/readable')).text, 'xyz');
  });

  test('the status option applies to streams', async () => {
    const app = quietApp();
    app.post('/exports', { status: 201 }, (ctx) => ctx.stream(['done']));
    const res = await testClient(app).post('/exports');
    assert.equal(res.status, 201);
    assert.equal(res.text, 'done');
  });
});

describe('ctx.stream and caching', () => {
  test("a raw stream keeps the handler's cache headers, and a guard's no-store", async () => {
    const app = quietApp();
    app.get('/report.csv', (ctx) => {
      ctx.header('cache-control', 'public, max-age=60');
      return ctx.stream(['a,b\n'], { contentType: 'text/csv' });
    });
    app.get('/mine.csv', { dependencies: [] }, (ctx) => ctx.stream(['c,d\n'], { contentType: 'text/csv' }));
    app.fastify.addHook('onRequest', (request, reply, done) => {
      if (request.url === '/mine.csv') reply.header('cache-control', 'no-store');
      done();
    });
    const client = testClient(app);
    const report = await client.get('/report.csv');
    assert.equal(report.headers['cache-control'], 'public, max-age=60');
    assert.equal(report.text, 'a,b\n');
    const mine = await client.get('/mine.csv');
    assert.equal(mine.headers['cache-control'], 'no-store');
    assert.equal((await client.get('/report.csv')).headers['cache-control'], 'public, max-age=60');
  });
});

describe('ctx.sse', () => {
  test('formats strings as they are, other values as JSON, one event each', async () => {
    const app = quietApp();
    app.get('/events', (ctx) =>
      ctx.sse(
        (async function* () {
          yield 'hello';
          yield { n: 1, tags: ['a'] };
          yield 42;
          yield null;
        })(),
      ),
    );
    const res = await testClient(app).get('/events');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-accel-buffering'], 'no');
    assert.equal(res.text, 'data: hello\n\ndata: {"n":1,"tags":["a"]}\n\ndata: 42\n\ndata: null\n\n');
  });

  test('an event stream is always Cache-Control: no-store, whatever the handler or a guard set', async () => {
    const app = quietApp();
    // A guard that marks answers cacheable (or private) before the handler runs.
    app.fastify.addHook('onRequest', (_request, reply, done) => {
      reply.header('cache-control', 'private, max-age=600');
      done();
    });
    const events = (async function* () {
      yield 'x';
    })();
    app.get('/events', (ctx) => {
      ctx.header('cache-control', 'public, max-age=3600');
      ctx.header('expires', 'Thu, 01 Jan 2099 00:00:00 GMT');
      return ctx.sse(events);
    });
    app.get('/plain', (ctx) =>
      ctx.sse(
        (async function* () {
          yield 'y';
        })(),
      ),
    );
    const client = testClient(app);
    for (const path of ['/events', '/plain']) {
      const res = await client.get(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['cache-control'], 'no-store', path);
      assert.equal(res.headers.expires, undefined, path);
    }
  });

  test('a multi-line value becomes one data field per line', async () => {
    const app = quietApp();
    app.get('/events', (ctx) =>
      ctx.sse(
        (async function* () {
          yield 'line 1\nline 2\r\nline 3\rline 4';
        })(),
      ),
    );
    const res = await testClient(app).get('/events');
    assert.equal(res.text, 'data: line 1\ndata: line 2\ndata: line 3\ndata: line 4\n\n');
  });

  test('sseEvent sets the event name, id and retry', async () => {
    const app = quietApp();
    app.get('/events', (ctx) =>
      ctx.sse(
        (async function* () {
          yield sseEvent({ progress: 50 }, { event: 'progress', id: '7', retry: 2500.7 });
          yield sseEvent('bye', { event: 'done' });
        })(),
      ),
    );
    const res = await testClient(app).get('/events');
    assert.equal(
      res.text,
      'event: progress\nid: 7\nretry: 2500\ndata: {"progress":50}\n\nevent: done\ndata: bye\n\n',
    );
  });

  test('line breaks cannot inject fields through an event name or id', async () => {
    const app = quietApp();
    app.get('/events', (ctx) =>
      ctx.sse(
        (async function* () {
          yield sseEvent('x', { event: 'a\ndata: injected', id: '1\r\n2' });
        })(),
      ),
    );
    const res = await testClient(app).get('/events');
    assert.equal(res.text, 'event: adata: injected\nid: 12\ndata: x\n\n');
  });

  test('sends ": ping" heartbeats while the source is silent', async () => {
    const app = quietApp();
    app.get('/events', (ctx) =>
      ctx.sse(
        (async function* () {
          yield 'first';
          await sleep(80);
          yield 'second';
        })(),
        { heartbeat: 0.02 },
      ),
    );
    const res = await testClient(app).get('/events');
    const pings = res.text.split(': ping\n\n').length - 1;
    assert.ok(pings >= 1, `expected heartbeats, got ${JSON.stringify(res.text)}`);
    assert.ok(res.text.startsWith('data: first\n\n: ping\n\n'));
    assert.ok(res.text.endsWith(': ping\n\ndata: second\n\n'));
    assert.equal(res.text.replaceAll(': ping\n\n', ''), 'data: first\n\ndata: second\n\n');
  });

  test('heartbeat 0 sends none', async () => {
    const app = quietApp();
    app.get('/events', (ctx) =>
      ctx.sse(
        (async function* () {
          await sleep(30);
          yield 'only';
        })(),
        { heartbeat: 0 },
      ),
    );
    assert.equal((await testClient(app).get('/events')).text, 'data: only\n\n');
  });

  test('an error mid-stream sends an error event without details and logs the error', async () => {
    const { logger, entries } = recordingLogger();
    const app = quietApp({ fastify: { loggerInstance: logger } });
    app.get('/events', (ctx) =>
      ctx.sse(
        (async function* () {
          yield 'one';
          throw new Error('upstream token 42 expired');
        })(),
      ),
    );
    const client = testClient(app);
    await app.ready();
    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const timersBefore = timers();
    const res = await client.get('/events');
    assert.equal(res.status, 200);
    assert.equal(
      res.text,
      'data: one\n\nevent: error\ndata: {"title":"Internal Server Error","status":500}\n\n',
    );
    assert.equal(timers(), timersBefore, 'no heartbeat timer is left behind');
    const logged = entries.find((e) => e.msg === 'SSE source failed');
    assert.ok(logged);
    assert.equal((logged.obj as { err: Error }).err.message, 'upstream token 42 expired');
  });
});

describe('over a real socket', () => {
  const apps: VoltApp[] = [];
  after(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  async function serve(app: VoltApp) {
    apps.push(app);
    return listenLocal(app);
  }

  test('a client disconnect aborts ctx.signal and stops the source (its finally runs)', async () => {
    const app = quietApp({ shutdownTimeout: 0.1 });
    let aborted = false;
    let finallyRan = false;
    let produced = 0;
    app.get('/ticks', (ctx) => {
      ctx.signal.addEventListener('abort', () => {
        aborted = true;
      });
      return ctx.sse(
        (async function* () {
          try {
            while (true) {
              yield { tick: produced++ };
              await sleep(10);
            }
          } finally {
            finallyRan = true;
          }
        })(),
        { heartbeat: 0 },
      );
    });
    const { host, port } = await serve(app);

    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host, port, path: '/ticks', agent: false }, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
    });

    assert.ok(await waitFor(() => aborted, 2000), 'ctx.signal aborted');
    assert.ok(await waitFor(() => finallyRan, 2000), "the source's finally ran");
    const stoppedAt = produced;
    await sleep(60);
    assert.ok(produced <= stoppedAt + 1, `the source kept producing (${stoppedAt} → ${produced})`);
  });

  test('a completed response does not abort ctx.signal', async () => {
    const app = quietApp();
    let signal: AbortSignal | undefined;
    app.get('/done', (ctx) => {
      signal = ctx.signal;
      return { ok: true };
    });
    const { host, port } = await serve(app);
    const res = await fetch(`http://${host}:${port}/done`);
    assert.deepEqual(await res.json(), { ok: true });
    await sleep(20);
    assert.equal(signal?.aborted, false);
  });

  test('a slow reader holds back a fast source: items are pulled only as the socket drains', async () => {
    const app = quietApp({ shutdownTimeout: 0.1 });
    const chunk = 'x'.repeat(16 * 1024);
    let pulled = 0;
    app.get('/firehose', (ctx) =>
      ctx.stream(
        (async function* () {
          while (true) {
            pulled++;
            yield chunk;
          }
        })(),
      ),
    );
    const { host, port } = await serve(app);

    let received = 0;
    let paused = false;
    const req = http.get({ host, port, path: '/firehose', agent: false }, (res) => {
      res.on('data', (data: Buffer) => {
        received += data.length;
        // Read a little, then stop reading: the kernel buffers fill and the server must wait.
        if (received > 64 * 1024 && !paused) {
          paused = true;
          res.pause();
        }
      });
    });
    req.on('error', () => {});
    assert.ok(await waitFor(() => paused, 5000), 'the client received the start of the stream');

    // Once the buffers are full the count stops moving: wait for two quiet intervals in a row.
    let quiet = 0;
    for (let i = 0; i < 50 && quiet < 2; i++) {
      const before = pulled;
      await sleep(100);
      quiet = pulled === before ? quiet + 1 : 0;
    }
    const stalled = pulled;
    await sleep(300);
    // TCP buffer autotuning may still let a few more MiB through; an unbounded pull would
    // add tens of thousands of chunks in 300 ms.
    assert.ok(
      pulled - stalled < 512,
      `the source was pulled ${pulled - stalled} more times while nobody read`,
    );
    // Socket and stream buffers hold a few MiB at most; without backpressure this grows without end.
    assert.ok(stalled * chunk.length < 64 * 1024 * 1024, `pulled ${stalled} chunks ahead of the reader`);
    req.destroy();
  });
});
