/**
 * The few statistics the reports use.
 */

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The nearest-rank percentile `p` (0–100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Formats milliseconds for a table: `0.84 ms`, `12.3 ms`, `1.52 s`. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Formats a request rate with thousands separators. */
export function formatRate(rps: number): string {
  return Math.round(rps).toLocaleString('en-US');
}

/** Renders rows as a fixed-width text table; the first row is the header. */
export function textTable(rows: string[][], alignRight: boolean[] = []): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, col) => (alignRight[col] ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!)))
      .join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Renders rows as a Markdown table; the first row is the header. */
export function markdownTable(rows: string[][], alignRight: boolean[] = []): string {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  const rule = rows[0]!.map((_, col) => (alignRight[col] ? '---:' : '---'));
  return [line(rows[0]!), line(rule), ...rows.slice(1).map(line)].join('\n');
}
