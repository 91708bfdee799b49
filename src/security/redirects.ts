/**
 * Safe redirects: a `?next=` parameter must not send a user who just logged in to another
 * site (an open redirect). Browsers read URLs loosely — they drop tabs and newlines, treat `\`
 * as `/`, take `//host` as another host — so anything unusual is refused rather than repaired.
 */
import { hostCheck } from './hosts.ts';

/** Options of {@link safeRedirectUrl}. */
export interface SafeRedirectOptions {
  /** Hosts an absolute URL may point to; the ALLOWED_HOSTS syntax (`example.com`, `.example.com`). */
  allowedHosts: readonly string[];
  /** What to answer when `next` is refused (or missing). */
  fallback: string;
  /** Refuse absolute `http://` URLs. Default false. */
  requireHttps?: boolean;
}

// C0 controls, space, DEL and backslash: browsers strip or reinterpret each of them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_CHARACTER = /[\u0000-\u0020\u007f\\]/u;
// Percent-decoded, a space is fine (`?q=a%20b`); a control character or backslash is not.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_DECODED = /[\u0000-\u001f\u007f\\]/u;

function decoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** `value` with every character outside ASCII percent-encoded (UTF-8): a `Location` header carries bytes, not text. */
function asciiOnly(value: string): string {
  return value.replace(/[^\p{ASCII}]+/gu, (run) => encodeURIComponent(run));
}

function isSafePath(value: string): boolean {
  // `/path` but never `//host` (another host) nor `/\host` (the same, to a browser).
  return value.startsWith('/') && value[1] !== '/' && value[1] !== '\\';
}

/**
 * `next` when it is safe to redirect to, else `fallback`. Safe means a path on this site
 * (`/account?tab=2`, not `//evil.com`, not `/\evil.com`) or an absolute `http(s)://` URL to
 * an allowed host without credentials. Control characters, spaces and backslashes are refused
 * anywhere, also percent-encoded; so is a path whose decoded form starts with `//`. Characters
 * outside ASCII come back percent-encoded, ready for a `Location` header.
 *
 * @example
 * ```ts
 * const next = safeRedirectUrl(ctx.query.next, { allowedHosts: app.settings.allowedHosts, fallback: '/' });
 * return ctx.reply.redirect(next);
 * ```
 */
export function safeRedirectUrl(next: string | undefined | null, options: SafeRedirectOptions): string {
  const { fallback } = options;
  if (typeof next !== 'string' || next === '' || next.length > 4096 || !next.isWellFormed()) return fallback;
  const plain = decoded(next);
  if (plain === undefined || UNSAFE_CHARACTER.test(next) || UNSAFE_DECODED.test(plain)) return fallback;
  if (next.startsWith('/')) return isSafePath(next) && isSafePath(plain) ? asciiOnly(next) : fallback;
  // Only the canonical absolute forms: `https:evil.com`, `https:/evil.com` and the like are refused.
  const scheme = /^(https?):\/\/[^/]/iu.exec(next)?.[1]?.toLowerCase();
  if (scheme === undefined || (options.requireHttps && scheme !== 'https')) return fallback;
  let url: URL;
  try {
    url = new URL(next);
  } catch {
    return fallback;
  }
  if (url.username !== '' || url.password !== '') return fallback;
  const allowed = hostCheck(options.allowedHosts);
  // The URL parser has already turned Unicode dots and other IDNA forms into the real host name.
  if (allowed !== undefined && !allowed(url.host)) return fallback;
  // The parser's form is ASCII throughout (an IDNA host, a percent-encoded path).
  return /[^\p{ASCII}]/u.test(next) ? url.href : next;
}
