/**
 * Security headers: one set, built at startup from the settings and the app's options, put on
 * every response (pages, JSON, 404s, errors) before anything else runs. A route changes one
 * for its own response with `ctx.header()`; {@link cspNonce} opens the policy to one inline
 * script or style for one response.
 */
import type { Context } from '../http/context.ts';
import { randomText } from './random.ts';

/** A Content-Security-Policy as directives: name → sources (`false` removes the directive). */
export type CspDirectives = Record<string, string | readonly string[] | false>;

/**
 * The security headers of an app. Every header has a default; a value replaces it and `false`
 * drops the header.
 *
 * @example
 * ```ts
 * const app = volt({
 *   securityHeaders: {
 *     contentSecurityPolicy: { 'img-src': ["'self'", 'https://cdn.example.com'] },
 *     frameOptions: 'SAMEORIGIN',
 *     crossOriginOpenerPolicy: false,
 *   },
 * });
 * ```
 */
export interface SecurityHeadersOptions {
  /**
   * `Content-Security-Policy`. Directives are merged over {@link DEFAULT_CSP_DIRECTIVES} (a
   * directive given replaces the default one, `false` removes it); a string is the whole policy.
   */
  contentSecurityPolicy?: CspDirectives | string | false;
  /** `Referrer-Policy`. Default `same-origin`. */
  referrerPolicy?: string | false;
  /** `X-Content-Type-Options`. Default `nosniff`. */
  contentTypeOptions?: 'nosniff' | false;
  /** `X-Frame-Options`. Default `DENY`. */
  frameOptions?: 'DENY' | 'SAMEORIGIN' | false;
  /** `Cross-Origin-Opener-Policy`. Default `same-origin`. */
  crossOriginOpenerPolicy?: string | false;
  /** `Permissions-Policy`: feature → allowed origins (`[]` denies it), or the whole header. */
  permissionsPolicy?: Record<string, readonly string[]> | string | false;
  /**
   * `Strict-Transport-Security`. Default `max-age=<HSTS_SECONDS>; includeSubDomains` when the
   * `hstsSeconds` setting is above 0 (one year in production), else none.
   */
  strictTransportSecurity?: string | false;
}

/** The default Content-Security-Policy: this origin only, no plugins, no framing, no inline code. */
export const DEFAULT_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'object-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
});

/** Powerful browser features no page of the app may use unless the app says otherwise. */
export const DEFAULT_PERMISSIONS_POLICY: Readonly<Record<string, readonly string[]>> = Object.freeze({
  accelerometer: [],
  bluetooth: [],
  camera: [],
  'display-capture': [],
  geolocation: [],
  gyroscope: [],
  hid: [],
  magnetometer: [],
  microphone: [],
  midi: [],
  payment: [],
  serial: [],
  usb: [],
});

/** Renders CSP directives as a header value. */
export function formatCsp(directives: CspDirectives): string {
  const parts: string[] = [];
  for (const [name, sources] of Object.entries(directives)) {
    if (sources === false) continue;
    const list = typeof sources === 'string' ? [sources] : sources;
    parts.push(list.length > 0 ? `${name} ${list.join(' ')}` : name);
  }
  return parts.join('; ');
}

function formatPermissions(policy: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(policy)
    .map(([feature, origins]) => `${feature}=(${origins.join(' ')})`)
    .join(', ');
}

/**
 * The headers every response starts with, by lower-case name. Runs once at startup.
 *
 * @example
 * ```ts
 * securityHeaders({ hstsSeconds: 0 }, { frameOptions: 'SAMEORIGIN' })['x-frame-options']; // 'SAMEORIGIN'
 * ```
 */
export function securityHeaders(
  settings: { hstsSeconds: number },
  options: SecurityHeadersOptions = {},
): Record<string, string> {
  const headers: Record<string, string> = {};
  const csp = options.contentSecurityPolicy;
  if (csp !== false) {
    headers['content-security-policy'] =
      typeof csp === 'string' ? csp : formatCsp({ ...DEFAULT_CSP_DIRECTIVES, ...csp });
  }
  const put = (name: string, value: string | false | undefined, fallback: string) => {
    if (value !== false) headers[name] = value ?? fallback;
  };
  put('x-content-type-options', options.contentTypeOptions, 'nosniff');
  put('referrer-policy', options.referrerPolicy, 'same-origin');
  put('x-frame-options', options.frameOptions, 'DENY');
  put('cross-origin-opener-policy', options.crossOriginOpenerPolicy, 'same-origin');
  const permissions = options.permissionsPolicy;
  if (permissions !== false) {
    headers['permissions-policy'] =
      typeof permissions === 'string'
        ? permissions
        : formatPermissions({ ...DEFAULT_PERMISSIONS_POLICY, ...permissions });
  }
  const hsts = options.strictTransportSecurity;
  if (hsts !== false) {
    if (hsts !== undefined) headers['strict-transport-security'] = hsts;
    else if (settings.hstsSeconds > 0)
      headers['strict-transport-security'] = `max-age=${settings.hstsSeconds}; includeSubDomains`;
  }
  for (const [name, value] of Object.entries(headers)) {
    // A header value with a line break would split the response: refused at startup.
    if (/[\r\n]/.test(value)) throw new TypeError(`The ${name} header must not contain a line break`);
  }
  return headers;
}

const CSP = 'content-security-policy';
const NONCE = Symbol('volt.cspNonce');
const NONCE_DIRECTIVES = ['script-src', 'style-src'] as const;

// Policies seen by cspNonce(), each split once around where the nonce goes. Few distinct
// policies exist per app (the default, maybe a route's own), so this stays small.
const templates = new Map<string, string[]>();

/** Splits a policy into the pieces a nonce is put between (script-src and style-src gain it). */
function nonceTemplate(policy: string): string[] {
  let template = templates.get(policy);
  if (template) return template;
  const directives = policy
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean);
  const names = directives.map((part) => part.split(/\s+/, 1)[0]!.toLowerCase());
  const fallback = directives[names.indexOf('default-src')]?.slice('default-src'.length).trim();
  for (const name of NONCE_DIRECTIVES) {
    // A missing script-src falls back to default-src: write it out, so the nonce only widens it.
    if (!names.includes(name) && fallback !== undefined) {
      directives.push(`${name} ${fallback}`.trim());
      names.push(name);
    }
  }
  template = [''];
  for (let i = 0; i < directives.length; i++) {
    let part = directives[i]!;
    if ((NONCE_DIRECTIVES as readonly string[]).includes(names[i]!)) {
      // 'none' cannot be combined with other sources.
      part = part.replace(/\s+'none'/giu, '');
      template[template.length - 1] += `${i > 0 ? '; ' : ''}${part} 'nonce-`;
      template.push("'");
    } else {
      template[template.length - 1] += `${i > 0 ? '; ' : ''}${part}`;
    }
  }
  if (templates.size < 100) templates.set(policy, template);
  return template;
}

/**
 * The CSP nonce of this request: 16 random bytes in base64, made on first use. The response's
 * `Content-Security-Policy` then allows `'nonce-…'` in `script-src` and `style-src`, so
 * `<script nonce="…">` runs while any other inline script stays blocked. Call it after a route
 * changed the policy with `ctx.header()`, if it does.
 *
 * @example
 * ```ts
 * app.get('/', {}, (ctx) => {
 *   const nonce = cspNonce(ctx);
 *   return ctx.reply.type('text/html').send(`<script nonce="${nonce}">start()</script>`);
 * });
 * ```
 */
export function cspNonce(ctx: Pick<Context, 'request' | 'reply'>): string {
  const request = ctx.request as unknown as { [NONCE]?: string };
  let nonce = request[NONCE];
  if (nonce !== undefined) return nonce;
  nonce = randomText(16, 'base64');
  request[NONCE] = nonce;
  const policy = ctx.reply.getHeader(CSP);
  if (typeof policy === 'string' && policy !== '') ctx.reply.header(CSP, nonceTemplate(policy).join(nonce));
  return nonce;
}
