/**
 * The database work of the Fastify and node:http servers, written against `pg` by hand as the
 * fastest TechEmpower entries on Node do: one pool of 10, named prepared statements, and the
 * updates as one `UPDATE … FROM (VALUES …)` statement per request.
 */
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

/** A row of `world` as answered. */
export interface World {
  id: number;
  randomNumber: number;
}

/** An id (or a new random number): 1..10000. */
export const random = (): number => 1 + Math.floor(Math.random() * 10_000);

/** How many rows a request asks for: a number clamped to 1..500; anything else is 1. */
export function count(text: string | null | undefined): number {
  const n = Number.parseInt(text ?? '', 10);
  if (Number.isNaN(n) || n < 1) return 1;
  return Math.min(n, 500);
}

/** One world row by id, through the named statement `world`. */
export async function world(id: number): Promise<World> {
  const { rows } = await pool.query<{ id: number; randomnumber: number }>({
    name: 'world',
    text: 'select id, randomnumber from world where id = $1',
    values: [id],
  });
  return { id: rows[0]!.id, randomNumber: rows[0]!.randomnumber };
}

/** `n` random world rows, each its own query, in parallel over the pool. */
export function worlds(n: number): Promise<World[]> {
  return Promise.all(Array.from({ length: n }, () => world(random())));
}

/** `UPDATE … FROM (VALUES ($1::int, $2::int), …)` for `n` rows, one text per count. */
const updateTexts: string[] = [];
function updateText(n: number): string {
  let text = updateTexts[n];
  if (text === undefined) {
    const values = Array.from({ length: n }, (_, i) => `($${2 * i + 1}::int, $${2 * i + 2}::int)`);
    text = `update world set randomnumber = v.r from (values ${values.join(', ')}) as v(id, r) where world.id = v.id`;
    updateTexts[n] = text;
  }
  return text;
}

/** `n` random rows read one by one, given new numbers and written back in one statement. */
export async function updateWorlds(n: number): Promise<World[]> {
  const rows = await worlds(n);
  for (const row of rows) row.randomNumber = random();
  // Rows locked in id order by every request: concurrent updates never deadlock.
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  const values: number[] = [];
  for (const row of sorted) values.push(row.id, row.randomNumber);
  await pool.query({ name: `update-${n}`, text: updateText(n), values });
  return rows;
}

/** Every world row, read once at startup, by id. */
const cache: World[] = [];
export async function loadCache(): Promise<void> {
  const { rows } = await pool.query<{ id: number; randomnumber: number }>(
    'select id, randomnumber from world',
  );
  for (const row of rows) cache[row.id] = { id: row.id, randomNumber: row.randomnumber };
}

/** `n` rows from the cache. */
export function cachedWorlds(n: number): World[] {
  return Array.from({ length: n }, () => cache[random()]!);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** The fortunes page: the table's rows and one more, sorted by message, escaped. */
export async function fortunesPage(): Promise<string> {
  const { rows } = await pool.query<{ id: number; message: string }>({
    name: 'fortunes',
    text: 'select id, message from fortune',
  });
  rows.push({ id: 0, message: 'Additional fortune added at request time.' });
  rows.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  let page =
    '<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>';
  for (const row of rows) page += `<tr><td>${row.id}</td><td>${escapeHtml(row.message)}</td></tr>`;
  return `${page}</table></body></html>`;
}

/** Closes the pool (at SIGTERM). */
export function closePool(): Promise<void> {
  return pool.end();
}
