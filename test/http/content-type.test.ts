/**
 * A request's Content-Type is read once per distinct header text: its media type in lower case,
 * and the parameter it repeats, if any; quoted values are skipped whole.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTENT_TYPE_CACHE_SIZE, parseContentType } from '../../src/http/content-type.ts';

test('the media type is lower case and without parameters; a repeated parameter is named', () => {
  assert.deepEqual(parseContentType('application/json'), { type: 'application/json', repeated: undefined });
  assert.deepEqual(parseContentType(' Application/JSON ; charset=utf-8'), {
    type: 'application/json',
    repeated: undefined,
  });
  assert.deepEqual(parseContentType('text/plain; charset=a; CharSet=b'), {
    type: 'text/plain',
    repeated: 'charset',
  });
  assert.equal(parseContentType('text/plain;charset=a;charset=a').repeated, 'charset');
  // A quoted value is one value, whatever it holds.
  assert.equal(parseContentType('text/plain; x="a;charset=b"; charset=c').repeated, undefined);
  assert.equal(parseContentType('text/plain; x="a\\";charset=b"; charset=c').repeated, undefined);
  assert.equal(parseContentType('text/plain; x=1; y=2;').repeated, undefined);
});

test('each distinct header is parsed once, and the cache stays bounded under a flood', () => {
  const first = parseContentType('application/json; charset=utf-8');
  assert.equal(parseContentType('application/json; charset=utf-8'), first, 'the same answer, from the cache');
  for (let i = 0; i < CONTENT_TYPE_CACHE_SIZE * 50; i++)
    assert.equal(parseContentType(`application/x-${i}`).type, `application/x-${i}`);
  // Pushed out by the flood: parsed again, to the same answer.
  const again = parseContentType('application/json; charset=utf-8');
  assert.notEqual(again, first);
  assert.deepEqual(again, first);
  // A long header is answered without being kept.
  const long = `text/plain; x=${'a'.repeat(500)}`;
  assert.notEqual(parseContentType(long), parseContentType(long));
});
