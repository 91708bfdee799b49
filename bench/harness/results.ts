/**
 * Where a benchmark run's results go: a JSON file (when, the command that ran, then the run's
 * own fields) and its tables beside it as Markdown (`.md`); and how a runner ends on an error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `out` (JSON: `date`, `command` — `npm run <script>` with this process's arguments —
 * then `fields`) and the Markdown `sections` beside it; returns the line that says where.
 */
export function writeResults(
  out: string,
  script: string,
  fields: Record<string, unknown>,
  sections: readonly string[],
): string {
  const argv = process.argv.slice(2).join(' ');
  const command = `npm run ${script}${argv ? ` -- ${argv}` : ''}`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), command, ...fields }, null, 2)}\n`);
  const markdown = out.replace(/\.json$/, '.md');
  writeFileSync(markdown, `${sections.join('\n\n')}\n`);
  return `Results: ${out} (and ${markdown})`;
}

/** Runs a runner's `main`, printing a failure's message (not its stack) and exiting 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(`\nBENCHMARK FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
