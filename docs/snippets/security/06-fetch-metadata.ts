import assert from 'node:assert/strict';
import { t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

// The front end at app.example.com calls this API from the browser: it is opted in.
const app = volt({ csrfTrustedOrigins: ['https://app.example.com'] });
app.post('/orders', { body: t.Object({ item: t.String() }) }, (ctx) => ({ ordered: ctx.body.item }));

const client = testClient(app);
const order = (headers: Record<string, string>) => client.post('/orders', { json: { item: 'tea' }, headers });

// A page of another site made the browser send it: refused before the handler runs.
const forged = await order({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
assert.equal(forged.status, 403);
assert.match(forged.json<{ detail: string }>().detail, /Sec-Fetch-Site: cross-site/);

// The site itself, an address the user typed, a program without the header, a trusted origin: fine.
assert.equal((await order({ 'sec-fetch-site': 'same-origin' })).status, 200);
assert.equal((await order({ 'sec-fetch-site': 'none' })).status, 200);
assert.equal((await order({})).status, 200);
assert.equal(
  (await order({ 'sec-fetch-site': 'cross-site', origin: 'https://app.example.com' })).status,
  200,
);
await client.close();
