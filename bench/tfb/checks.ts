/**
 * The TechEmpower test types and the checks of their answers, as pure functions over one
 * answer (status, headers, body): bench/tfb/verify.ts sends the requests and reads the database,
 * test/bench/tfb-verify.test.ts feeds these right and wrong answers. Each check returns why an
 * answer is wrong, or `undefined` when it is right.
 *
 * The rules follow TechEmpower's "Framework Benchmarks" requirements (test types 1–6 and
 * cached queries): content types compared without case and with or without `charset=utf-8`
 * where TechEmpower accepts both, `Server` and `Date` on every answer, counts clamped to 1..500.
 */
import type { Answer } from '../harness/processes.ts';

/** The id of a test type. */
export type TestId = 'json' | 'plaintext' | 'db' | 'queries' | 'fortunes' | 'updates' | 'cached-queries';

/** The test types, in the order tables list them. */
export const TEST_IDS: readonly TestId[] = [
  'json',
  'plaintext',
  'db',
  'queries',
  'fortunes',
  'updates',
  'cached-queries',
];

/** The test types that read the database (the bars ask ≥ 0.8× Fastify and ≥ 5× Django of them). */
export const DB_TESTS: readonly TestId[] = ['db', 'queries', 'fortunes', 'updates'];

/** How tables name each test type. */
export const TITLES: Record<TestId, string> = {
  json: 'JSON serialization (GET /json)',
  plaintext: 'Plaintext (GET /plaintext)',
  db: 'Single query (GET /db)',
  queries: 'Multiple queries (GET /queries?queries=N)',
  fortunes: 'Fortunes (GET /fortunes)',
  updates: 'Updates (GET /updates?queries=N)',
  'cached-queries': 'Cached queries (GET /cached-queries?count=N)',
};

/** The URL wrk loads for a test: `n` rows for the tests that take a count. */
export function loadPath(test: TestId, n: number, cached: number): string {
  switch (test) {
    case 'queries':
      return `/queries?queries=${n}`;
    case 'updates':
      return `/updates?queries=${n}`;
    case 'cached-queries':
      return `/cached-queries?count=${cached}`;
    default:
      return `/${test}`;
  }
}

/** The twelve fortunes of TechEmpower's `fortune` table. */
export const FORTUNES: ReadonlyArray<readonly [number, string]> = [
  [1, 'fortune: No such file or directory'],
  [2, "A computer scientist is someone who fixes things that aren't broken."],
  [3, 'After enough decimal places, nobody gives a damn.'],
  [4, 'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1'],
  [5, 'A computer program does what you tell it to do, not what you want it to do.'],
  [6, 'Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen'],
  [7, 'Any program that runs right is obsolete.'],
  [8, 'A list is only as strong as its weakest link. — Donald Knuth'],
  [9, 'Feature: A bug with seniority.'],
  [10, 'Computers make very fast, very accurate mistakes.'],
  [11, '<script>alert("This should not be displayed in a browser alert box.");</script>'],
  [12, 'フレームワークのベンチマーク'],
];

/** The fortune every server adds at request time. */
export const EXTRA_FORTUNE: readonly [number, string] = [0, 'Additional fortune added at request time.'];

/** The rows the fortunes page must list: the table's and the extra one, sorted by message (code points). */
export const EXPECTED_FORTUNES: ReadonlyArray<readonly [number, string]> = [...FORTUNES, EXTRA_FORTUNE].sort(
  (a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0),
);

/** The count a server must answer for a `queries`/`count` parameter (`undefined`: missing). */
export function clampedCount(text: string | undefined): number {
  const n = Number.parseInt(text ?? '', 10);
  if (Number.isNaN(n) || n < 1) return 1;
  return Math.min(n, 500);
}

/** The parameters the verifier sends to each counting test, each with the count it must answer. */
export const COUNT_CASES: ReadonlyArray<{ param: string | undefined; expected: number }> = [
  { param: '20', expected: 20 },
  { param: '0', expected: 1 },
  { param: 'foo', expected: 1 },
  { param: undefined, expected: 1 },
  { param: '501', expected: 500 },
];

/** A row of `world` as the servers answer it. */
export interface WorldRow {
  id: number;
  randomNumber: number;
}

type Kind = 'json' | 'text' | 'html';

// TechEmpower accepts JSON and plain text with or without a charset; fortunes must name UTF-8.
const CONTENT_TYPES: Record<Kind, readonly string[]> = {
  json: ['application/json', 'application/json;charset=utf-8'],
  text: ['text/plain', 'text/plain;charset=utf-8'],
  html: ['text/html;charset=utf-8'],
};

/** A content type without case, spaces or quotes around the charset: `text/html;charset=utf-8`. */
function normalType(value: string): string {
  return value
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/charset="([^"]*)"/, 'charset=$1');
}

const header = (answer: Answer, name: string): string | undefined => {
  const value = answer.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** Status 200, the content type of `kind`, and the `Server` and `Date` headers. */
export function checkEnvelope(answer: Answer, kind: Kind): string | undefined {
  if (answer.status !== 200) return `status ${answer.status}, expected 200: ${answer.body.slice(0, 200)}`;
  const type = header(answer, 'content-type') ?? '';
  if (!CONTENT_TYPES[kind].includes(normalType(type)))
    return `Content-Type "${type}", expected ${CONTENT_TYPES[kind].map((t) => `"${t}"`).join(' or ')}`;
  if (!header(answer, 'server')) return 'no Server header';
  const date = header(answer, 'date');
  if (!date) return 'no Date header';
  if (Number.isNaN(Date.parse(date))) return `the Date header "${date}" is not a date`;
  return undefined;
}

function parseJson(body: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(body) as unknown };
  } catch {
    return { error: `the body is not JSON: ${body.slice(0, 200)}` };
  }
}

/** `GET /json`: `{"message":"Hello, World!"}` (spaces between tokens allowed). */
export function checkJson(answer: Answer): string | undefined {
  const envelope = checkEnvelope(answer, 'json');
  if (envelope) return envelope;
  const parsed = parseJson(answer.body);
  if ('error' in parsed) return parsed.error;
  const value = parsed.value as Record<string, unknown>;
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    Object.keys(value).length !== 1 ||
    value.message !== 'Hello, World!'
  )
    return `body ${answer.body.slice(0, 200)}, expected {"message":"Hello, World!"}`;
  return undefined;
}

/** `GET /plaintext`: `Hello, World!` exactly. */
export function checkPlaintext(answer: Answer): string | undefined {
  const envelope = checkEnvelope(answer, 'text');
  if (envelope) return envelope;
  if (answer.body !== 'Hello, World!') return `body "${answer.body.slice(0, 200)}", expected "Hello, World!"`;
  return undefined;
}

const inRange = (n: unknown): n is number =>
  Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 10_000;

/** Why `value` is not a world row (`{"id":1..10000,"randomNumber":1..10000}`), or `undefined`. */
function worldProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `${JSON.stringify(value)} is not an object`;
  const keys = Object.keys(value).sort();
  if (keys.length !== 2 || keys[0] !== 'id' || keys[1] !== 'randomNumber')
    return `${JSON.stringify(value)} has keys ${keys.join(', ')}, expected id and randomNumber`;
  const row = value as Record<string, unknown>;
  if (!inRange(row.id)) return `id ${JSON.stringify(row.id)} is not an integer in 1..10000`;
  if (!inRange(row.randomNumber))
    return `randomNumber ${JSON.stringify(row.randomNumber)} is not an integer in 1..10000`;
  return undefined;
}

/** `GET /db`: one world row, an object (not an array); the row goes to `rows`. */
export function checkDb(answer: Answer, rows: WorldRow[] = []): string | undefined {
  const envelope = checkEnvelope(answer, 'json');
  if (envelope) return envelope;
  const parsed = parseJson(answer.body);
  if ('error' in parsed) return parsed.error;
  const problem = worldProblem(parsed.value);
  if (!problem) rows.push(parsed.value as WorldRow);
  return problem;
}

/**
 * `GET /queries`, `/updates` and `/cached-queries`: an array of `expected` world rows. The rows
 * it holds go to `rows` (for the updates' read-back).
 */
export function checkWorlds(answer: Answer, expected: number, rows: WorldRow[] = []): string | undefined {
  const envelope = checkEnvelope(answer, 'json');
  if (envelope) return envelope;
  const parsed = parseJson(answer.body);
  if ('error' in parsed) return parsed.error;
  if (!Array.isArray(parsed.value)) return `the body is not an array: ${answer.body.slice(0, 200)}`;
  if (parsed.value.length !== expected)
    return `${parsed.value.length} rows, expected ${expected} (counts are clamped to 1..500)`;
  for (const value of parsed.value) {
    const problem = worldProblem(value);
    if (problem) return problem;
    rows.push(value as WorldRow);
  }
  return undefined;
}

/**
 * The answered rows against the rows read back from the database right after: each id must
 * hold the number answered for it — the row as read (`db`, `queries`), or as written
 * (`updates`; one of the numbers answered when the request drew an id twice and the server
 * wrote one of its rows last).
 */
export function checkStored(
  answered: readonly WorldRow[],
  stored: ReadonlyMap<number, number>,
  action: 'read' | 'update',
): string | undefined {
  const numbers = new Map<number, number[]>();
  for (const row of answered) numbers.set(row.id, [...(numbers.get(row.id) ?? []), row.randomNumber]);
  for (const [id, candidates] of numbers) {
    const value = stored.get(id);
    if (value === undefined) return `world ${id} is not in the table`;
    if (!candidates.includes(value))
      return (
        `world ${id} holds randomNumber ${value} in the database, but the answer said ` +
        `${candidates.join(' or ')}: ${action === 'update' ? 'the update was not written' : 'not the row as stored'}`
      );
  }
  return undefined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the character references an HTML escaper writes (named, decimal, hexadecimal). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return String.fromCodePoint(code);
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

const PAGE_START =
  /^\s*<!doctype html>\s*<html>\s*<head>\s*<title>Fortunes<\/title>\s*<\/head>\s*<body>\s*<table>\s*<tr>\s*<th>id<\/th>\s*<th>message<\/th>\s*<\/tr>/i;
const PAGE_END = /<\/table>\s*<\/body>\s*<\/html>\s*$/i;
const ROW = /<tr>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>\s*<\/tr>/gy;

/**
 * `GET /fortunes`: the page's frame, then the 13 rows (the table's and the one added at request
 * time) sorted by message, each message escaped (no raw `<`, `>` or stray `&`) and, once
 * decoded, the stored text exactly (the Japanese one too). Whitespace between tags is allowed.
 */
export function checkFortunes(answer: Answer): string | undefined {
  const envelope = checkEnvelope(answer, 'html');
  if (envelope) return envelope;
  const body = answer.body;
  if (/<script/i.test(body)) return 'the page holds a raw <script> tag: the fortunes are not escaped';
  const start = PAGE_START.exec(body);
  if (!start) return `the page does not start with the standard head and table header: ${body.slice(0, 200)}`;
  const end = PAGE_END.exec(body);
  if (!end) return `the page does not end with </table></body></html>: ${body.slice(-200)}`;
  const rows = body.slice(start[0].length, end.index).trim();
  const found: Array<[number, string]> = [];
  ROW.lastIndex = 0;
  while (ROW.lastIndex < rows.length) {
    const before = ROW.lastIndex;
    const match = ROW.exec(rows);
    if (!match) return `unexpected markup in the table at: ${rows.slice(before, before + 120)}`;
    const [, id, message] = match;
    if (/&(?!(#x[0-9a-f]+|#\d+|[a-z]+);)/i.test(message!) || />/.test(message!))
      return `the message "${message}" is not escaped`;
    found.push([Number(id!.trim()), decodeEntities(message!)]);
    // Whitespace between rows is allowed.
    while (/\s/.test(rows[ROW.lastIndex] ?? '')) ROW.lastIndex++;
  }
  if (found.length !== EXPECTED_FORTUNES.length)
    return `${found.length} fortunes, expected ${EXPECTED_FORTUNES.length} (the table's 12 and the one added at request time)`;
  for (let i = 0; i < found.length; i++) {
    const [id, message] = found[i]!;
    const [wantId, wantMessage] = EXPECTED_FORTUNES[i]!;
    if (id !== wantId || message !== wantMessage)
      return `row ${i + 1} is ${id} "${message}", expected ${wantId} "${wantMessage}" (sorted by message)`;
  }
  return undefined;
}
