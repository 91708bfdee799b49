/**
 * A handler can let the ORM's errors escape: no such row is a 404, invalid input a 422 and a
 * duplicate a 409, each as problem+json with field-level errors in the body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { t } from '../../src/openapi/t.ts';
import { createTables } from '../../src/orm/ddl.ts';
import {
  connect,
  type Database,
  DatabaseAbortedError,
  DatabaseBusyError,
  DatabaseUnavailableError,
  f,
  model,
  query,
} from '../../src/orm/index.ts';
import { createRegistry } from '../../src/orm/registry.ts';
import { forEachDialect, testClient } from '../../src/testing/index.ts';
import { quietApp } from './support.ts';

interface Problem {
  detail: string;
  errors: { loc: unknown[]; type: string }[];
}

const registry = createRegistry();
const Tag = model(
  'shop.Tag',
  { name: f.string({ maxLength: 20, unique: true }), rank: f.integer({ min: 0, default: 0 }) },
  { registry },
);

describe('ORM errors as HTTP answers', () => {
  let db: Database;
  before(async () => {
    db = await connect('sqlite::memory:');
    await createTables(db, [Tag]);
  });
  after(() => db.close());

  function app() {
    const app = quietApp();
    app.get(
      '/tags/:id',
      { params: t.Object({ id: t.Integer() }), response: { 200: Tag.schema.read } },
      (ctx) => query(db, Tag).get({ id: ctx.params.id }),
    );
    // The body is deliberately not validated by the route: the model's validation answers.
    app.post(
      '/tags',
      { status: 201, body: t.Record(t.String(), t.Unknown()), response: { 201: Tag.schema.read } },
      (ctx) => query(db, Tag).create(ctx.body as never),
    );
    app.get('/bug', {}, () =>
      query(db, Tag)
        .filter({ nope: 1 } as never)
        .all(),
    );
    return app;
  }

  test('a get() that finds nothing is a 404 naming the model', async () => {
    const res = await testClient(app()).get('/tags/999');
    assert.equal(res.status, 404);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(res.json<Problem>().detail, 'No shop.Tag matches the query');
  });

  test('input the model refuses is a 422 with every field error located in the body', async () => {
    const res = await testClient(app()).post('/tags', { json: { name: 'x'.repeat(21), rank: -1 } });
    assert.equal(res.status, 422);
    assert.deepEqual(
      res.json<Problem>().errors.map((e) => [e.loc, e.type]),
      [
        [['body', 'name'], 'string_too_long'],
        [['body', 'rank'], 'greater_than_equal'],
      ],
    );
  });

  test('a duplicate of a unique field is a 409 conflict, and the first row is kept', async () => {
    const client = testClient(app());
    assert.equal((await client.post('/tags', { json: { name: 'sf' } })).status, 201);
    const res = await client.post('/tags', { json: { name: 'sf' } });
    assert.equal(res.status, 409);
    assert.deepEqual(res.json<Problem>().errors[0]!.loc, ['body', 'name']);
    assert.equal(res.json<Problem>().errors[0]!.type, 'unique');
    assert.equal(await query(db, Tag).filter({ name: 'sf' }).count(), 1);
  });

  test('a query naming an unknown field is a mistake in the code: a 500 that says nothing', async () => {
    const res = await testClient(app()).get('/bug');
    assert.equal(res.status, 500);
    assert.equal(res.json<Problem>().detail, 'The server could not complete the request.');
  });
});

describe('a database that is busy, away or stopped', () => {
  const errors: Record<string, () => Error> = {
    busy: () =>
      new DatabaseBusyError('The database stayed locked by another connection for 5000 ms (busyTimeoutMs)', {
        driverCode: '5',
        sql: 'insert into secret_table values (?)',
      }),
    unavailable: () =>
      new DatabaseUnavailableError('PostgreSQL cannot be reached', { driverCode: 'ECONNREFUSED' }),
    aborted: () => new DatabaseAbortedError('Database work stopped because its signal was aborted'),
  };
  function app() {
    const app = quietApp();
    app.get('/fail/:what', { params: t.Object({ what: t.String() }) }, (ctx) => {
      throw errors[ctx.params.what]!();
    });
    return app;
  }

  test('DatabaseBusyError is a 503 with Retry-After: 1 that names no table or timeout', async () => {
    const res = await testClient(app()).get('/fail/busy');
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.deepEqual(res.json(), {
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      code: 'VOLT_ORM_DATABASE_BUSY',
      detail: 'The database is busy. Try again shortly.',
      instance: `urn:volt:request:${res.headers['x-request-id']}`,
    });
  });

  test('DatabaseUnavailableError is a 503 with Retry-After: 5', async () => {
    const res = await testClient(app()).get('/fail/unavailable');
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '5');
    assert.equal(res.json<Problem>().detail, 'The database is unavailable. Try again shortly.');
  });

  test('DatabaseAbortedError while the client waits (a time limit of the server) is a 504', async () => {
    const res = await testClient(app()).get('/fail/aborted');
    assert.equal(res.status, 504);
    assert.deepEqual(res.json(), {
      type: 'about:blank',
      title: 'Gateway Timeout',
      status: 504,
      code: 'VOLT_ORM_ABORTED',
      detail: 'The database work took longer than the server allows.',
      instance: `urn:volt:request:${res.headers['x-request-id']}`,
    });
  });
});

forEachDialect((dialect, open) => {
  test(`${dialect}: a delete refused by a foreign key the models do not know is a 409; in a savepoint the transaction goes on`, async (tc) => {
    const db = await open();
    tc.after(() => db.close());
    const registry = createRegistry();
    const Label = model('shop.Label', { name: f.string({ maxLength: 20 }) }, { registry });
    await createTables(db, [Label]);
    const table = db.quoteIdentifier(Label.meta.table);
    // A table of another system, referring to the labels without any onDelete handling.
    await db.run(
      `create table sticker (id integer primary key, label_id integer not null references ${table} (id))`,
    );
    const label = await query(db, Label).create({ name: 'fragile' });
    await db.run(`insert into sticker (id, label_id) values (1, ${label.id})`);
    const app = quietApp();
    app.delete('/labels/:id', { status: 204, params: t.Object({ id: t.Integer() }) }, (ctx) =>
      db.transaction(async (tx) => {
        try {
          await tx.transaction((sp) => query(sp, Label).filter({ id: ctx.params.id }).delete());
        } finally {
          // The refusal undid the savepoint only: the transaction is usable.
          assert.equal(await query(tx, Label).count(), 1);
        }
      }),
    );
    const res = await testClient(app).delete(`/labels/${label.id}`);
    assert.equal(res.status, 409, res.text);
    assert.equal(res.json<{ code: string }>().code, 'VOLT_ORM_FOREIGN_KEY_VIOLATION');
    assert.doesNotMatch(res.text, /sticker/, "the driver's message stays in the log");
    assert.equal(await query(db, Label).count(), 1);
  });
});
