/**
 * HTML written safely: an `html` template escapes every value it holds unless the value is
 * HTML already (another `html` template, or markup marked trusted with `unsafeHtml`). A route
 * may return an `Html`: it is sent as `text/html`. Volt's own pages (the docs, the password
 * reset form) and an app's (a TechEmpower fortunes page, the admin) render with it.
 */
import { escapeHtml } from './escape-html.ts';

/** Markup safe to send: built by {@link html} (values escaped) or {@link unsafeHtml} (trusted as is). */
export class Html {
  readonly #text: string;

  /** @internal Use {@link html} or {@link unsafeHtml}. */
  constructor(text: string) {
    this.#text = text;
  }

  /** The markup. */
  toString(): string {
    return this.#text;
  }
}

/** One value of a template as markup: escaped text, nothing for null, undefined and false. */
function render(value: unknown): string {
  if (value instanceof Html) return value.toString();
  if (typeof value === 'string') return escapeHtml(value);
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'number' || typeof value === 'bigint' || value === true) return String(value);
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value) out += render(item);
    return out;
  }
  if (value instanceof Date) return escapeHtml(value.toISOString());
  // An object would print as "[object Object]": almost always a field forgotten on the way.
  throw new TypeError(
    `html: cannot write ${Object.prototype.toString.call(value)} into HTML; pass text, a number, an array or html\`…\``,
  );
}

/**
 * A piece of HTML whose values are escaped (`&`, `<`, `>`, `"`, `'`): safe in text and in quoted
 * attribute values (always quote them). Values that are `html` templates are kept as markup;
 * arrays are written one item after another; `null`, `undefined` and `false` write nothing;
 * numbers as they are; a `Date` as ISO-8601 text; other objects are refused (a `TypeError`).
 * Escaping does not make a URL safe in `href`/`src` (`javascript:` is text): check those.
 *
 * @example
 * ```ts
 * const rows = fortunes.map((f) => html`<tr><td>${f.id}</td><td>${f.message}</td></tr>`);
 * app.get('/fortunes', { contentType: 'text/html' }, () =>
 *   html`<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>${rows}</table></body></html>`,
 * );
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/**
 * `text` as markup, not escaped: only for HTML you wrote or sanitized yourself (never for
 * anything a user sent).
 *
 * @example
 * ```ts
 * html`<main>${unsafeHtml(renderedMarkdown)}</main>`;
 * ```
 */
export function unsafeHtml(text: string): Html {
  if (typeof text !== 'string') throw new TypeError('unsafeHtml: give a string');
  return new Html(text);
}

export { escapeHtml };
