/**
 * The hello example, route by route, as a client sees it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TestClient, testClient } from 'voltjs/testing';

// The example builds its app when imported, from the environment: keep its logs quiet.
process.env.VOLT_ENV = 'test';
const example = await import('../../examples/hello/app.ts');

let client: TestClient;
before(() => {
  client = testClient(example.app);
});
after(() => client.close());

const PROBLEM = 'application/problem+json; charset=utf-8';

describe('benchmark routes', () => {
  test('GET /plaintext answers plain text', async () => {
    const res = await client.get('/plaintext');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.text, 'Hello, World!');
  });

  test('GET /json answers a JSON message', async () => {
    const res = await client.get('/json');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.text, '{"message":"Hello, World!"}');
  });

  test('POST /items answers the validated item, tags defaulting to []', async () => {
    const res = await client.post('/items', { json: { name: 'Pen', price: 1.5 } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { name: 'Pen', price: 1.5, tags: [] });
    const tagged = await client.post('/items', {
      json: { name: 'Pen', price: 1.5, tags: ['office'], extra: true },
    });
    assert.deepEqual(tagged.json(), { name: 'Pen', price: 1.5, tags: ['office'] });
  });

  test('POST /items with an invalid item is a 422 listing every failing field', async () => {
    const res = await client.post('/items', {
      json: { name: '', price: 0, tags: ['a', 1, ...Array.from({ length: 10 }, () => 'x')] },
    });
    assert.equal(res.status, 422);
    assert.equal(res.headers['content-type'], PROBLEM);
    assert.deepEqual(res.json(), {
      type: 'about:blank',
      title: 'Unprocessable Content',
      status: 422,
      code: 'VOLT_HTTP_VALIDATION',
      detail: 'The request is not valid.',
      errors: [
        { loc: ['body', 'name'], msg: 'String should have at least 1 character', type: 'string_too_short' },
        { loc: ['body', 'price'], msg: 'Input should be greater than 0', type: 'greater_than' },
        { loc: ['body', 'tags'], msg: 'List should have at most 10 items', type: 'too_long' },
        { loc: ['body', 'tags', 1], msg: 'Input should be a valid string', type: 'string_type' },
      ],
    });
  });

  test('POST /items with a missing field names it', async () => {
    const res = await client.post('/items', { json: { name: 'Pen' } });
    assert.deepEqual((res.json() as { errors: unknown }).errors, [
      { loc: ['body', 'price'], msg: 'Field required', type: 'missing' },
    ]);
  });

  test('GET /users/:id coerces the id and the query and reads the client header', async () => {
    const res = await client.get('/users/42', { query: { verbose: 'true' }, headers: { 'x-client': 'cli' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { id: 42, verbose: true, client: 'cli' });
  });

  test('GET /users/:id defaults verbose to false and the client to anonymous', async () => {
    const res = await client.get('/users/1');
    assert.deepEqual(res.json(), { id: 1, verbose: false, client: 'anonymous' });
  });

  test('GET /users/:id validates the path, the query and the dependency’s header', async () => {
    const res = await client.get('/users/0', {
      query: { verbose: 'perhaps' },
      headers: { 'x-client': 'x'.repeat(41) },
    });
    assert.equal(res.status, 422);
    assert.deepEqual((res.json() as { errors: unknown }).errors, [
      { loc: ['path', 'id'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' },
      { loc: ['query', 'verbose'], msg: 'Input should be a valid boolean', type: 'boolean_type' },
      {
        loc: ['header', 'x-client'],
        msg: 'String should have at most 40 characters',
        type: 'string_too_long',
      },
    ]);
  });
});

describe('notes', () => {
  test('create (201), list, get, then a missing note is a 404; creating indexes the note in the background', async () => {
    const created = await client.post<{ id: number; title: string; body: string }>('/notes', {
      json: { title: 'Groceries', body: 'Milk, eggs' },
    });
    assert.equal(created.status, 201);
    const note = created.json();
    assert.deepEqual(note, { id: note.id, title: 'Groceries', body: 'Milk, eggs' });
    assert.equal(typeof note.id, 'number');

    const second = await client.post<{ id: number }>('/notes', { json: { title: 'Ideas', body: '' } });
    assert.equal(second.status, 201);

    const list = await client.get<Array<{ id: number }>>('/notes');
    assert.equal(list.status, 200);
    assert.deepEqual(list.json().slice(-2), [note, { id: second.json().id, title: 'Ideas', body: '' }]);

    const page = await client.get<Array<{ id: number }>>('/notes', {
      query: { offset: list.json().length - 1, limit: 1 },
    });
    assert.deepEqual(page.json(), [{ id: second.json().id, title: 'Ideas', body: '' }]);

    const got = await client.get(`/notes/${note.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.json(), note);

    const missing = await client.get('/notes/99999');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['content-type'], PROBLEM);
    assert.deepEqual(missing.json(), {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      code: 'VOLT_HTTP_NOT_FOUND',
      detail: 'Note 99999 does not exist.',
    });

    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(example.indexed.includes(note.id), 'the background task indexed the note');
    assert.ok(example.indexed.includes(second.json().id));
  });

  test('an invalid note or page is a 422', async () => {
    const note = await client.post('/notes', { json: { title: '' } });
    // In the order the schema declares the fields, missing or not.
    assert.deepEqual((note.json() as { errors: unknown }).errors, [
      { loc: ['body', 'title'], msg: 'String should have at least 1 character', type: 'string_too_short' },
      { loc: ['body', 'body'], msg: 'Field required', type: 'missing' },
    ]);
    const page = await client.get('/notes', { query: { limit: 101 } });
    assert.deepEqual((page.json() as { errors: unknown }).errors, [
      { loc: ['query', 'limit'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' },
    ]);
  });
});

describe('streaming', () => {
  test('GET /countdown streams one event a step, then a done event', async () => {
    const res = await client.get('/countdown', { query: { from: 3, delay: 0 } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(
      res.text,
      'data: {"n":3}\n\ndata: {"n":2}\n\ndata: {"n":1}\n\nevent: done\ndata: {"n":0}\n\n',
    );
  });

  test('GET /countdown refuses a start over 100', async () => {
    const res = await client.get('/countdown', { query: { from: 101 } });
    assert.equal(res.status, 422);
  });
});
