/**
 * Rewrites every `<!-- snippet: NAME -->` block of the docs (and README) with the current
 * text of docs/snippets/NAME. Run after editing a snippet: `npm run docs:snippets`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const EMBED = /(<!-- snippet: (\S+) -->\s*```ts\n)[\s\S]*?```/g;

const pages = readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.md'))
  .map((name) => join(root, 'docs', name))
  .concat(join(root, 'README.md'));

for (const page of pages) {
  const text = readFileSync(page, 'utf8');
  const next = text.replace(EMBED, (_all, head: string, name: string) => {
    const source = readFileSync(join(root, 'docs', 'snippets', name), 'utf8');
    return `${head}${source}\`\`\``;
  });
  if (next !== text) {
    writeFileSync(page, next);
    console.log(`updated ${page.slice(root.length + 1)}`);
  }
}
