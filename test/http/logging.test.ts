import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

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
  const forRequest = lines.filter((line) => line.reqId === inHandler.reqId).map((line) => line.msg);
  assert.ok(forRequest.includes('incoming request'));
  assert.ok(forRequest.includes('request completed'));
  const failure = lines.find((line) => line.msg === 'background task failed');
  assert.equal(failure?.reqId, inHandler.reqId, 'a failed background task is logged with the request id');
  assert.equal(failure?.err?.message, 'background failure');
  assert.equal(failure?.level, 50);
});

test('in development the log is pretty-printed for people', async () => {
  const out = await runFixture({ VOLT_ENV: 'development' });
  assert.match(out, /inside the handler/);
  assert.match(out, /INFO/);
  assert.ok(!out.trimStart().startsWith('{'), 'not JSON');
});

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

test('secrets in URLs (a reset token, API keys, a token path parameter) are redacted in the log', async () => {
  const out = await runFixture(
    { VOLT_ENV: 'production', SECRET_KEY: 'k'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789' },
    join(import.meta.dirname, 'fixtures', 'redaction-app.ts'),
  );
  assert.doesNotMatch(out, /secret-(one|two|three|four)/);
  const urls = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { req?: { url: string } })
    .flatMap((line) => (line.req ? [line.req.url] : []));
  assert.deepEqual(
    [...new Set(urls)],
    [
      '/auth/password-reset/confirm?token=[REDACTED]&lang=en&apiKey=[REDACTED]',
      '/invites/[REDACTED]',
      '/fails?client_secret=[REDACTED]&page=2',
    ],
  );
});
