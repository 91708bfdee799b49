/**
 * Every guide, tutorial and reference page can be found: the README and the docs index link
 * each page of docs/guides, docs/tutorial and docs/reference.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const pagesOf = (dir: string) =>
  readdirSync(join(root, 'docs', dir))
    .filter((name) => name.endsWith('.md'))
    .sort();
const guides = pagesOf('guides');
const tutorials = pagesOf('tutorial');
const references = pagesOf('reference');

function linkCounts(page: string, prefix: string): Map<string, number> {
  const text = readFileSync(join(root, page), 'utf8');
  const counts = new Map<string, number>();
  for (const [, target] of text.matchAll(/\]\(([^)#\s]+)/g)) {
    if (!target!.startsWith(prefix)) continue;
    const name = target!.slice(prefix.length);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

for (const [page, prefix] of [
  ['README.md', 'docs/guides/'],
  ['docs/index.md', 'guides/'],
] as const) {
  test(`${page} links every guide`, () => {
    const counts = linkCounts(page, prefix);
    assert.deepEqual(
      guides.filter((name) => !counts.has(name)),
      [],
      `${page} must link each of docs/guides/*.md`,
    );
    assert.deepEqual(
      [...counts.keys()].filter((name) => !guides.includes(name)),
      [],
      `${page} links guides that do not exist`,
    );
  });
}

for (const [page, prefix] of [
  ['README.md', 'docs/tutorial/'],
  ['docs/index.md', 'tutorial/'],
] as const) {
  test(`${page} links every tutorial`, () => {
    const counts = linkCounts(page, prefix);
    assert.deepEqual(
      tutorials.filter((name) => !counts.has(name)),
      [],
      `${page} must link each of docs/tutorial/*.md`,
    );
    assert.deepEqual(
      [...counts.keys()].filter((name) => !tutorials.includes(name)),
      [],
      `${page} links tutorials that do not exist`,
    );
  });
}

for (const [page, prefix] of [
  ['README.md', 'docs/reference/'],
  ['docs/index.md', 'reference/'],
] as const) {
  test(`${page} links every reference page`, () => {
    const counts = linkCounts(page, prefix);
    assert.deepEqual(
      references.filter((name) => !counts.has(name)),
      [],
      `${page} must link each of docs/reference/*.md`,
    );
  });
}
