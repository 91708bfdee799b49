/**
 * Escaping for the HTML pages Volt writes itself (the docs pages, the password-reset page, a
 * CSRF input): text safe inside HTML text and quoted attribute values.
 */

/** The first character that needs escaping. */
const SPECIAL = /[&<>"']/;

/**
 * `text` safe inside HTML text and quoted attribute values.
 *
 * @example
 * ```ts
 * `<p title="${escapeHtml(name)}">${escapeHtml(name)}</p>`;
 * ```
 */
export function escapeHtml(text: string): string {
  // Most text has nothing to escape: one scan, and the same string back.
  const first = text.search(SPECIAL);
  if (first === -1) return text;
  let out = '';
  let from = 0;
  for (let i = first; i < text.length; i++) {
    let entity: string;
    switch (text.charCodeAt(i)) {
      case 38: // &
        entity = '&amp;';
        break;
      case 60: // <
        entity = '&lt;';
        break;
      case 62: // >
        entity = '&gt;';
        break;
      case 34: // "
        entity = '&quot;';
        break;
      case 39: // '
        entity = '&#39;';
        break;
      default:
        continue;
    }
    out += text.slice(from, i) + entity;
    from = i + 1;
  }
  return out + text.slice(from);
}
