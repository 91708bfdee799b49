/**
 * Escaping for the HTML pages Volt writes itself (the docs pages, the password-reset page, a
 * CSRF input): text safe inside HTML text and quoted attribute values.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * `text` safe inside HTML text and quoted attribute values.
 *
 * @example
 * ```ts
 * `<p title="${escapeHtml(name)}">${escapeHtml(name)}</p>`;
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
