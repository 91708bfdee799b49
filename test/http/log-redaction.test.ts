/**
 * Which URL parts the request log hides: the values of query and path parameters named like
 * secrets, and nothing else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSecretName, REDACTED, redactHeaders, redactUrl } from '../../src/http/log-redaction.ts';

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

test('the names of credentials are secret in any case and spelling', () => {
  const secret = [
    'password',
    'PASSWORD',
    'passwd',
    'Passphrase',
    'pass',
    'secret',
    'token',
    'access_token',
    'REFRESH_TOKEN',
    'api_key',
    'apikey',
    'API-KEY',
    'x-api-key',
    'authorization',
    'Proxy-Authorization',
    'cookie',
    'Set-Cookie',
    'session',
    'SESSIONID',
    'csrf',
    'csrfmiddlewaretoken',
    'X-CSRF-Token',
    'xsrf',
    'client_secret',
    'ClientSecret',
    'private_key',
    'privateKey',
    'bearer',
  ];
  for (const name of secret) assert.equal(isSecretName(name), true, name);
  for (const name of ['author', 'authors', 'passage', 'compass', 'cookbook', 'user-agent', 'accept', 'page'])
    assert.equal(isSecretName(name), false, name);
  assert.equal(
    redactUrl('/x?PASSWORD=a&Access_Token=b&api-key=c&csrf=d&private_key=e&Set-Cookie=f&q=g'),
    `/x?PASSWORD=${REDACTED}&Access_Token=${REDACTED}&api-key=${REDACTED}&csrf=${REDACTED}&private_key=${REDACTED}&Set-Cookie=${REDACTED}&q=g`,
  );
});

test('logged headers keep their names and lose the values of credentials', () => {
  const headers = {
    host: 'localhost',
    Authorization: 'Bearer volt_abc',
    cookie: 'sessionid=abc',
    'set-cookie': ['a=1', 'b=2'],
    'x-api-key': 'k',
    'X-CSRF-Token': 't',
    'user-agent': 'curl/8',
  };
  assert.deepEqual(redactHeaders(headers), {
    host: 'localhost',
    Authorization: REDACTED,
    cookie: REDACTED,
    'set-cookie': REDACTED,
    'x-api-key': REDACTED,
    'X-CSRF-Token': REDACTED,
    'user-agent': 'curl/8',
  });
  // The logged object is a copy: the request keeps its headers.
  assert.equal(headers.Authorization, 'Bearer volt_abc');
  assert.equal(redactHeaders(undefined), undefined);
});
