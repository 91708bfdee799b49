/**
 * The headers of the docs routes (the document, the pages and their files): a strict
 * Content-Security-Policy and the headers that go with it.
 */

/**
 * Content-Security-Policy of the docs pages. Same-origin scripts only, no fonts, nothing
 * fetched from elsewhere. `inlineStyles` allows `<style>` elements, which Scalar injects
 * (Swagger UI needs no such exception).
 */
export function docsCsp(options: { inlineStyles?: boolean } = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    options.inlineStyles ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The headers every docs response carries, with `csp` as its policy. */
export function docsHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
  };
}
