import assert from 'node:assert/strict';
import { HttpError, t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

class OutOfStock extends Error {}

const app = volt();

// Map your own errors to responses in one place.
app.onError((error) =>
  error instanceof OutOfStock ? new HttpError(409, { detail: error.message }) : undefined,
);

app.post('/orders', { body: t.Object({ sku: t.String(), quantity: t.Integer({ minimum: 1 }) }) }, (ctx) => {
  if (ctx.body.sku === 'gone') throw new OutOfStock(`${ctx.body.sku} is out of stock`);
  if (ctx.body.quantity > 10) {
    throw new HttpError(422, {
      detail: 'Too many items.',
      errors: [{ loc: ['body', 'quantity'], msg: 'At most 10 per order', type: 'too_many' }],
    });
  }
  return { ok: true };
});

// --- what a client sees ---
const client = testClient(app);

const conflict = await client.post('/orders', { json: { sku: 'gone', quantity: 1 } });
assert.equal(conflict.headers['content-type'], 'application/problem+json; charset=utf-8');
assert.deepEqual(conflict.json(), {
  type: 'about:blank',
  title: 'Conflict',
  status: 409,
  code: 'VOLT_HTTP_CONFLICT', // an HttpError without a code of its own: VOLT_HTTP_ and the status
  detail: 'gone is out of stock',
});

const invalid = await client.post('/orders', { json: { sku: 42 } });
assert.deepEqual(invalid.json(), {
  type: 'about:blank',
  title: 'Unprocessable Content',
  status: 422,
  code: 'VOLT_HTTP_VALIDATION',
  detail: 'The request is not valid.',
  errors: [
    { loc: ['body', 'sku'], msg: 'Input should be a valid string', type: 'string_type' },
    { loc: ['body', 'quantity'], msg: 'Field required', type: 'missing' },
  ],
});

const wrongMethod = await client.get('/orders');
assert.equal(wrongMethod.status, 405);
assert.equal(wrongMethod.headers.allow, 'POST');
await client.close();
