/**
 * Which URL parts the request log hides: the values of query and path parameters named like
 * secrets, and nothing else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSecretName, redactUrl } from '../../src/http/log-redaction.ts';

test('parameters named like secrets are redacted, others kept as sent', () => {
  for (const name of ['token', 'reset_token', 'accessToken', 'key', 'api_key', 'apiKey', 'X-Amz-Signature'])
    assert.equal(isSecretName(name), true, name);
  for (const name of ['code', 'sig', 'password', 'client_secret', 'sessionid', 'auth'])
    assert.equal(isSecretName(name), true, name);
  for (const name of ['page', 'author', 'monkey', 'postcode', 'q', 'keyboard_layout'])
    assert.equal(isSecretName(name), false, name);
  assert.equal(
    redactUrl('/callback?code=abc&state=xyz&page=2&%74oken=t&flag'),
    '/callback?code=[REDACTED]&state=xyz&page=2&%74oken=[REDACTED]&flag',
  );
  assert.equal(redactUrl('/reset/abc/done', '/reset/:token/done'), '/reset/[REDACTED]/done');
  assert.equal(redactUrl('/users/42', '/users/:id'), '/users/42');
  assert.equal(redactUrl('/plain'), '/plain');
});
