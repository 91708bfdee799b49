/**
 * The production log's buffer: lines of one turn of the event loop written together, in
 * order, at once past the high-water mark, and everything on flushSync().
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { hasSecretParam, requestJson, serializeRequest } from '../../src/http/log-redaction.ts';
import { LogBuffer, millis } from '../../src/http/request-log.ts';

function tempFile(t: { after: (fn: () => void) => void }): { path: string; fd: number } {
  const dir = mkdtempSync(join(tmpdir(), 'volt-log-'));
  const path = join(dir, 'out.log');
  const fd = openSync(path, 'w');
  t.after(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  return { path, fd };
}

test('lines logged in one turn are written together when it ends, in order', async (t) => {
  const { path, fd } = tempFile(t);
  const log = new LogBuffer(fd);
  log.write('{"n":1}\n');
  log.write('{"n":2}\n');
  log.write('{"n":3}\n');
  assert.equal(readFileSync(path, 'utf8'), '', 'nothing is written during the turn');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(readFileSync(path, 'utf8'), '{"n":1}\n{"n":2}\n{"n":3}\n');
});

test('past 64 KiB the lines are written at once; flushSync writes the rest now', (t) => {
  const { path, fd } = tempFile(t);
  const log = new LogBuffer(fd);
  const line = `${JSON.stringify({ pad: 'x'.repeat(1000) })}\n`;
  for (let i = 0; i < 70; i++) log.write(line);
  const written = readFileSync(path, 'utf8');
  assert.ok(written.length >= 64 * 1024, `written at once: ${written.length} bytes`);
  log.write('{"last":true}\n');
  log.flushSync();
  const all = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  assert.equal(all.length, 71);
  assert.equal(all.at(-1), '{"last":true}');
});

test('multi-byte text is written whole', async (t) => {
  const { path, fd } = tempFile(t);
  const log = new LogBuffer(fd);
  log.write('{"msg":"日本語 ✓"}\n');
  log.flushSync();
  assert.equal(readFileSync(path, 'utf8'), '{"msg":"日本語 ✓"}\n');
});

test('the request line written directly is the JSON of the req serializer, member for member', () => {
  const requests = [
    { url: '/json', headers: {}, port: 40000 },
    { url: '/reset?token=abc&page=2', headers: { 'accept-version': '2' }, port: 1 },
    { url: '/a"b\\c?q=\u2028', headers: {}, port: undefined },
  ].map(
    ({ url, headers, port }) =>
      ({
        method: 'GET',
        url,
        headers,
        host: 'example.com:8000',
        ip: '127.0.0.1',
        socket: { remotePort: port },
        routeOptions: { url: '/reset' },
      }) as unknown as FastifyRequest,
  );
  for (const request of requests)
    assert.equal(requestJson(request, request.routeOptions.url), JSON.stringify(serializeRequest(request)));
  assert.match(requestJson(requests[1]!, '/reset'), /token=\[REDACTED\]/);
});

test('the time taken is written in ms with three decimals, as the number it reads as', () => {
  for (const micros of [0, 7, 72, 720, 1000, 1500, 12_345, 987_654_321])
    assert.equal(Number(JSON.parse(millis(micros))), Math.round(micros) / 1000, `${micros} µs`);
  assert.equal(millis(72), '0.072');
  assert.equal(millis(1500), '1.500');
});

test('a route has a secret parameter when one of its names is a secret', () => {
  assert.equal(hasSecretParam('/reset/:token'), true);
  assert.equal(hasSecretParam('/orgs/:orgId/keys/:apiKey'), true);
  assert.equal(hasSecretParam('/books/:id'), false);
  assert.equal(hasSecretParam('/monkeys/:monkey'), false);
  assert.equal(hasSecretParam('/static'), false);
});
