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
