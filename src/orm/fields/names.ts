/**
 * Name conventions shared by fields and models: column and table names, human labels.
 */

/**
 * `firstName` → `first_name`, `HTTPServer` → `http_server`, `BookTag` → `book_tag`.
 *
 * @example
 * ```ts
 * snakeCase('publishedAt'); // 'published_at'
 * ```
 */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * `firstName` → `First name`, `isbn_13` → `Isbn 13`, `BookTag` → `Book tag`.
 *
 * @example
 * ```ts
 * humanize('firstName'); // 'First name'
 * ```
 */
export function humanize(name: string): string {
  const words = snakeCase(name).split('_').filter(Boolean).join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `Book` → `book`, `BookTag` → `bookTag`: the name a model is referred to by from other models. */
export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
