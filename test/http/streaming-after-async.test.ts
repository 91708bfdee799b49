/**
 * Streams returned after something asynchronous: an async handler, an async dependency, a
 * generator dependency, an auth-like guard. Each combination over a real socket, because the
 * in-process client once hid a stream that went out empty.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, test } from 'node:test';
import type { VoltApp } from '../../src/http/app.ts';
import type { Context } from '../../src/http/context.ts';
import { type Dependency, dependency } from '../../src/http/dependencies.ts';
import { HttpError } from '../../src/http/errors.ts';
import { listenLocal, quietApp, recordingLogger, sleep, waitFor } from './support.ts';

const apps: VoltApp[] = [];
after(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

async function serve(app: VoltApp): Promise<string> {
  apps.push(app);
  const { host, port } = await listenLocal(app);
  return `http://${host}:${port}`;
}

type DependencyKind = 'none' | 'sync' | 'async' | 'generator' | 'async generator';

function makeDependency(kind: Exclude<DependencyKind, 'none'>, torn: string[]): Dependency<string> {
  switch (kind) {
    case 'sync':
      return dependency(() => 'sync');
    case 'async':
      return dependency(async () => {
        await sleep(1);
        return 'async';
      });
    case 'generator':
      return dependency(function* () {
        try {
          yield 'generator';
        } finally {
          torn.push('generator');
        }
      });
    case 'async generator':
      return dependency(async function* () {
        await sleep(1);
        try {
          yield 'async generator';
        } finally {
          torn.push('async generator');
        }
      });
  }
}

async function* words(prefix: string) {
  yield `${prefix}:one`;
  await sleep(1);
  yield `${prefix}:two`;
}

const kinds: DependencyKind[] = ['none', 'sync', 'async', 'generator', 'async generator'];

describe('a stream after anything async is sent whole, over a real socket', () => {
  for (const handlerKind of ['sync', 'async'] as const) {
    for (const depKind of kinds) {
      for (const body of ['sse', 'stream'] as const) {
        test(`${handlerKind} handler, ${depKind} dependency, ctx.${body}()`, async () => {
          const app = quietApp({ shutdownTimeout: 0.1 });
          const torn: string[] = [];
          const deps: Record<string, Dependency> =
            depKind === 'none' ? {} : { value: makeDependency(depKind, torn) };
          const respond = (ctx: Context<any, any, any, any, any, any>) => {
            const prefix = (ctx.deps as { value?: string } | undefined)?.value ?? 'plain';
            return body === 'sse' ? ctx.sse(words(prefix), { heartbeat: 0 }) : ctx.stream(words(prefix));
          };
          app.get(
            '/out',
            { deps },
            handlerKind === 'sync'
              ? respond
              : async (ctx) => {
                  await sleep(1);
                  return respond(ctx);
                },
          );
          const base = await serve(app);
          const res = await fetch(`${base}/out`);
          assert.equal(res.status, 200);
          const prefix = depKind === 'none' ? 'plain' : depKind;
          if (body === 'sse') {
            assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
            assert.equal(await res.text(), `data: ${prefix}:one\n\ndata: ${prefix}:two\n\n`);
          } else {
            assert.equal(res.headers.get('content-type'), 'application/octet-stream');
            assert.equal(await res.text(), `${prefix}:one${prefix}:two`);
          }
          if (depKind.includes('generator')) {
            assert.ok(await waitFor(() => torn.length === 1), 'the generator dependency was torn down');
          }
        });
      }
    }
  }
});

describe('a client that leaves an async stream', () => {
  for (const handlerKind of ['sync', 'async'] as const) {
    for (const depKind of ['async', 'async generator'] as const) {
      for (const body of ['sse', 'stream'] as const) {
        test(`${handlerKind} handler, ${depKind} dependency, ctx.${body}(): ctx.signal aborts and the source's finally runs`, async () => {
          const app = quietApp({ shutdownTimeout: 0.1 });
          const torn: string[] = [];
          let aborted = false;
          let finallyRan = false;
          const respond = (ctx: Context<any, any, any, any, any, any>) => {
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
            });
            const source = (async function* () {
              try {
                for (let i = 0; ; i++) {
                  yield `tick ${i}\n`;
                  await sleep(5);
                }
              } finally {
                finallyRan = true;
              }
            })();
            return body === 'sse' ? ctx.sse(source, { heartbeat: 0 }) : ctx.stream(source);
          };
          app.get(
            '/ticks',
            { deps: { value: makeDependency(depKind, torn) } },
            handlerKind === 'sync'
              ? respond
              : async (ctx) => {
                  await sleep(1);
                  return respond(ctx);
                },
          );
          const base = new URL(await serve(app));
          await new Promise<void>((resolve, reject) => {
            const req = http.get(
              { host: base.hostname, port: base.port, path: '/ticks', agent: false },
              (res) => {
                res.once('data', (chunk: Buffer) => {
                  try {
                    assert.match(chunk.toString(), /tick 0/);
                  } catch (error) {
                    reject(error);
                  }
                  req.destroy();
                  resolve();
                });
                res.once('end', () => reject(new Error('the stream ended before the client left')));
              },
            );
            req.on('error', (error: NodeJS.ErrnoException) => {
              if (error.code !== 'ECONNRESET') reject(error);
            });
          });
          assert.ok(await waitFor(() => aborted), 'ctx.signal aborted');
          assert.ok(await waitFor(() => finallyRan), "the source's finally ran");
          if (depKind === 'async generator') assert.ok(await waitFor(() => torn.length === 1));
        });
      }
    }
  }
});

describe('a stream behind an async guard', () => {
  test('streams to an authenticated client and refuses others with a 401 before streaming', async () => {
    const app = quietApp();
    let opened = 0;
    const currentUser = dependency(
      { responses: { 401: 'Not authenticated' } },
      async (ctx): Promise<{ name: string }> => {
        await sleep(1); // a session store or a token lookup
        if (ctx.request.headers.authorization !== 'Bearer good') throw new HttpError(401, 'Log in first.');
        return { name: 'ada' };
      },
    );
    app.get('/answer', { deps: { user: currentUser } }, (ctx) => {
      opened++;
      return ctx.sse(
        (async function* () {
          yield { to: ctx.deps.user.name, token: 'Hello' };
          await sleep(1);
          yield { token: ' there' };
        })(),
        { heartbeat: 0 },
      );
    });
    const base = await serve(app);
    const refused = await fetch(`${base}/answer`);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(((await refused.json()) as { detail: string }).detail, 'Log in first.');
    assert.equal(opened, 0);

    const res = await fetch(`${base}/answer`, { headers: { authorization: 'Bearer good' } });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'data: {"to":"ada","token":"Hello"}\n\ndata: {"token":" there"}\n\n');
  });
});

describe('an empty answer after something async', () => {
  for (const handlerKind of ['sync', 'async'] as const) {
    test(`${handlerKind} handler returning nothing is one 204, also behind an async onSend hook`, async () => {
      const { logger, entries } = recordingLogger();
      const app = quietApp({ fastify: { loggerInstance: logger } });
      app.fastify.addHook('onSend', async (_request, reply, payload) => {
        await sleep(1);
        reply.header('x-checked', 'yes');
        return payload;
      });
      const gone = dependency(async () => {
        await sleep(1);
        return true;
      });
      app.delete('/items/:id', { deps: { gone } }, handlerKind === 'sync' ? () => undefined : async () => {});
      const base = await serve(app);
      const res = await fetch(`${base}/items/1`, { method: 'DELETE' });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('x-checked'), 'yes');
      assert.equal(await res.text(), '');
      await sleep(20);
      const complaints = entries.filter((e) => e.level === 'warn' || e.level === 'error');
      assert.deepEqual(complaints, [], 'nothing was sent twice');
    });
  }
});
