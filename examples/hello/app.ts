/**
 * The hello example: typed params, query and body, a dependency with teardown, a background
 * task, an SSE stream, and the routes the benchmarks load-test.
 *
 * Run it with `npm start` (or `volt start examples/hello/app.ts`), then open /docs.
 */
import { dependency, HttpError, Router, sseEvent, t, volt } from 'voltjs';

export const app = volt({
  info: {
    title: 'Volt hello',
    version: '1.0.0',
    description: 'A small API showing typed routes, dependencies, background tasks and streaming.',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  tagDescriptions: {
    bench: 'The routes the benchmarks load-test.',
    notes: 'A small notes API kept in memory.',
    streaming: 'Server-Sent Events.',
  },
});

// --- Benchmark routes (see bench/README.md) -------------------------------------------------

app.get(
  '/plaintext',
  { summary: 'Plain text', tags: ['bench'], contentType: 'text/plain' },
  () => 'Hello, World!',
);

const Message = t.Object({ message: t.String() });
app.get('/json', { summary: 'A JSON message', tags: ['bench'], response: { 200: Message } }, () => ({
  message: 'Hello, World!',
}));

const ItemIn = t.Object({
  name: t.String({ minLength: 1, maxLength: 100 }),
  price: t.Number({ exclusiveMinimum: 0 }),
  tags: t.Optional(t.Array(t.String(), { maxItems: 10 })),
});
const ItemOut = t.Object({
  name: t.String(),
  price: t.Number(),
  tags: t.Array(t.String()),
});

app.post(
  '/items',
  {
    summary: 'Validate an item',
    description: 'Answers the validated item; invalid input gets a 422 listing every failing field.',
    tags: ['bench'],
    body: ItemIn,
    response: { 200: ItemOut },
  },
  (ctx) => ({ name: ctx.body.name, price: ctx.body.price, tags: ctx.body.tags ?? [] }),
);

// A dependency that reads its own header; every route that uses it documents and validates it.
const client = dependency(
  { headers: t.Object({ 'x-client': t.Optional(t.String({ maxLength: 40 })) }) },
  (ctx) => ({ name: ctx.headers['x-client'] ?? 'anonymous' }),
);

app.get(
  '/users/:id',
  {
    summary: 'A path parameter, a typed query and a dependency',
    tags: ['bench'],
    params: t.Object({ id: t.Integer({ minimum: 1 }) }),
    query: t.Object({ verbose: t.Boolean({ default: false }) }),
    response: { 200: t.Object({ id: t.Integer(), verbose: t.Boolean(), client: t.String() }) },
    deps: { client },
  },
  (ctx) => ({ id: ctx.params.id, verbose: ctx.query.verbose, client: ctx.deps.client.name }),
);

// --- A small notes API ------------------------------------------------------------------------

interface Note {
  id: number;
  title: string;
  body: string;
}

/** An in-memory store standing in for a database connection. */
class NoteStore {
  readonly #notes = new Map<number, Note>();
  #next = 1;
  add(title: string, body: string): Note {
    const note = { id: this.#next++, title, body };
    this.#notes.set(note.id, note);
    return note;
  }
  get(id: number): Note | undefined {
    return this.#notes.get(id);
  }
  list(offset: number, limit: number): Note[] {
    return [...this.#notes.values()].slice(offset, offset + limit);
  }
}

const store = new NoteStore();
/** Notes whose "search index" was refreshed by a background task. */
export const indexed: number[] = [];

// A dependency with teardown: the code after `yield` runs once the response has been sent.
export const notesSession = dependency(async function* notesSession(ctx) {
  ctx.log.debug('notes session opened');
  try {
    yield store;
  } finally {
    ctx.log.debug('notes session closed');
  }
});

const pagination = dependency(
  {
    query: t.Object({
      offset: t.Integer({ minimum: 0, default: 0 }),
      limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }),
    }),
  },
  (ctx) => ({ offset: ctx.query.offset, limit: ctx.query.limit }),
);

const NoteSchema = t.Object({ id: t.Integer(), title: t.String(), body: t.String() });
const NoteIn = t.Object({
  title: t.String({ minLength: 1, maxLength: 200 }),
  body: t.String({ maxLength: 10_000 }),
});

const notes = new Router({ prefix: '/notes', tags: ['notes'] });

notes.get(
  '/',
  {
    summary: 'List notes',
    deps: { db: notesSession, page: pagination },
    response: { 200: t.Array(NoteSchema) },
  },
  (ctx) => ctx.deps.db.list(ctx.deps.page.offset, ctx.deps.page.limit),
);

notes.post(
  '/',
  {
    summary: 'Create a note',
    status: 201,
    body: NoteIn,
    deps: { db: notesSession },
    response: { 201: NoteSchema },
  },
  (ctx) => {
    const note = ctx.deps.db.add(ctx.body.title, ctx.body.body);
    // Runs after the 201 was sent; a failure is logged with the request id.
    ctx.background(() => {
      indexed.push(note.id);
    });
    return note;
  },
);

notes.get(
  '/:id',
  {
    summary: 'Get a note',
    params: t.Object({ id: t.Integer({ minimum: 1 }) }),
    deps: { db: notesSession },
    response: { 200: NoteSchema },
  },
  (ctx) => {
    const note = ctx.deps.db.get(ctx.params.id);
    if (!note) throw new HttpError(404, `Note ${ctx.params.id} does not exist.`);
    return note;
  },
);

app.include(notes);

// --- Streaming --------------------------------------------------------------------------------

async function* countdown(from: number, delayMs: number, signal: AbortSignal) {
  for (let n = from; n > 0; n--) {
    if (signal.aborted) return;
    yield { n };
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  yield sseEvent({ n: 0 }, { event: 'done' });
}

app.get(
  '/countdown',
  {
    summary: 'Stream a countdown as Server-Sent Events',
    description: 'One `data` event a step, then a `done` event. Stops when the client disconnects.',
    tags: ['streaming'],
    query: t.Object({
      from: t.Integer({ minimum: 1, maximum: 100, default: 5 }),
      delay: t.Integer({ minimum: 0, maximum: 5000, default: 200 }),
    }),
    events: t.Object({ n: t.Integer({ minimum: 0 }) }),
  },
  (ctx) => ctx.sse(countdown(ctx.query.from, ctx.query.delay, ctx.signal)),
);

export default app;
