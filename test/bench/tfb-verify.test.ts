/**
 * The TechEmpower verifier's checks (bench/tfb/checks.ts) against right answers and against
 * the wrong ones a server could give: wrong content type, missing headers, unescaped or
 * missing fortunes, unclamped counts, rows not written.
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, test } from 'node:test';
import type { Answer } from '../../bench/harness/processes.ts';
import {
  COUNT_CASES,
  checkDb,
  checkFortunes,
  checkJson,
  checkPlaintext,
  checkStored,
  checkWorlds,
  clampedCount,
  decodeEntities,
  EXPECTED_FORTUNES,
  type WorldRow,
} from '../../bench/tfb/checks.ts';

const DATE = 'Sun, 06 Dec 2026 10:00:00 GMT';

function answer(body: string, contentType: string, extra: IncomingHttpHeaders = {}, status = 200): Answer {
  const headers: IncomingHttpHeaders = { 'content-type': contentType, server: 'test', date: DATE, ...extra };
  for (const [name, value] of Object.entries(headers)) if (value === undefined) delete headers[name];
  return { status, contentType, headers, body };
}

const escaped = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function fortunesPage(rows: ReadonlyArray<readonly [number, string]>, write = escaped): string {
  const cells = rows.map(([id, message]) => `<tr><td>${id}</td><td>${write(message)}</td></tr>`).join('');
  return `<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>${cells}</table></body></html>`;
}

const HTML = 'text/html; charset=utf-8';
const worlds = (n: number): WorldRow[] =>
  Array.from({ length: n }, (_, i) => ({ id: i + 1, randomNumber: 10_000 - i }));

describe('the envelope of every answer', () => {
  test('a right JSON answer passes, with or without a charset, in any case', () => {
    assert.equal(checkJson(answer('{"message":"Hello, World!"}', 'application/json')), undefined);
    assert.equal(
      checkJson(answer('{"message": "Hello, World!"}', 'Application/JSON; Charset=UTF-8')),
      undefined,
    );
  });

  test('a wrong content type is named', () => {
    const why = checkJson(answer('{"message":"Hello, World!"}', 'text/plain'));
    assert.match(why ?? '', /Content-Type "text\/plain"/);
    assert.match(checkFortunes(answer(fortunesPage(EXPECTED_FORTUNES), 'text/html')) ?? '', /Content-Type/);
  });

  test('a missing Server or Date header fails', () => {
    const body = '{"message":"Hello, World!"}';
    assert.equal(checkJson(answer(body, 'application/json', { server: undefined })), 'no Server header');
    assert.equal(checkJson(answer(body, 'application/json', { date: undefined })), 'no Date header');
  });

  test('a status other than 200 fails', () => {
    assert.match(checkPlaintext(answer('Hello, World!', 'text/plain', {}, 500)) ?? '', /status 500/);
  });
});

describe('json and plaintext', () => {
  test('another message or another key fails', () => {
    assert.ok(checkJson(answer('{"message":"Hello"}', 'application/json')));
    assert.ok(checkJson(answer('{"message":"Hello, World!","x":1}', 'application/json')));
    assert.ok(checkJson(answer('not json', 'application/json')));
  });

  test('plaintext must be the text exactly', () => {
    assert.equal(checkPlaintext(answer('Hello, World!', 'text/plain; charset=utf-8')), undefined);
    assert.ok(checkPlaintext(answer('Hello, World!\n', 'text/plain')));
  });
});

describe('db, queries, updates, cached-queries', () => {
  test('one row with both numbers in 1..10000; an array of one is not a row', () => {
    const rows: WorldRow[] = [];
    assert.equal(checkDb(answer('{"id":7,"randomNumber":10000}', 'application/json'), rows), undefined);
    assert.deepEqual(rows, [{ id: 7, randomNumber: 10_000 }]);
    assert.match(checkDb(answer('{"id":0,"randomNumber":5}', 'application/json')) ?? '', /id 0/);
    assert.match(checkDb(answer('{"id":5,"randomNumber":10001}', 'application/json')) ?? '', /randomNumber/);
    assert.match(checkDb(answer('{"id":5,"randomnumber":5}', 'application/json')) ?? '', /keys/);
    assert.ok(checkDb(answer('[{"id":5,"randomNumber":5}]', 'application/json')));
  });

  test('the counts are clamped as TechEmpower asks', () => {
    assert.deepEqual(
      COUNT_CASES.map((c) => clampedCount(c.param)),
      COUNT_CASES.map((c) => c.expected),
    );
    assert.equal(clampedCount('-3'), 1);
    assert.equal(clampedCount('500'), 500);
  });

  test('an answer that does not clamp fails, naming the counts', () => {
    const body = JSON.stringify(worlds(501));
    assert.match(checkWorlds(answer(body, 'application/json'), 500) ?? '', /501 rows, expected 500/);
    assert.match(checkWorlds(answer('[]', 'application/json'), 1) ?? '', /0 rows, expected 1/);
    assert.equal(checkWorlds(answer(JSON.stringify(worlds(20)), 'application/json'), 20), undefined);
  });

  test('a row out of range inside the array fails', () => {
    const rows = [...worlds(19), { id: 10_001, randomNumber: 1 }];
    assert.match(checkWorlds(answer(JSON.stringify(rows), 'application/json'), 20) ?? '', /id 10001/);
  });

  test('updated rows must be in the table as answered', () => {
    const answered = [
      { id: 1, randomNumber: 5 },
      { id: 2, randomNumber: 6 },
    ];
    assert.equal(
      checkStored(
        answered,
        new Map([
          [1, 5],
          [2, 6],
        ]),
        'update',
      ),
      undefined,
    );
    assert.match(
      checkStored(
        answered,
        new Map([
          [1, 5],
          [2, 9],
        ]),
        'update',
      ) ?? '',
      /world 2 holds randomNumber 9.*not written/,
    );
  });

  test('an id drawn twice may hold either number answered for it', () => {
    const answered = [
      { id: 3, randomNumber: 5 },
      { id: 3, randomNumber: 8 },
    ];
    assert.equal(checkStored(answered, new Map([[3, 8]]), 'update'), undefined);
    assert.ok(checkStored(answered, new Map([[3, 1]]), 'update'));
  });
});

describe('fortunes', () => {
  test('the right page passes, with whitespace between tags and any escaping of quotes', () => {
    assert.equal(checkFortunes(answer(fortunesPage(EXPECTED_FORTUNES), HTML)), undefined);
    const spaced = fortunesPage(EXPECTED_FORTUNES)
      .replace(/<tr>/g, '\n  <tr>')
      .replace(/<\/td>/g, '</td> ');
    assert.equal(checkFortunes(answer(spaced, HTML)), undefined);
    const numeric = (text: string) =>
      escaped(text)
        .replace(/&quot;/g, '&#34;')
        .replace(/'/g, '&#x27;');
    assert.equal(checkFortunes(answer(fortunesPage(EXPECTED_FORTUNES, numeric), HTML)), undefined);
  });

  test('an unescaped fortune fails', () => {
    const why = checkFortunes(
      answer(
        fortunesPage(EXPECTED_FORTUNES, (text) => text),
        HTML,
      ),
    );
    assert.match(why ?? '', /raw <script>/);
    const ampersand = fortunesPage([...EXPECTED_FORTUNES.slice(0, -1), [12, 'Tom & Jerry']], (t) => t);
    assert.match(checkFortunes(answer(ampersand, HTML)) ?? '', /not escaped/);
  });

  test('a missing row fails: the extra one, or one of the table', () => {
    const withoutExtra = EXPECTED_FORTUNES.filter(([id]) => id !== 0);
    assert.match(checkFortunes(answer(fortunesPage(withoutExtra), HTML)) ?? '', /12 fortunes, expected 13/);
  });

  test('rows out of order, or a mangled Japanese message, fail', () => {
    const byId = [...EXPECTED_FORTUNES].sort((a, b) => a[0] - b[0]);
    assert.match(checkFortunes(answer(fortunesPage(byId), HTML)) ?? '', /sorted by message/);
    const mangled = EXPECTED_FORTUNES.map(([id, m]): [number, string] => [id, id === 12 ? '??????' : m]);
    assert.match(checkFortunes(answer(fortunesPage(mangled), HTML)) ?? '', /row 13 is 12 "\?\?\?\?\?\?"/);
  });

  test('the page frame is checked', () => {
    const noHeader = fortunesPage(EXPECTED_FORTUNES).replace('<tr><th>id</th><th>message</th></tr>', '');
    assert.match(checkFortunes(answer(noHeader, HTML)) ?? '', /does not start/);
  });

  test('character references are decoded before comparing', () => {
    assert.equal(decodeEntities('&lt;a&gt; &amp; &#39;b&#x27; &quot;c&#34; &#12501;'), `<a> & 'b' "c" フ`);
  });
});
