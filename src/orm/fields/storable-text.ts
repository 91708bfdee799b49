/**
 * Text no database here can store as it is: the NUL character (PostgreSQL's `text` and `jsonb`
 * refuse it, a `DatabaseError` at insert time; Django refuses it in every `CharField`) and lone
 * UTF-16 surrogates (not Unicode: each driver writes them as U+FFFD, silently). Text and JSON
 * fields refuse both, with the HTTP layer's error types, before any SQL.
 */
import { QueryError } from '../query/errors.ts';
import type { Issue } from './field.ts';

const NUL_ISSUE: Issue = Object.freeze({
  msg: 'String should not contain null characters (U+0000)',
  type: 'null_characters_not_allowed',
});

const SURROGATE_ISSUE: Issue = Object.freeze({
  msg: 'String should be valid Unicode (it holds a lone surrogate)',
  type: 'string_unicode',
});

/**
 * The problem of a string no database can store as it is (a NUL, a lone surrogate), or
 * `undefined`.
 *
 * @example
 * ```ts
 * textIssue('a\u0000b'); // { msg: 'String should not contain null characters (U+0000)', type: 'null_characters_not_allowed' }
 * textIssue('\ud800'); // { msg: 'String should be valid Unicode (it holds a lone surrogate)', type: 'string_unicode' }
 * ```
 */
export function textIssue(text: string): Issue | undefined {
  if (text.includes('\u0000')) return { ...NUL_ISSUE };
  if (!text.isWellFormed()) return { ...SURROGATE_ISSUE };
  return undefined;
}

/**
 * The first such problem in a JSON value, in its strings and in its keys (PostgreSQL's `jsonb`
 * refuses `\u0000` in either), or `undefined`.
 */
export function jsonTextIssue(value: unknown, depth = 0): Issue | undefined {
  if (typeof value === 'string') return textIssue(value);
  if (typeof value !== 'object' || value === null || depth > 64) return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const issue = jsonTextIssue(item, depth + 1);
      if (issue) return issue;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const issue = textIssue(key) ?? jsonTextIssue(item, depth + 1);
    if (issue) return issue;
  }
  return undefined;
}

/** One escape of JSON text: `\\uXXXX`, or a backslash and the character it escapes. */
const ESCAPE = /\\(u[0-9a-fA-F]{4}|.)/gu;

/**
 * The same problem found in `JSON.stringify`'s text of a value, in one scan: it writes a NUL as
 * `\u0000` and a lone surrogate as `\udXXX` (a well-formed pair as itself), so text without
 * `\u` has none.
 */
export function jsonTextIssueIn(text: string): Issue | undefined {
  if (!text.includes('\\u')) return undefined;
  for (const [, escaped] of text.matchAll(ESCAPE)) {
    if (escaped === 'u0000') return { ...NUL_ISSUE };
    if (escaped!.length === 5 && /^ud[89a-f]/iu.test(escaped!)) return { ...SURROGATE_ISSUE };
  }
  return undefined;
}

/** A `QueryError` for a filter value holding text no database can store; `value` unchanged otherwise. */
export function storableInFilter<T>(issue: Issue | undefined, name: string, value: T): T {
  if (issue) throw new QueryError(`filter: the value for '${name}' is not storable text: ${issue.msg}`);
  return value;
}
