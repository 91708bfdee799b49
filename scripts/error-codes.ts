/**
 * Writes the table of docs/reference/errors.md from the catalogue (src/codes.ts), between its
 * `<!-- codes:start -->` and `<!-- codes:end -->` markers: `npm run docs:errors`. A test checks
 * the page shows the current table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, type ErrorCodeInfo } from '../src/codes.ts';

export const ERRORS_PAGE = join(import.meta.dirname, '..', 'docs', 'reference', 'errors.md');
const BLOCK = /(<!-- codes:start -->\n)[\s\S]*?(<!-- codes:end -->)/;

/** The catalogue as a Markdown table. */
export function errorTable(): string {
  const rows = Object.entries(ERROR_CODES as Record<string, ErrorCodeInfo>).map(
    ([code, info]) => `| \`${code}\` | ${info.status ?? ''} | ${info.meaning.replaceAll('|', '\\|')} |`,
  );
  return ['| Code | HTTP | Meaning |', '| --- | --- | --- |', ...rows, ''].join('\n');
}

/** The page's text with the current table. */
export function currentPage(text: string): string {
  return text.replace(BLOCK, (_all, start: string, end: string) => `${start}${errorTable()}${end}`);
}

if (import.meta.main) {
  const text = readFileSync(ERRORS_PAGE, 'utf8');
  const next = currentPage(text);
  if (next !== text) {
    writeFileSync(ERRORS_PAGE, next);
    console.log('updated docs/reference/errors.md');
  }
}
