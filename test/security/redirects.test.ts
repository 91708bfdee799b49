/**
 * safeRedirectUrl keeps paths on this site and absolute URLs to allowed hosts, and refuses a
 * catalogue of open-redirect payloads (what browsers read as another host).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { safeRedirectUrl } from '../../src/security/redirects.ts';

const options = { allowedHosts: ['example.com', '.example.org'], fallback: '/home' };
const check = (next: string | undefined | null, extra = {}) =>
  safeRedirectUrl(next, { ...options, ...extra });

describe('safeRedirectUrl', () => {
  test('keeps paths on this site and http(s) URLs to allowed hosts, as given', () => {
    for (const next of [
      '/',
      '/account',
      '/search?q=a%20b&next=//evil.com',
      '/a/b#section',
      '/caf%C3%A9',
      'https://example.com/account',
      'http://example.com:8000/x?y=1',
      'https://EXAMPLE.com/',
      'https://shop.example.org/cart',
      'https://example.org',
      'https://example.com/?email=a@b.com',
    ])
      assert.equal(check(next), next, next);
  });

  test('percent-encodes characters outside ASCII, which a Location header cannot carry', () => {
    assert.equal(check('/café'), '/caf%C3%A9');
    assert.equal(check('https://example.com/日本?q=ü'), 'https://example.com/%E6%97%A5%E6%9C%AC?q=%C3%BC');
    assert.equal(check('/broken\ud800'), '/home');
  });

  test('refuses open-redirect payloads', () => {
    for (const next of [
      '//evil.com',
      '///evil.com',
      '////evil.com',
      '/\\evil.com',
      '\\/evil.com',
      '\\\\evil.com',
      '/\\/evil.com',
      'https:evil.com',
      'https:/evil.com',
      'http:\\\\evil.com',
      '\t//evil.com',
      '/\t/evil.com',
      ' //evil.com',
      '\n//evil.com',
      '/%09/evil.com',
      '/%2F/evil.com',
      '/%2f%2fevil.com',
      '/%5Cevil.com',
      '%2F%2Fevil.com',
      '/%E0%A4%A',
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'java\tscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'http://evil.com',
      'https://evil.com/example.com',
      'http://example.com@evil.com',
      'http://example.com:pass@evil.com/',
      'http://user@example.com/',
      'http://evil.com#@example.com',
      'http://evil.com?@example.com',
      'http://evil.com\\@example.com',
      'https://example.com.evil.com/',
      'https://badexample.org/',
      'https://evil。com',
      'https://evil．com/',
      'https://example。com.evil.com',
      'ftp://example.com/',
      'evil.com',
      'example.com/path',
      '?next=x',
      '',
      '/\u0000evil',
      '/\u007f',
    ])
      assert.equal(check(next), '/home', JSON.stringify(next));
    assert.equal(check(undefined), '/home');
    assert.equal(check(null), '/home');
  });

  test('unicode dots are read as dots: an allowed host written with them is still that host', () => {
    // Given back in the parser's ASCII form: a Location header cannot carry the Unicode dot.
    assert.equal(check('https://example。com/x'), 'https://example.com/x');
  });

  test('requireHttps refuses http:// URLs but keeps paths', () => {
    assert.equal(check('http://example.com/', { requireHttps: true }), '/home');
    assert.equal(check('https://example.com/', { requireHttps: true }), 'https://example.com/');
    assert.equal(check('/account', { requireHttps: true }), '/account');
  });

  test('with no allowed hosts only paths are kept', () => {
    assert.equal(safeRedirectUrl('https://example.com/', { allowedHosts: [], fallback: '/' }), '/');
    assert.equal(safeRedirectUrl('/x', { allowedHosts: [], fallback: '/' }), '/x');
  });
});
