import assert from 'node:assert/strict';
import { sseEvent, t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

// Stands in for a model that streams its answer token by token.
async function* generate(prompt: string, signal: AbortSignal) {
  for (const token of ['Hello', ' from', ` ${prompt}`]) {
    if (signal.aborted) return; // the client left: stop paying for tokens
    yield { token };
  }
  yield sseEvent({ finish: 'stop' }, { event: 'done' });
}

const sent: string[] = [];
const app = volt();

app.get('/chat', { query: t.Object({ prompt: t.String({ maxLength: 2000 }) }) }, (ctx) => {
  ctx.background(() => sent.push(ctx.query.prompt)); // runs after the response
  return ctx.sse(generate(ctx.query.prompt, ctx.signal), { heartbeat: 15 });
});

// --- what a client sees ---
const client = testClient(app);
const res = await client.get('/chat', { query: { prompt: 'Volt' } });
assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
assert.equal(
  res.text,
  'data: {"token":"Hello"}\n\n' +
    'data: {"token":" from"}\n\n' +
    'data: {"token":" Volt"}\n\n' +
    'event: done\ndata: {"finish":"stop"}\n\n',
);
await new Promise((resolve) => setImmediate(resolve));
assert.deepEqual(sent, ['Volt']);
await client.close();
