/**
 * Paths and names of operations: Volt's route paths as OpenAPI templates, and the operation
 * ids and summaries derived from them for routes that give none.
 */
import type { HttpMethod } from '../http/route.ts';

/**
 * Converts a path in Volt's syntax (`/users/:id`, `/files/*`, `/at/:hour(^\\d+)h`) to an
 * OpenAPI template (`/users/{id}`) and lists its parameter names in order.
 */
export function toOpenApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const char = path[i]!;
    if (char === ':' && path[i + 1] === ':') {
      out += ':'; // `::` is a literal colon
      i++;
    } else if (char === ':') {
      let name = '';
      while (i + 1 < path.length && /[\w$]/.test(path[i + 1]!)) name += path[++i];
      if (path[i + 1] === '(') i = skipRegex(path, i + 1);
      if (path[i + 1] === '?') i++;
      params.push(name);
      out += `{${name}}`;
    } else if (char === '*') {
      params.push('*');
      out += '{*}';
    } else {
      out += char;
    }
  }
  return { path: out, params };
}

/** Returns the index of the `)` closing the regex that opens at `start`. */
function skipRegex(path: string, start: number): number {
  let depth = 0;
  for (let i = start; i < path.length; i++) {
    if (path[i] === '\\') i++;
    else if (path[i] === '(') depth++;
    else if (path[i] === ')' && --depth === 0) return i;
  }
  return path.length - 1;
}

/**
 * A stable operation id from the method and path: `GET /notes/:id/tags` → `getNotesByIdTags`.
 */
export function deriveOperationId(method: HttpMethod, path: string): string {
  const words: string[] = [method.toLowerCase()];
  for (const segment of toOpenApiPath(path).path.split('/')) {
    for (const part of segment.split(/(\{[^}]*\})/)) {
      const param = /^\{(.*)\}$/.exec(part);
      const text = param ? `by ${param[1] === '*' ? 'path' : param[1]}` : part;
      for (const word of text.split(/[^A-Za-z0-9]+/)) if (word) words.push(capitalize(word));
    }
  }
  if (words.length === 1) words.push('Root');
  return words.join('');
}

function capitalize(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

/** A summary for a route that has none, from its operation id: `getNotesById` → `Get notes by id`. */
export function summaryOf(operationId: string): string {
  const words = operationId
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
