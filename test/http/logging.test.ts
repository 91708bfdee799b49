import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { VoltApp } from '../../src/http/app.ts';
import { t } from '../../src/openapi/t.ts';
import { listenLocal, quietApp, recordingLogger, waitFor } from './support.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'logging-app.ts');

function runFixture(env: Record<string, string>, file = fixture): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=volt-source', file], {
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
  });
}

test('in production every log line is JSON and request lines carry the request id', async () => {
  const out = await runFixture({
    VOLT_ENV: 'production',
    SECRET_KEY: 'k'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789',
  });
  const lines = out
    .trim()
    .split('\n')
    .map(
      (line) => JSON.parse(line) as { msg: string; reqId?: string; level: number; err?: { message: string } },
    );
  const inHandler = lines.find((line) => line.msg === 'inside the handler');
  assert.ok(inHandler?.reqId, 'the handler log line has a reqId');
  const forRequest = lines.filter((line) => line.reqId === inHandler.reqId);
  // One line per request, at its end, with the request, the status and the time taken.
  assert.ok(!forRequest.some((line) => line.msg === 'incoming request'));
  const completed = forRequest.filter((line) => line.msg === 'request completed') as unknown as {
    req: { method: string; url: string };
    res: { statusCode: number };
    responseTime: number;
  }[];
  assert.equal(completed.length, 1);
  assert.equal(completed[0]?.req.method, 'GET');
  assert.equal(typeof completed[0]?.req.url, 'string');
  assert.equal(typeof completed[0]?.res.statusCode, 'number');
  assert.equal(typeof completed[0]?.responseTime, 'number');
  const failure = lines.find((line) => line.msg === 'background task failed');
  assert.equal(failure?.reqId, inHandler.reqId, 'a failed background task is logged with the request id');
  assert.equal(failure?.err?.message, 'background failure');
  assert.equal(failure?.level, 50);
});

test('a 500 carries the request id of its log line, in the X-Request-Id header and the body', async () => {
  const out = await runFixture({
    VOLT_ENV: 'production',
    SECRET_KEY: 'k'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789',
  });
  const lines = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown> & { msg: string; reqId?: string });
  const logged = lines.find((line) => line.msg === 'unhandled error');
  const seen = lines.find((line) => line.msg === 'client saw');
  assert.ok(logged?.reqId, 'the 500 is logged with its request id');
  assert.equal(seen?.status, 500);
  assert.equal(seen?.header, logged.reqId);
  assert.equal(seen?.instance, `urn:volt:request:${logged.reqId}`);
  // Ids are random, not a counter a client could read the server's traffic from.
  assert.match(logged.reqId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

type RequestLine = {
  msg: string;
  reqId?: string;
  req?: { method: string; url: string; host: string; remoteAddress: string; remotePort: number };
  res?: { statusCode: number };
  responseTime?: number;
};

async function requestLines(env: Record<string, string> = {}): Promise<RequestLine[]> {
  const out = await runFixture({
    VOLT_ENV: 'production',
    SECRET_KEY: 'k'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789',
    ...env,
  });
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as RequestLine)
    .filter((line) => line.msg === 'request completed');
}

test('the request line names the client a trusted proxy forwarded, and only then', async () => {
  const direct = await requestLines();
  const fromProxy = (lines: RequestLine[]) => lines.find((line) => line.req?.url === '/hello?from=proxy');
  assert.equal(fromProxy(direct)?.req?.remoteAddress, '127.0.0.1');
  const behind = await requestLines({ TRUST_PROXY: '1' });
  assert.equal(fromProxy(behind)?.req?.remoteAddress, '203.0.113.7');
  assert.match(String(fromProxy(behind)?.req?.host), /^127\.0\.0\.1:\d+$/);
});

test('every request the server answers has one line: a refused URL too; a quieter route and inject() none', async () => {
  const lines = await requestLines();
  const urls = lines.map((line) => line.req?.url);
  assert.deepEqual(
    urls.sort(),
    ['/%', '/boom', '/hello', '/hello?from=proxy'],
    'one line each; /quiet logs at warn and the injected request went through no server',
  );
  const refused = lines.find((line) => line.req?.url === '/%');
  assert.equal(refused?.res?.statusCode, 400);
  assert.ok(refused?.reqId);
  for (const line of lines) {
    assert.equal(typeof line.responseTime, 'number');
    assert.ok(line.responseTime! >= 0 && line.responseTime! < 10_000, `a time in ms: ${line.responseTime}`);
    assert.equal(line.req?.remoteAddress, '127.0.0.1');
    assert.equal(typeof line.req?.remotePort, 'number');
  }
});

test('in development the log is pretty-printed for people', async () => {
  const out = await runFixture({ VOLT_ENV: 'development' });
  assert.match(out, /inside the handler/);
  assert.match(out, /INFO/);
  assert.ok(!out.trimStart().startsWith('{'), 'not JSON');
});

for (const close of ['end', 'destroy'] as const) {
  test(`a client that closes (${close}) in the middle of an upload is logged at info, not as a server error`, async () => {
    const { logger, entries } = recordingLogger();
    const app = quietApp({ fastify: { loggerInstance: logger } });
    let handled = false;
    app.post('/upload', { body: t.Object({ name: t.String() }) }, () => {
      handled = true;
      return { ok: true };
    });
    try {
      const { host, port } = await listenLocal(app);
      const socket = net.connect(port, host);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
          'Content-Length: 100\r\n\r\n{"name":',
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket[close]();
      // The error handler has run once the request's error (or its info line) is logged.
      const handledError = () =>
        entries.some((e) => e.level === 'error' || /client closed the connection/.test(String(e.msg)));
      assert.ok(await waitFor(handledError), 'the aborted request was handled');
      const serious = entries.filter((e) => e.level === 'error' || e.level === 'fatal' || e.level === 'warn');
      assert.deepEqual(
        serious.map((e) => e.msg),
        [],
        'nothing logged as a server error',
      );
      assert.ok(
        entries.some((e) => e.level === 'info' && /client closed the connection/.test(String(e.msg))),
      );
      assert.equal(handled, false);
    } finally {
      await app.close();
    }
  });
}

test("an error's log line says each message once, also when it wraps a cause with the same words", async () => {
  const out = await runFixture(
    { VOLT_ENV: 'production', SECRET_KEY: 'k'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789' },
    join(import.meta.dirname, 'fixtures', 'database-error-app.ts'),
  );
  const failure = out
    .trim()
    .split('\n')
    .map(
      (line) => JSON.parse(line) as { level: number; err?: { type: string; message: string; stack: string } },
    )
    .find((line) => line.err !== undefined);
  assert.equal(failure?.level, 50);
  // The ORM's DatabaseError keeps node:sqlite's error, of the same text, as its cause.
  assert.equal(failure?.err?.type, 'DatabaseError');
  assert.equal(failure?.err?.message, 'no such table: no_such_table');
  assert.match(failure?.err?.stack ?? '', /caused by: Error: no such table/);
});

test('a database that is away is logged once per request as a 503, without the password of its URL', async () => {
  const out = await runFixture(
    { VOLT_ENV: 'production', SECRET_KEY: 'k'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789' },
    join(import.meta.dirname, 'fixtures', 'database-error-app.ts'),
  );
  assert.ok(!out.includes('hunter2'), 'the password is not in the log');
  const lines = out
    .trim()
    .split('\n')
    .map(
      (line) => JSON.parse(line) as { res?: { statusCode: number }; err?: { type: string; message: string } },
    );
  assert.ok(lines.some((line) => line.res?.statusCode === 503));
  const away = lines.find((line) => line.err?.type === 'DatabaseUnavailableError');
  assert.equal(away?.err?.message, 'PostgreSQL cannot be reached (connect ECONNREFUSED 127.0.0.1:9)');
});

test("an idle PostgreSQL client's failure is one line of the app's log, without the client or its password", async (t) => {
  if (!process.env.VOLT_TEST_POSTGRES) {
    if (process.env.CI === 'true') throw new Error('PostgreSQL: VOLT_TEST_POSTGRES is not set');
    return t.skip('PostgreSQL: VOLT_TEST_POSTGRES is not set');
  }
  const out = await runFixture(
    { VOLT_ENV: 'production', SECRET_KEY: 'k'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789' },
    join(import.meta.dirname, 'fixtures', 'idle-client-app.ts'),
  );
  assert.ok(!out.includes('hunter2'), 'the password is not in the log');
  const lines = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { msg: string; err?: Record<string, unknown> });
  const idle = lines.filter((line) => line.msg.startsWith('PostgreSQL: an idle client failed'));
  assert.equal(idle.length, 1, out);
  assert.equal(idle[0]!.err?.code, '57P01');
  assert.equal(idle[0]!.err?.client, '[Client]', 'the pg client is named, not dumped');
});

test('secrets in URLs (a reset token, API keys, a token path parameter) and logged headers are redacted in the log', async () => {
  const out = await runFixture(
    { VOLT_ENV: 'production', SECRET_KEY: 'k'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789' },
    join(import.meta.dirname, 'fixtures', 'redaction-app.ts'),
  );
  assert.doesNotMatch(out, /secret-/);
  const lines = out
    .trim()
    .split('\n')
    .map(
      (line) => JSON.parse(line) as { msg: string; req?: { url: string }; headers?: Record<string, string> },
    );
  const urls = lines.flatMap((line) => (line.req ? [line.req.url] : []));
  assert.deepEqual(
    [...new Set(urls)],
    [
      '/auth/password-reset/confirm?token=[REDACTED]&lang=en&apiKey=[REDACTED]',
      '/invites/[REDACTED]',
      '/fails?client_secret=[REDACTED]&page=2',
      '/invites/[REDACTED]?PASSWORD=[REDACTED]&Csrf=[REDACTED]&q=kept',
      '/headers',
    ],
  );
  const headers = lines.find((line) => line.msg === 'request headers')?.headers;
  assert.equal(headers?.authorization, '[REDACTED]');
  assert.equal(headers?.cookie, '[REDACTED]');
  assert.equal(headers?.['x-api-key'], '[REDACTED]');
  assert.match(String(headers?.host), /^127\.0\.0\.1:\d+$/);
});

test("a logger of the app's own logs each request's line through it, at the default level too", async () => {
  const { logger, entries } = recordingLogger();
  const app = new VoltApp({ envFile: false, logLevel: 'info', fastify: { loggerInstance: logger } });
  app.get('/hello', () => ({ ok: true }));
  const response = await app.fastify.inject({ method: 'GET', url: '/hello' });
  assert.equal(response.statusCode, 200);
  const completed = entries.filter((entry) => entry.msg === 'request completed');
  assert.equal(completed.length, 1);
  await app.close();
});
