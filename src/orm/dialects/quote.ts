/**
 * Identifier quoting. SQLite and PostgreSQL share the SQL standard's rule: wrap in double quotes
 * and double any double quote inside.
 */

/**
 * Quotes a table or column name.
 *
 * @example
 * ```ts
 * quoteIdentifier('order'); // '"order"'
 * quoteIdentifier('a"b');   // '"a""b"'
 * ```
 */
export function quoteIdentifier(name: string): string {
  if (name.includes('\0')) throw new Error('An identifier cannot contain a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}
